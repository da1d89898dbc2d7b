using System.Buffers.Binary;
using System.Numerics;

namespace Nexus.State;

/// <summary>Bit i of a 32-byte path, most significant bit of byte 0 first: the direction at depth i.</summary>
internal static class Bits
{
    public const int PathBits = 256;

    public static readonly byte[] Zero32 = new byte[32];

    public static int At(ReadOnlySpan<byte> path, int i) => (path[i >> 3] >> (7 - (i & 7))) & 1;

    public static void Set(Span<byte> path, int i) => path[i >> 3] |= (byte)(0x80 >> (i & 7));

    /// <summary>Index of the first bit where a and b differ, or 256 when they are equal.</summary>
    public static int FirstDifference(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        for (var word = 0; word < 4; word++)
        {
            var x = BinaryPrimitives.ReadUInt64BigEndian(a[(word * 8)..]) ^ BinaryPrimitives.ReadUInt64BigEndian(b[(word * 8)..]);
            if (x != 0) return word * 64 + BitOperations.LeadingZeroCount(x);
        }
        return PathBits;
    }

    public static bool SharePrefix(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, int bits) => FirstDifference(a, b) >= bits;
}
