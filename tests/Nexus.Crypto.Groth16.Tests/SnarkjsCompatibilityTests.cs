using Nexus.Circuits;
using System.Text.Json.Nodes;
using Nexus.Crypto.Groth16.Formats;

namespace Nexus.Crypto.Groth16.Tests;

/// <summary>
/// Our prover and dev ceremony against snarkjs 0.7.6 as the independent implementation: proofs made here
/// verify with <c>snarkjs groth16 verify</c>, snarkjs proves with our keys, we prove with snarkjs's keys,
/// and tampering is caught.
/// </summary>
public sealed class SnarkjsCompatibilityTests
{
    private static string Save(string folder, string name, JsonNode json)
    {
        var path = Path.Combine(folder, name);
        File.WriteAllText(path, json.ToJsonString());
        return path;
    }

    public static TheoryData<string, string> Circuits() => new()
    {
        { "chain_20", """{"x": "3", "k": "7"}""" },
        { "chain_1000", """{"x": "5", "k": "11"}""" },
        { "poseidon_2", """{"inputs": ["1", "2"]}""" },
        { "merkle_4", """{"leaf": "42", "siblings": ["1", "2", "3", "4"], "pathBits": ["0", "1", "1", "0"]}""" },
    };

    private static CompiledCircuit Circuit(string name) => name switch
    {
        "poseidon_2" => Circom.Poseidon(2),
        _ when name.StartsWith("chain_") => Circom.Chain(int.Parse(name[6..])),
        _ when name.StartsWith("merkle_") => Circom.Merkle(int.Parse(name[7..])),
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(Circuits))]
    public void Proofs_from_a_dev_ceremony_key_verify_with_snarkjs_and_tampering_is_rejected(string name, string input)
    {
        var circuit = Circuit(name);
        var r1cs = R1cs.Read(circuit.R1csPath);
        var witness = WitnessFile.Read(Circom.Witness(circuit, input, "ok"));
        r1cs.FirstViolation(witness).ShouldBeNull();

        var key = DevCeremony.Setup(r1cs);
        var zkeyPath = Path.Combine(circuit.Folder, "dev.zkey");
        ZKeyFile.Write(zkeyPath, key);
        var proof = Groth16Prover.Prove(ZKeyFile.Read(zkeyPath), witness);
        var signals = Groth16Prover.PublicSignals(key, witness);

        var vk = Save(circuit.Folder, "dev_vk.json", VerificationKey.ToSnarkJson(key));
        var proofJson = Save(circuit.Folder, "proof.json", proof.ToSnarkJson());
        var publicJson = Save(circuit.Folder, "public.json", PublicSignals.ToJson(signals));
        Circom.SnarkjsVerifies(vk, publicJson, proofJson).ShouldBeTrue();

        // A public signal off by one, and a proof with π_A and π_C swapped or π_C moved, are refused.
        var wrongSignals = signals.ToArray();
        wrongSignals[0] += Scalar.One;
        Circom.SnarkjsVerifies(vk, Save(circuit.Folder, "public_bad.json", PublicSignals.ToJson(wrongSignals)), proofJson).ShouldBeFalse();
        var moved = proof with { C = proof.C + G1.Generator };
        Circom.SnarkjsVerifies(vk, publicJson, Save(circuit.Folder, "proof_bad.json", moved.ToSnarkJson())).ShouldBeFalse();
        var swapped = proof with { A = proof.C, C = proof.A };
        Circom.SnarkjsVerifies(vk, publicJson, Save(circuit.Folder, "proof_bad2.json", swapped.ToSnarkJson())).ShouldBeFalse();

        // The JSON round-trips.
        Proof.FromSnarkJson(proof.ToSnarkJson()).ShouldBe(proof);
    }

    [Fact]
    public void Snarkjs_reads_our_dev_key_the_same_way_and_proves_with_it()
    {
        var circuit = Circom.Merkle(2);
        var key = DevCeremony.Setup(R1cs.Read(circuit.R1csPath));
        var zkeyPath = Path.Combine(circuit.Folder, "dev_for_snarkjs.zkey");
        ZKeyFile.Write(zkeyPath, key);

        // snarkjs's own export of our key equals ours (it adds e(α, β), which its verifier does not use).
        var snarkVkPath = Path.Combine(circuit.Folder, "snark_vk.json");
        Circom.Snarkjs("zkey", "export", "verificationkey", zkeyPath, snarkVkPath);
        var snarkVk = JsonNode.Parse(File.ReadAllText(snarkVkPath))!.AsObject();
        snarkVk.Remove("vk_alphabeta_12");
        JsonNode.DeepEquals(snarkVk, VerificationKey.ToSnarkJson(key)).ShouldBeTrue();

        // snarkjs proves with our key; its proof verifies.
        var wtns = Circom.Witness(circuit, """{"leaf": "7", "siblings": ["8", "9"], "pathBits": ["1", "0"]}""", "snark");
        var proofPath = Path.Combine(circuit.Folder, "snark_proof.json");
        var publicPath = Path.Combine(circuit.Folder, "snark_public.json");
        Circom.Snarkjs("groth16", "prove", zkeyPath, wtns, proofPath, publicPath);
        Circom.SnarkjsVerifies(snarkVkPath, publicPath, proofPath).ShouldBeTrue();
        PublicSignals.FromJson(JsonNode.Parse(File.ReadAllText(publicPath))!).ShouldBe(Groth16Prover.PublicSignals(key, WitnessFile.Read(wtns)));
    }

    [Fact]
    public void We_prove_with_a_key_from_snarkjs_setup_and_the_proof_verifies()
    {
        var circuit = Circom.Chain(100);
        var zkeyPath = Path.Combine(circuit.Folder, "snarkjs.zkey");
        if (!File.Exists(zkeyPath))
        {
            Circom.Snarkjs("groth16", "setup", circuit.R1csPath, Circom.Ptau(8), zkeyPath + ".0");
            // One phase-2 contribution, so δ is not the generator.
            Circom.Snarkjs("zkey", "contribute", zkeyPath + ".0", zkeyPath, "--name=test", "-e=phase two entropy");
        }
        var vkPath = Path.Combine(circuit.Folder, "snarkjs_vk.json");
        Circom.Snarkjs("zkey", "export", "verificationkey", zkeyPath, vkPath);

        var key = ZKeyFile.Read(zkeyPath);
        var witness = WitnessFile.Read(Circom.Witness(circuit, """{"x": "2", "k": "1"}""", "snarkkey"));
        var proof = Groth16Prover.Prove(key, witness);
        var proofJson = Save(circuit.Folder, "ours_with_snarkjs_key.json", proof.ToSnarkJson());
        var publicJson = Save(circuit.Folder, "ours_with_snarkjs_key_public.json", PublicSignals.ToJson(Groth16Prover.PublicSignals(key, witness)));
        Circom.SnarkjsVerifies(vkPath, publicJson, proofJson).ShouldBeTrue();

        // Reading and rewriting the key changes no byte.
        var copy = Path.Combine(circuit.Folder, "snarkjs_copy.zkey");
        ZKeyFile.Write(copy, key);
        File.ReadAllBytes(copy).ShouldBe(File.ReadAllBytes(zkeyPath));
    }

    [Fact]
    public void Solidity_calldata_matches_snarkjs()
    {
        var circuit = Circom.Chain(20);
        var key = DevCeremony.Setup(R1cs.Read(circuit.R1csPath));
        var witness = WitnessFile.Read(Circom.Witness(circuit, """{"x": "4", "k": "9"}""", "calldata"));
        var proof = Groth16Prover.Prove(key, witness);
        var signals = Groth16Prover.PublicSignals(key, witness);
        var proofJson = Save(circuit.Folder, "calldata_proof.json", proof.ToSnarkJson());
        var publicJson = Save(circuit.Folder, "calldata_public.json", PublicSignals.ToJson(signals));
        var snark = Circom.Snarkjs("zkey", "export", "soliditycalldata", publicJson, proofJson).Trim();
        proof.ToSolidityCalldata(signals).ShouldBe(snark);
    }
}
