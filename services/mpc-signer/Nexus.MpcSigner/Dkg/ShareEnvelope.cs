using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Nexus.MpcSigner.Dkg;

/// <summary>
/// Round-two DKG shares travel through the operator's tool, which must not read them: each is
/// encrypted with AES-256-GCM under a key derived (HKDF-SHA256) from an ECDH agreement between the
/// sender's and the recipient's one-time P-256 keys, bound to the session and both identifiers.
/// </summary>
public static class ShareEnvelope
{
    private const int NonceSize = 12;
    private const int TagSize = 16;

    public static ECDiffieHellman NewKey() => ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);

    public static byte[] PublicKey(ECDiffieHellman key) => key.ExportSubjectPublicKeyInfo();

    public static byte[] Seal(ECDiffieHellman own, byte[] peerPublicKey, byte[] session, int from, int to, ReadOnlySpan<byte> share)
    {
        var key = Key(own, peerPublicKey, session, from, to);
        var output = new byte[NonceSize + share.Length + TagSize];
        RandomNumberGenerator.Fill(output.AsSpan(0, NonceSize));
        using var aes = new AesGcm(key, TagSize);
        aes.Encrypt(output.AsSpan(0, NonceSize), share, output.AsSpan(NonceSize, share.Length), output.AsSpan(NonceSize + share.Length), Associated(session, from, to));
        CryptographicOperations.ZeroMemory(key);
        return output;
    }

    public static byte[] Open(ECDiffieHellman own, byte[] peerPublicKey, byte[] session, int from, int to, ReadOnlySpan<byte> sealedShare)
    {
        if (sealedShare.Length < NonceSize + TagSize)
            throw new CryptographicException("encrypted share is too short");
        var key = Key(own, peerPublicKey, session, from, to);
        var plain = new byte[sealedShare.Length - NonceSize - TagSize];
        try
        {
            using var aes = new AesGcm(key, TagSize);
            aes.Decrypt(sealedShare[..NonceSize], sealedShare[NonceSize..^TagSize], sealedShare[^TagSize..], plain, Associated(session, from, to));
            return plain;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    /// <summary>Both directions of a pair share the ECDH secret; the (from, to) info makes their keys differ.</summary>
    private static byte[] Key(ECDiffieHellman own, byte[] peerPublicKey, byte[] session, int from, int to)
    {
        using var peer = ECDiffieHellman.Create();
        peer.ImportSubjectPublicKeyInfo(peerPublicKey, out _);
        using var peerPublic = peer.PublicKey;
        var secret = own.DeriveRawSecretAgreement(peerPublic);
        try
        {
            return HKDF.DeriveKey(HashAlgorithmName.SHA256, secret, 32, session, Associated(session, from, to));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
        }
    }

    private static byte[] Associated(byte[] session, int from, int to)
    {
        var info = new byte["nexus-dkg-share-v1".Length + 4 + session.Length];
        "nexus-dkg-share-v1"u8.CopyTo(info);
        BinaryPrimitives.WriteUInt16BigEndian(info.AsSpan(18), (ushort)from);
        BinaryPrimitives.WriteUInt16BigEndian(info.AsSpan(20), (ushort)to);
        session.CopyTo(info.AsSpan(22));
        return info;
    }
}
