using System.Text.Json.Nodes;
using Nexus.Circuits;
using Nexus.Contracts.Prover;
using Nexus.Crypto.Groth16;
using Nexus.Crypto.Groth16.Formats;

namespace Nexus.IntegrationTests.Infrastructure;

/// <summary>A pool's answer checked by snarkjs, the independent verifier.</summary>
public static class ProofChecks
{
    public static void VerifiesWithSnarkjs(ProvingKey key, ProofReady ready, string folder)
    {
        ready.Error.ShouldBeNull();
        var vk = Path.Combine(folder, $"{ready.JobId}-vk.json");
        var proof = Path.Combine(folder, $"{ready.JobId}-proof.json");
        var pub = Path.Combine(folder, $"{ready.JobId}-public.json");
        File.WriteAllText(vk, VerificationKey.ToSnarkJson(key).ToJsonString());
        File.WriteAllText(proof, ready.Proof!);
        File.WriteAllText(pub, new JsonArray([.. ready.PublicSignals!.Select(s => (JsonNode)s)]).ToJsonString());
        Circom.SnarkjsVerifies(vk, pub, proof).ShouldBeTrue();
    }
}
