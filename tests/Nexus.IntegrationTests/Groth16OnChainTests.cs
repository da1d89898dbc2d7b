using System.Numerics;
using System.Text.Json;
using Nexus.Crypto.Bn254;
using Nexus.Crypto.Groth16;
using Nexus.Crypto.Groth16.Formats;
using Nexus.Circuits;
using Nexus.Ethereum.Artifacts;
using Nexus.LocalDev.Chain;
using Nexus.IntegrationTests.Infrastructure;

namespace Nexus.IntegrationTests;

/// <summary>
/// Proofs from our prover checked by the verifier contract <c>snarkjs zkey export solidityverifier</c>
/// writes for our dev-ceremony key, on the dev node (the EVM's BN254 pairing precompile), for circuits
/// of several sizes and shapes (Poseidon Merkle inclusion, Poseidon hash, a squaring chain with a
/// public input and output).
/// </summary>
public sealed class Groth16OnChainTests
{
    public static TheoryData<string, string> Circuits() => new()
    {
        { "merkle_3", """{"leaf": "5", "siblings": ["6", "7", "8"], "pathBits": ["0", "1", "0"]}""" },
        { "poseidon_2", """{"inputs": ["11", "12"]}""" },
        { "chain_1000", """{"x": "2", "k": "3"}""" },
    };

    [Theory]
    [MemberData(nameof(Circuits))]
    public async Task The_snarkjs_Solidity_verifier_accepts_our_proofs_and_rejects_tampered_ones(string name, string input)
    {
        var circuit = name switch
        {
            "poseidon_2" => Circom.Poseidon(2),
            _ when name.StartsWith("chain_") => Circom.Chain(int.Parse(name[6..])),
            _ => Circom.Merkle(int.Parse(name[7..])),
        };
        var key = DevCeremony.Setup(R1cs.Read(circuit.R1csPath));
        var zkeyPath = Path.Combine(circuit.Folder, "onchain.zkey");
        ZKeyFile.Write(zkeyPath, key);
        var solFolder = Directory.CreateDirectory(Path.Combine(circuit.Folder, "verifier")).FullName;
        Circom.Snarkjs("zkey", "export", "solidityverifier", zkeyPath, Path.Combine(solFolder, "Groth16Verifier.sol"));
        Circom.Node("contracts/solidity/compile.js", Path.Combine(solFolder, "out"), solFolder);
        using var artifactJson = JsonDocument.Parse(File.ReadAllText(Path.Combine(solFolder, "out", "Groth16Verifier.json")));
        var artifact = new SolidityArtifact("Groth16Verifier", artifactJson.RootElement.GetProperty("abi").GetRawText(),
            artifactJson.RootElement.GetProperty("bytecode").GetString()!);

        var dapp = new DappClient(LocalInfra.RpcUrl, DevAccounts.HardhatAccount0Key, DevAccounts.DevChainId);
        var receipt = await artifact.DeployAsync(dapp.Web3, dapp.Account.Address);
        var verifier = dapp.Web3.Eth.GetContract(artifact.Abi, receipt.ContractAddress);
        var verify = verifier.GetFunction("verifyProof");

        var witness = WitnessFile.Read(Circom.Witness(circuit, input, "onchain"));
        var proof = Groth16Prover.Prove(key, witness);
        var signals = Groth16Prover.PublicSignals(key, witness).Select(s => s.ToBigInteger()).ToArray();

        async Task<bool> Verify(Proof p, BigInteger[] pub)
        {
            var (pa, pb, pc) = p.ToSolidityArguments();
            return await verify.CallAsync<bool>(pa.ToList(), pb.Select(x => x.ToList()).ToList(), pc.ToList(), pub.ToList());
        }

        (await Verify(proof, signals)).ShouldBeTrue();
        var gas = await verify.EstimateGasAsync(ToArgs(proof, signals));
        gas.Value.ShouldBeLessThan(300_000); // the published Groth16 figure is ≈ 200–270k

        (await Verify(proof, [signals[0] + 1, .. signals[1..]])).ShouldBeFalse();
        (await Verify(proof with { A = proof.A + G1.Generator }, signals)).ShouldBeFalse();
        (await Verify(proof with { B = proof.B + G2.Generator }, signals)).ShouldBeFalse();
        (await Verify(proof with { C = proof.C.Negate() }, signals)).ShouldBeFalse();
        // A second proof of the same statement (fresh blinding) verifies too.
        (await Verify(Groth16Prover.Prove(key, witness), signals)).ShouldBeTrue();
    }

    private static object[] ToArgs(Proof p, BigInteger[] pub)
    {
        var (pa, pb, pc) = p.ToSolidityArguments();
        return [pa.ToList(), pb.Select(x => x.ToList()).ToList(), pc.ToList(), pub.ToList()];
    }
}
