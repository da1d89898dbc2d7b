using System.Text.Json;
using System.Text.Json.Serialization;

namespace Nexus.Crypto.Frost;

/// <summary>
/// A signer committee's public side, as the DKG left it: group key, threshold, every member's
/// verifying share (to identify a bad share) and the DKG transcript digest all members agreed on.
/// Public data; the coordinator reads it, operators publish the group key.
/// </summary>
public sealed record Committee(PublicKeyPackage Public, int MinSigners, byte[] Transcript)
{
    public int MaxSigners => Public.VerifyingShares.Count;

    /// <summary>The group key as 33-byte compressed hex (what the settlement contract is configured with).</summary>
    public string GroupPublicKeyHex => "0x" + Convert.ToHexStringLower(Ciphersuite.SerializeElement(Public.GroupPublicKey));
}

/// <summary>The committee as a readable JSON file; the versioned binary package inside is the authority.</summary>
public static class CommitteeFile
{
    private sealed record Json(
        [property: JsonPropertyName("version")] int Version,
        [property: JsonPropertyName("groupPublicKey")] string GroupPublicKey,
        [property: JsonPropertyName("minSigners")] int MinSigners,
        [property: JsonPropertyName("maxSigners")] int MaxSigners,
        [property: JsonPropertyName("transcript")] string Transcript,
        [property: JsonPropertyName("publicKeyPackage")] string PublicKeyPackage);

    public static string Serialize(Committee c) => JsonSerializer.Serialize(new Json(1, c.GroupPublicKeyHex, c.MinSigners, c.MaxSigners,
        "0x" + Convert.ToHexStringLower(c.Transcript), "0x" + Convert.ToHexStringLower(FrostEncoding.Encode(c.Public))), new JsonSerializerOptions { WriteIndented = true });

    public static Committee Parse(string text)
    {
        Json json;
        try
        {
            json = JsonSerializer.Deserialize<Json>(text) ?? throw new FrostException("committee file: empty");
        }
        catch (JsonException e)
        {
            throw new FrostException($"committee file: not valid JSON ({e.Message})");
        }
        if (json.Version != 1)
            throw new FrostException($"committee file: version {json.Version} is not supported");
        var package = FrostEncoding.DecodePublicKeyPackage(Hex(json.PublicKeyPackage, "publicKeyPackage"));
        var committee = new Committee(package, json.MinSigners, Hex(json.Transcript, "transcript"));
        if (json.MinSigners < 2 || json.MinSigners > committee.MaxSigners || json.MaxSigners != committee.MaxSigners)
            throw new FrostException($"committee file: threshold {json.MinSigners} of {json.MaxSigners} does not fit {committee.MaxSigners} verifying shares");
        if (!string.Equals(committee.GroupPublicKeyHex, json.GroupPublicKey, StringComparison.OrdinalIgnoreCase))
            throw new FrostException("committee file: groupPublicKey does not match the public key package");
        return committee;
    }

    public static Committee Read(string path) => File.Exists(path)
        ? Parse(File.ReadAllText(path))
        : throw new FrostException($"committee file '{path}' does not exist (run `nexus signers dkg` first)");

    private static byte[] Hex(string? value, string field)
    {
        try
        {
            return Convert.FromHexString(value is { } v && v.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? v[2..] : value ?? "");
        }
        catch (FormatException)
        {
            throw new FrostException($"committee file: {field} is not hex");
        }
    }
}
