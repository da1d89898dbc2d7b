using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Nexus.Crypto.Frost;

/// <summary>
/// A signer's key package encrypted at rest: AES-256-GCM under a key derived from a passphrase with
/// PBKDF2-HMAC-SHA256 (600,000 iterations, random 16-byte salt), the header authenticated as
/// associated data. Layout: "NXKS" ‖ version 1 ‖ u32 iterations ‖ salt(16) ‖ nonce(12) ‖ tag(16) ‖
/// ciphertext. The passphrase comes from the environment or a file, never from the share file.
/// </summary>
public static class KeyShareFile
{
    private static readonly byte[] Magic = "NXKS"u8.ToArray();
    private const byte FormatVersion = 1;
    public const int DefaultIterations = 600_000;
    public const int MinIterations = 10_000;
    private const int MaxIterations = 10_000_000;
    private const int HeaderSize = 4 + 1 + 4 + 16 + 12;

    public static byte[] Seal(KeyPackage key, string passphrase, int iterations = DefaultIterations)
    {
        if (string.IsNullOrEmpty(passphrase))
            throw new FrostException("a key share needs a non-empty passphrase");
        if (iterations is < MinIterations or > MaxIterations)
            throw new FrostException($"PBKDF2 iterations must be between {MinIterations:N0} and {MaxIterations:N0}");
        var plaintext = FrostEncoding.Encode(key);
        var salt = RandomNumberGenerator.GetBytes(16);
        var nonce = RandomNumberGenerator.GetBytes(12);
        var header = new byte[HeaderSize];
        Magic.CopyTo(header, 0);
        header[4] = FormatVersion;
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(5), (uint)iterations);
        salt.CopyTo(header, 9);
        nonce.CopyTo(header, 25);
        var aesKey = DeriveKey(passphrase, salt, iterations);
        try
        {
            var ciphertext = new byte[plaintext.Length];
            var tag = new byte[16];
            using (var aes = new AesGcm(aesKey, 16))
                aes.Encrypt(nonce, plaintext, ciphertext, tag, header);
            return [.. header, .. tag, .. ciphertext];
        }
        finally
        {
            CryptographicOperations.ZeroMemory(aesKey);
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }

    public static KeyPackage Open(ReadOnlySpan<byte> file, string passphrase)
    {
        if (file.Length < HeaderSize + 16 || !file[..4].SequenceEqual(Magic))
            throw new FrostException("not a Nexus key share file");
        if (file[4] != FormatVersion)
            throw new FrostException($"key share file format {file[4]} is not supported (expected {FormatVersion})");
        var iterations = (int)BinaryPrimitives.ReadUInt32BigEndian(file[5..]);
        if (iterations is < MinIterations or > MaxIterations)
            throw new FrostException($"key share file: implausible iteration count {iterations}");
        var header = file[..HeaderSize];
        var aesKey = DeriveKey(passphrase, file.Slice(9, 16).ToArray(), iterations);
        var plaintext = new byte[file.Length - HeaderSize - 16];
        try
        {
            using (var aes = new AesGcm(aesKey, 16))
                aes.Decrypt(file.Slice(25, 12), file[(HeaderSize + 16)..], file.Slice(HeaderSize, 16), plaintext, header);
            return FrostEncoding.DecodeKeyPackage(plaintext);
        }
        catch (AuthenticationTagMismatchException)
        {
            throw new FrostException("key share file: wrong passphrase, or the file was altered");
        }
        finally
        {
            CryptographicOperations.ZeroMemory(aesKey);
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }

    private static byte[] DeriveKey(string passphrase, byte[] salt, int iterations)
    {
        // NFC: the same passphrase typed on another system must give the same key.
        var bytes = Encoding.UTF8.GetBytes(passphrase.Normalize(NormalizationForm.FormC));
        try
        {
            return Rfc2898DeriveBytes.Pbkdf2(bytes, salt, iterations, HashAlgorithmName.SHA256, 32);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }
}
