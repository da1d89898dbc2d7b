using System.Security.Cryptography;
using System.Text;
using NBitcoin.Secp256k1;
using SHA256 = System.Security.Cryptography.SHA256;

namespace Nexus.Crypto.Frost;

/// <summary>
/// FROST(secp256k1, SHA-256) as RFC 9591 §6.5 defines it: the group (SEC1 compressed points,
/// 32-byte big-endian scalars) and the hash functions H1–H5. Curve and scalar arithmetic are
/// NBitcoin.Secp256k1's; only the hashing glue is written here (RFC 9380 expand_message_xmd is not
/// in the library).
/// </summary>
public static class Ciphersuite
{
    public const string ContextString = "FROST-secp256k1-SHA256-v1";
    public const int ScalarSize = 32;
    public const int ElementSize = 33;

    private static readonly byte[] Context = Encoding.ASCII.GetBytes(ContextString);

    /// <summary>H1: binding factors.</summary>
    public static Scalar H1(ReadOnlySpan<byte> m) => HashToScalar(m, "rho");

    /// <summary>H2: the challenge.</summary>
    public static Scalar H2(ReadOnlySpan<byte> m) => HashToScalar(m, "chal");

    /// <summary>H3: nonces.</summary>
    public static Scalar H3(ReadOnlySpan<byte> m) => HashToScalar(m, "nonce");

    /// <summary>H4: the message digest in binding factors.</summary>
    public static byte[] H4(ReadOnlySpan<byte> m) => SHA256.HashData([.. Context, .. "msg"u8, .. m]);

    /// <summary>H5: the commitment list digest in binding factors.</summary>
    public static byte[] H5(ReadOnlySpan<byte> m) => SHA256.HashData([.. Context, .. "com"u8, .. m]);

    /// <summary>
    /// hash_to_field(m, 1) with expand_message_xmd(SHA-256), L = 48, DST = contextString ‖ tag, reduced
    /// mod n with constant-time scalar arithmetic (H3 output is a nonce): the 384-bit value is
    /// hi·2^256 + lo with hi < 2^128, and 2^256 mod n is a constant.
    /// </summary>
    internal static Scalar HashToScalar(ReadOnlySpan<byte> m, string tag)
    {
        var uniform = ExpandMessageXmd(m, [.. Context, .. Encoding.ASCII.GetBytes(tag)], 48);
        Span<byte> hiBytes = stackalloc byte[ScalarSize];
        hiBytes.Clear();
        uniform.AsSpan(0, 16).CopyTo(hiBytes[16..]);
        var lo = new Scalar(uniform.AsSpan(16, 32)); // reduces mod n on its own (the overflow flag is ignored)
        var hi = new Scalar(hiBytes);
        var result = hi.Multiply(TwoTo256ModN).Add(lo);
        CryptographicOperations.ZeroMemory(uniform);
        CryptographicOperations.ZeroMemory(hiBytes);
        return result;
    }

    // 2^256 mod n = 2^256 − n.
    private static readonly Scalar TwoTo256ModN = new(Convert.FromHexString("000000000000000000000000000000014551231950B75FC4402DA1732FC9BEBF"));

    /// <summary>RFC 9380 §5.3.1 expand_message_xmd with SHA-256 (b = 32, s = 64 bytes).</summary>
    public static byte[] ExpandMessageXmd(ReadOnlySpan<byte> msg, ReadOnlySpan<byte> dst, int length)
    {
        if (length is <= 0 or > 255 * 32 || dst.Length > 255)
            throw new ArgumentOutOfRangeException(nameof(length), "expand_message_xmd: length or DST out of range");
        var ell = (length + 31) / 32;
        byte[] dstPrime = [.. dst, (byte)dst.Length];
        byte[] b0 = SHA256.HashData([.. new byte[64], .. msg, (byte)(length >> 8), (byte)length, 0, .. dstPrime]);
        var uniform = new byte[ell * 32];
        var previous = SHA256.HashData([.. b0, 1, .. dstPrime]);
        previous.CopyTo(uniform, 0);
        for (var i = 2; i <= ell; i++)
        {
            var mixed = new byte[32];
            for (var j = 0; j < 32; j++) mixed[j] = (byte)(b0[j] ^ previous[j]);
            previous = SHA256.HashData([.. mixed, (byte)i, .. dstPrime]);
            previous.CopyTo(uniform, (i - 1) * 32);
        }
        return uniform[..length];
    }

    public static byte[] SerializeScalar(in Scalar s) => s.ToBytes();

    /// <summary>32 bytes big-endian, below the group order.</summary>
    public static Scalar DeserializeScalar(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != ScalarSize)
            throw new FrostException($"a scalar is {ScalarSize} bytes, not {bytes.Length}");
        var s = new Scalar(bytes, out var overflow);
        if (overflow != 0)
            throw new FrostException("scalar out of range (≥ the group order)");
        return s;
    }

    /// <summary>SEC1 compressed; the identity has no encoding.</summary>
    public static byte[] SerializeElement(in GE point)
    {
        if (point.IsInfinity)
            throw new FrostException("the identity element cannot be serialized");
        var bytes = new byte[ElementSize];
        ECPubKey.Serialize(point.NormalizeVariable(), true, bytes, out _);
        return bytes;
    }

    /// <summary>Affine coordinates, 32 bytes big-endian each (what the Solidity verifier takes).</summary>
    public static (byte[] X, byte[] Y) Coordinates(in GE point)
    {
        if (point.IsInfinity)
            throw new FrostException("the identity element has no affine coordinates");
        var bytes = new byte[65];
        ECPubKey.Serialize(point.NormalizeVariable(), false, bytes, out _);
        return (bytes[1..33], bytes[33..65]);
    }

    /// <summary>A SEC1 compressed point on the curve, not the identity.</summary>
    public static GE DeserializeElement(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != ElementSize || (bytes[0] != 2 && bytes[0] != 3) || !GE.TryParse(bytes, out var point) || point.IsInfinity)
            throw new FrostException("not a compressed secp256k1 point");
        return point;
    }
}

/// <summary>Malformed input or a failed check in the FROST protocol.</summary>
public class FrostException(string message) : Exception(message);
