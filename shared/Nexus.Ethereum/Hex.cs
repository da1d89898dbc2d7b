namespace Nexus.Ethereum;

/// <summary>0x-prefixed hex as Ethereum JSON-RPC writes it.</summary>
public static class Hex
{
    public static string Encode(ReadOnlySpan<byte> bytes) => "0x" + Convert.ToHexStringLower(bytes);

    public static byte[] Decode(string hex) =>
        TryDecode(hex, out var bytes) ? bytes : throw new FormatException($"not hex: '{Truncate(hex)}'");

    public static bool TryDecode(string? hex, out byte[] bytes)
    {
        bytes = [];
        if (hex is null) return false;
        var digits = hex.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? hex.AsSpan(2) : hex.AsSpan();
        if (digits.Length % 2 != 0) return false;
        try
        {
            bytes = Convert.FromHexString(digits);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    public static string Normalize(string hex) => Encode(Decode(hex));

    private static string Truncate(string s) => s.Length <= 20 ? s : s[..20] + "…";
}
