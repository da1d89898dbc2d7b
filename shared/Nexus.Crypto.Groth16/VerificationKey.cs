using System.Text.Json.Nodes;
using Nexus.Crypto.Groth16.Formats;

namespace Nexus.Crypto.Groth16;

/// <summary>The verification key of a proving key, as <c>snarkjs zkey export verificationkey</c> writes it.</summary>
public static class VerificationKey
{
    /// <summary>
    /// Every field <c>snarkjs groth16 verify</c> reads. snarkjs also writes vk_alphabeta_12 (the pairing
    /// e(α, β), which its verifier does not use); it is left out: this library has no pairing yet.
    /// </summary>
    public static JsonObject ToSnarkJson(ProvingKey key) => new()
    {
        ["protocol"] = "groth16",
        ["curve"] = "bn128",
        ["nPublic"] = key.Public,
        ["vk_alpha_1"] = Proof.G1Json(G1.From(key.Alpha1)),
        ["vk_beta_2"] = Proof.G2Json(G2.From(key.Beta2)),
        ["vk_gamma_2"] = Proof.G2Json(G2.From(key.Gamma2)),
        ["vk_delta_2"] = Proof.G2Json(G2.From(key.Delta2)),
        ["IC"] = new JsonArray([.. key.IC.Select(p => (JsonNode)Proof.G1Json(G1.From(p)))]),
    };
}
