using System.Text;
using System.Text.RegularExpressions;

namespace Nexus.Ethereum;

/// <summary>
/// App ids are short names that travel on-chain as a left-aligned, zero-padded bytes32
/// (the inbox's indexed <c>appId</c>), so a dApp can submit to an app without a registry lookup.
/// </summary>
public static partial class AppIds
{
    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,31}$")]
    private static partial Regex Valid();

    public static bool IsValid(string appId) => Valid().IsMatch(appId);

    public static void EnsureValid(string appId)
    {
        if (!IsValid(appId))
            throw new ArgumentException($"app id '{appId}' is invalid: use 1-32 characters of a-z, 0-9 and '-', starting with a letter or digit");
    }

    public static byte[] ToBytes32(string appId)
    {
        EnsureValid(appId);
        var bytes = new byte[32];
        Encoding.ASCII.GetBytes(appId, bytes);
        return bytes;
    }

    public static string ToTopic(string appId) => "0x" + Convert.ToHexStringLower(ToBytes32(appId));

    /// <summary>Reads a bytes32 app id; returns null when it is not a valid app id (padding, alphabet).</summary>
    public static string? FromBytes32(ReadOnlySpan<byte> bytes32)
    {
        if (bytes32.Length != 32) return null;
        var end = bytes32.IndexOf((byte)0);
        if (end < 0) end = 32;
        if (bytes32[end..].ContainsAnyExcept((byte)0)) return null;
        var text = Encoding.ASCII.GetString(bytes32[..end]);
        return IsValid(text) ? text : null;
    }

    public static string? FromTopic(string topicHex) =>
        Hex.TryDecode(topicHex, out var bytes) ? FromBytes32(bytes) : null;
}
