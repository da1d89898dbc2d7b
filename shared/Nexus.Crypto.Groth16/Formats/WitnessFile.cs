using Nexus.Crypto.Bn254;

namespace Nexus.Crypto.Groth16.Formats;

/// <summary>A full witness (every wire's value) as snarkjs/circom write it (.wtns, version 2).</summary>
public static class WitnessFile
{
    private const uint HeaderSection = 1, ValuesSection = 2;

    public static Element<Fr>[] Read(string path) => Parse(File.ReadAllBytes(path), path);

    public static Element<Fr>[] Parse(ReadOnlyMemory<byte> bytes, string path)
    {
        var file = BinFile.Parse(bytes, path, "wtns", 2);
        var header = file.Section(HeaderSection);
        FieldIo.ExpectPrime<Fr>(header, "the witness's");
        var count = header.U32();
        header.End();
        var body = file.Section(ValuesSection);
        if ((ulong)body.Remaining != (ulong)count * FieldIo.N8)
            throw body.Error($"holds {body.Remaining} bytes, but {count} values of {FieldIo.N8} bytes were announced");
        var values = new Element<Fr>[count];
        for (var i = 0; i < count; i++)
            values[i] = FieldIo.Read<Fr>(body, montgomery: false, "witness value", i);
        return values;
    }

    public static void Write(string path, ReadOnlySpan<Element<Fr>> witness)
    {
        var writer = new BinFileWriter("wtns", 2);
        var header = writer.Section(HeaderSection);
        FieldIo.WritePrime<Fr>(header);
        header.U32((uint)witness.Length);
        var body = writer.Section(ValuesSection);
        foreach (var v in witness)
            FieldIo.Write(body, v, montgomery: false);
        writer.Save(path);
    }
}
