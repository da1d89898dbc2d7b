using System.Buffers.Binary;
using Nexus.Crypto.Groth16.Formats;

namespace Nexus.Crypto.Groth16.Tests;

/// <summary>Bad files and witnesses get a clear error naming what is wrong, never a proof.</summary>
public sealed class MalformedInputTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("nexus-groth16-").FullName;
    private readonly ProvingKey _key;
    private readonly Scalar[] _witness;
    private readonly string _zkey;

    public MalformedInputTests()
    {
        var (r1cs, w) = ProverPropertyTests.RandomCircuit(new Random(4), 6);
        _witness = w;
        _key = DevCeremony.Setup(r1cs);
        _zkey = Path.Combine(_folder, "k.zkey");
        ZKeyFile.Write(_zkey, _key);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string Mutate(Action<byte[]> change)
    {
        var bytes = File.ReadAllBytes(_zkey);
        change(bytes);
        var path = Path.Combine(_folder, $"bad-{Guid.NewGuid():N}.zkey");
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [Fact]
    public void A_witness_that_breaks_a_constraint_is_named_and_not_proved()
    {
        var (r1cs, w) = ProverPropertyTests.RandomCircuit(new Random(4), 6);
        w[9] += Scalar.One; // an internal wire: its defining constraint (row 2) and the ones using it break
        r1cs.FirstViolation(w)!.ShouldStartWith("constraint 2 does not hold");
        r1cs.FirstViolation(w[..5])!.ShouldContain("the witness has 5 values but the circuit has");
        var noOne = (Scalar[])w.Clone();
        noOne[0] = Scalar.Zero;
        r1cs.FirstViolation(noOne)!.ShouldContain("witness[0]");
        Should.Throw<ArgumentException>(() => Groth16Prover.Prove(_key, _witness[..^1])).Message.ShouldContain("signals");
    }

    [Fact]
    public void Truncated_foreign_and_corrupted_keys_are_refused_with_the_reason()
    {
        Should.Throw<InvalidDataException>(() => ZKeyFile.Read(Mutate(b => b[0] = (byte)'x'))).Message.ShouldContain("not a .zkey file");
        var truncated = Path.Combine(_folder, "t.zkey");
        File.WriteAllBytes(truncated, File.ReadAllBytes(_zkey)[..^10]);
        Should.Throw<InvalidDataException>(() => ZKeyFile.Read(truncated)).Message.ShouldContain("claims");
        // Section 1 (the protocol) says PLONK (2).
        Should.Throw<InvalidDataException>(() => ZKeyFile.Read(Mutate(b => BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(12 + 12), 2))))
            .Message.ShouldContain("not Groth16");
        // A bit flipped in alpha1's x: off the curve (or not a field element).
        var headerStart = 12 + 12 + 4 + 12; // after the protocol section, at section 2's body
        var alphaX = headerStart + 4 + 32 + 4 + 32 + 12;
        Should.Throw<InvalidDataException>(() => ZKeyFile.Read(Mutate(b => b[alphaX] ^= 1))).Message.ShouldContain("alpha1");
        // A key for another prime field.
        Should.Throw<InvalidDataException>(() => ZKeyFile.Read(Mutate(b => b[headerStart + 4] ^= 1))).Message.ShouldContain("not BN254");
    }

    [Fact]
    public void Witness_files_of_another_field_or_length_are_refused()
    {
        var path = Path.Combine(_folder, "w.wtns");
        WitnessFile.Write(path, _witness);
        WitnessFile.Read(path).ShouldBe(_witness);
        var bytes = File.ReadAllBytes(path);
        bytes[12 + 12 + 4] ^= 1; // the prime
        Should.Throw<InvalidDataException>(() => WitnessFile.Parse(bytes, "w.wtns")).Message.ShouldContain("prime");
        var shortBytes = File.ReadAllBytes(path);
        Should.Throw<InvalidDataException>(() => WitnessFile.Parse(shortBytes[..^32], "w.wtns")).Message.ShouldContain("claims");
        // A value at or above the modulus.
        var big = File.ReadAllBytes(path);
        big.AsSpan(big.Length - 32).Fill(0xFF);
        Should.Throw<InvalidDataException>(() => WitnessFile.Parse(big, "w.wtns")).Message.ShouldContain("not below the field's modulus");
    }

    [Fact]
    public void An_r1cs_announcing_more_than_it_holds_is_refused_before_allocating()
    {
        var path = Path.Combine(_folder, "huge.r1cs");
        var writer = new BinFileWriter("r1cs", 1);
        var header = writer.Section(1);
        FieldIo.WritePrime<Fr>(header);
        header.U32(4);           // wires
        header.U32(1);           // public outputs
        header.U32(1);           // public inputs
        header.U32(1);           // private inputs
        header.U64(4);           // labels
        header.U32(2_000_000_000); // constraints: 24 GB worth, in a file of a few bytes
        writer.Section(2).U32(0);
        writer.Save(path);
        Should.Throw<InvalidDataException>(() => R1cs.Read(path)).Message.ShouldContain("announces 2000000000 constraints");

        // One constraint whose term count exceeds what is left.
        writer = new BinFileWriter("r1cs", 1);
        header = writer.Section(1);
        FieldIo.WritePrime<Fr>(header);
        header.U32(4); header.U32(1); header.U32(1); header.U32(1); header.U64(4); header.U32(1);
        var body = writer.Section(2);
        body.U32(3); // three terms announced, none present
        body.U32(0); body.U32(0);
        writer.Save(path);
        Should.Throw<InvalidDataException>(() => R1cs.Read(path)).Message.ShouldContain("announces 3 terms");
    }
}
