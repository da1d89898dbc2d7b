using System.Text;
using Nethereum.ABI.FunctionEncoding.Attributes;
using Nethereum.Util;
using Nexus.Ethereum.Artifacts;
using Nexus.LocalDev.Chain;
using Nexus.IntegrationTests.Infrastructure;
using Nexus.State;
using Xunit.Abstractions;

namespace Nexus.IntegrationTests;

/// <summary>
/// State proofs are protocol: the executor proves in C#, settlement will verify in the EVM. The EVM's own
/// keccak256 and bit arithmetic (StateProof.sol) are the independent implementation here.
/// </summary>
public sealed class StateProofOnChainTests(ITestOutputHelper output)
{
    [Fact]
    public async Task The_EVM_accepts_exactly_the_proofs_the_tree_accepts()
    {
        var dapp = new DappClient(LocalInfra.RpcUrl, DevAccounts.HardhatAccount0Key, DevAccounts.DevChainId);
        var address = await dapp.DeployAsync("StateProofChecker");
        var checker = dapp.Web3.Eth.GetContract(SolidityArtifact.Load("StateProofChecker").Abi, address);

        var random = new Random(17);
        byte[] RandomBytes(int length) { var b = new byte[length]; random.NextBytes(b); return b; }
        var tree = new StateTree();
        var keys = new List<byte[]>();
        for (var i = 0; i < 300; i++)
        {
            var key = RandomBytes(random.Next(1, 40));
            tree.Set(key, RandomBytes(random.Next(0, 70)));
            keys.Add(key);
        }
        var root = tree.Root;

        // The empty tree: everything is absent.
        var empty = new StateTree().Prove([1, 2, 3]);
        (await Check(checker, new byte[32], empty)).ShouldBeTrue("empty tree");

        var checkedTerminals = new HashSet<StateProofTerminal>();
        foreach (var key in keys.Take(12))
        {
            var proof = tree.Prove(key);
            proof.VerifyInclusion(root, out _).ShouldBeTrue();
            (await Check(checker, root, proof)).ShouldBeTrue("inclusion");
            await ShouldAllBeRejected(checker, root, proof);
        }
        for (var found = 0; checkedTerminals.Count < 2 || found < 12; found++)
        {
            var proof = tree.Prove(RandomBytes(8));
            proof.VerifyExclusion(root).ShouldBeTrue();
            (await Check(checker, root, proof)).ShouldBeTrue($"exclusion ending on {proof.Terminal}");
            await ShouldAllBeRejected(checker, root, proof);
            checkedTerminals.Add(proof.Terminal);
        }

        // Changed state: the old proof no longer holds, the new one does.
        var changed = keys[0];
        var before = tree.Prove(changed);
        tree.Set(changed, [9, 9]);
        (await Check(checker, tree.Root, before)).ShouldBeFalse("stale proof");
        (await Check(checker, tree.Root, tree.Prove(changed))).ShouldBeTrue("fresh proof");
    }

    [Fact]
    public async Task An_exclusion_leaf_must_share_the_walked_prefix_with_the_key()
    {
        var dapp = new DappClient(LocalInfra.RpcUrl, DevAccounts.HardhatAccount0Key, DevAccounts.DevChainId);
        var checker = dapp.Web3.Eth.GetContract(SolidityArtifact.Load("StateProofChecker").Abi, await dapp.DeployAsync("StateProofChecker"));
        byte[] Keccak(params byte[][] parts) => Sha3Keccack.Current.CalculateHash(parts.SelectMany(p => p).ToArray());

        // Hand-made (non-canonical) roots with "a"'s leaf one level down. keccak("a") = 0b0011…,
        // keccak("c") = 0b0000… (same bit 0), keccak("b") = 0b1011… (other bit 0).
        var path = Keccak(Encoding.UTF8.GetBytes("a"));
        var valueHash = Keccak([1]);
        var leaf = Keccak([0x00], path, valueHash);
        var onLeft = Keccak([0x01], leaf, new byte[32]);
        var onRight = Keccak([0x01], new byte[32], leaf);
        StateProof Absent(string key) => new(Encoding.UTF8.GetBytes(key), [new byte[32]], StateProofTerminal.Leaf, path, valueHash, null);

        foreach (var (root, key, expected) in new[] { (onLeft, "c", true), (onRight, "b", false), (onLeft, "b", false), (onRight, "c", false) })
        {
            Absent(key).Verify(root).ShouldBe(expected, $"C#: {key}");
            (await Check(checker, root, Absent(key))).ShouldBe(expected, $"EVM: {key}");
        }
    }

    [Fact]
    public async Task Verification_costs_a_few_hundred_gas_per_level()
    {
        var dapp = new DappClient(LocalInfra.RpcUrl, DevAccounts.HardhatAccount0Key, DevAccounts.DevChainId);
        var checker = dapp.Web3.Eth.GetContract(SolidityArtifact.Load("StateProofChecker").Abi, await dapp.DeployAsync("StateProofChecker"));
        var random = new Random(18);
        foreach (var n in new[] { 1_000, 100_000 })
        {
            var tree = new StateTree();
            var key = new byte[32];
            var value = new byte[32];
            for (var i = 0; i < n; i++)
            {
                random.NextBytes(key);
                random.NextBytes(value);
                tree.Set(key, value);
            }
            var root = tree.Root;
            var inclusion = tree.Prove(key);
            var exclusion = tree.Prove(new byte[32]);
            var includeGas = await checker.GetFunction("verifyInclusion").EstimateGasAsync(root, inclusion.Key, inclusion.Value, inclusion.Siblings.ToList());
            var excludeGas = await checker.GetFunction("verifyExclusion").EstimateGasAsync(root, exclusion.Key, exclusion.Terminal == StateProofTerminal.Leaf,
                exclusion.LeafPath ?? new byte[32], exclusion.LeafValueHash ?? new byte[32], exclusion.Siblings.ToList());
            var execution = await checker.GetFunction("inclusionGas").CallDeserializingToObjectAsync<InclusionGas>(root, inclusion.Key, inclusion.Value, inclusion.Siblings.ToList());
            execution.Ok.ShouldBeTrue();
            output.WriteLine($"n={n}: inclusion with {inclusion.Siblings.Count} siblings: {execution.GasUsed} gas to execute, {includeGas.Value} as a transaction; " +
                $"exclusion with {exclusion.Siblings.Count} siblings: {excludeGas.Value} as a transaction (21000 base and calldata included)");
            // About a keccak and a few memory words per level; a regression (say, memory growth per level) shows here.
            ((long)execution.GasUsed).ShouldBeLessThan(3_000 + 300 * inclusion.Siblings.Count);
        }
    }

    [FunctionOutput]
    private sealed class InclusionGas : IFunctionOutputDTO
    {
        [Parameter("bool", "ok", 1)] public bool Ok { get; set; }
        [Parameter("uint256", "gasUsed", 2)] public System.Numerics.BigInteger GasUsed { get; set; }
    }

    /// <summary>Tampered variants: C# and the EVM both reject each one.</summary>
    private static async Task ShouldAllBeRejected(Nethereum.Contracts.Contract checker, byte[] root, StateProof proof)
    {
        var tampered = new List<(string What, StateProof Proof)>();
        var key = proof.Key.ToArray();
        key[^1] ^= 1;
        tampered.Add(("key", proof with { Key = key }));
        if (proof.Siblings.Count > 0)
        {
            var siblings = proof.Siblings.Select(s => s.ToArray()).ToList();
            siblings[^1][31] ^= 0x80;
            tampered.Add(("sibling", proof with { Siblings = siblings }));
            tampered.Add(("dropped sibling", proof with { Siblings = proof.Siblings.Skip(1).ToList() }));
        }
        tampered.Add(("extra sibling", proof with { Siblings = [.. proof.Siblings, new byte[32]] }));
        if (proof.IsInclusion)
        {
            tampered.Add(("value", proof with { Value = [.. proof.Value!, 0] }));
            tampered.Add(("inclusion as exclusion", proof with { Value = null }));
        }
        else
        {
            tampered.Add(("exclusion as inclusion", proof with { Value = [] }));
            if (proof.Terminal == StateProofTerminal.Leaf)
            {
                var valueHash = proof.LeafValueHash!.ToArray();
                valueHash[0] ^= 1;
                tampered.Add(("leaf value hash", proof with { LeafValueHash = valueHash }));
                tampered.Add(("leaf dropped", proof with { Terminal = StateProofTerminal.Empty, LeafPath = null, LeafValueHash = null }));
            }
            else
            {
                tampered.Add(("leaf invented", proof with { Terminal = StateProofTerminal.Leaf, LeafPath = new byte[32], LeafValueHash = new byte[32] }));
            }
        }
        foreach (var (what, bad) in tampered)
        {
            bad.Verify(root).ShouldBeFalse($"C#: {what}");
            (await Check(checker, root, bad)).ShouldBeFalse($"EVM: {what}");
        }
    }

    /// <summary>Asks the contract about the proof's claim: verifyInclusion when it carries a value, else verifyExclusion.</summary>
    private static Task<bool> Check(Nethereum.Contracts.Contract checker, byte[] root, StateProof proof)
    {
        var siblings = proof.Siblings.ToList();
        return proof.IsInclusion
            ? checker.GetFunction("verifyInclusion").CallAsync<bool>(root, proof.Key, proof.Value, siblings)
            : checker.GetFunction("verifyExclusion").CallAsync<bool>(root, proof.Key, proof.Terminal == StateProofTerminal.Leaf,
                proof.LeafPath ?? new byte[32], proof.LeafValueHash ?? new byte[32], siblings);
    }
}
