using System.Numerics;
using Nexus.Crypto.Bn254;

namespace Nexus.Crypto.Groth16.Formats;

/// <summary>Field elements and the prime headers of the iden3 formats (32-byte little-endian words).</summary>
internal static class FieldIo
{
    public const int N8 = 32;

    /// <summary>Reads "n8 (u32), prime (n8 bytes)" and insists on the given BN254 field.</summary>
    public static void ExpectPrime<M>(SectionReader reader, string what) where M : struct, IModulus
    {
        var n8 = reader.U32();
        if (n8 != N8)
            throw reader.Error($"{what} elements are {n8} bytes; only BN254 (32-byte elements) is supported");
        var prime = new BigInteger(reader.Bytes(N8), isUnsigned: true, isBigEndian: false);
        if (prime != Element<M>.Modulus)
            throw reader.Error($"{what} prime is {prime}, not BN254's {Element<M>.Modulus} (compile the circuit with circom's default bn128 prime)");
    }

    public static void WritePrime<M>(SectionWriter writer) where M : struct, IModulus
    {
        writer.U32(N8);
        var bytes = new byte[N8];
        Element<M>.Modulus.TryWriteBytes(bytes, out _, isUnsigned: true, isBigEndian: false);
        writer.Bytes(bytes);
    }

    /// <summary>
    /// One element; <paramref name="what"/> names it in the error, with its <paramref name="index"/> and
    /// <paramref name="part"/> when given (e.g. "A[12].x"). The name is put together only on error: files
    /// hold millions of elements, and formatting a name for each took a third of a key's load.
    /// </summary>
    public static Element<M> Read<M>(SectionReader reader, bool montgomery, string what, long index = -1, string part = "") where M : struct, IModulus =>
        Element<M>.TryReadLittleEndian(reader.Bytes(N8), montgomery, out var value)
            ? value
            : throw reader.Error($"{Name(what, index, part)} is not below the field's modulus");

    public static string Name(string what, long index, string part) => index < 0 ? what + part : $"{what}[{index}]{part}";

    public static void Write<M>(SectionWriter writer, Element<M> value, bool montgomery) where M : struct, IModulus
    {
        Span<byte> b = stackalloc byte[N8];
        value.WriteLittleEndian(b, montgomery);
        writer.Bytes(b);
    }
}
