using System.CommandLine;
using System.Diagnostics;
using Nethereum.Merkle.Patricia;
using Nexus.State;

namespace Nexus.Bench.State;

/// <summary>
/// The state tree (shared/Nexus.State) in one process, no infrastructure: random 32-byte keys and
/// values written in blocks of 100 with the root computed after each block (what the executor does per
/// app block), then updates, reads, proofs, persistence; and the same writes into Nethereum's
/// Merkle Patricia trie (the Ethereum state-trie construction) as the comparison.
/// </summary>
public static class StateBench
{
    private const int BlockSize = 100;

    public static Command Command()
    {
        var keys = new Option<int[]>("--keys")
        {
            Description = "tree sizes to measure (random 32-byte keys and values)",
            DefaultValueFactory = _ => [10_000, 100_000],
            AllowMultipleArgumentsPerToken = true,
        };
        var command = new Command("state", "state tree: writes/s (root per block of 100), reads/s, proofs/s, vs. Nethereum's Patricia trie; no infrastructure") { keys };
        command.SetAction(p => Run(p.GetValue(keys)!));
        return command;
    }

    public static int Run(int[] sizes)
    {
        Console.WriteLine($"nexus-bench state: blocks of {BlockSize} writes, root after each block; {Environment.ProcessorCount} cores, " +
            $"{(Debugger.IsAttached ? "debugger attached" : "no debugger")}, server GC {System.Runtime.GCSettings.IsServerGC}");
        // Warm-up, twice with a pause: tiered JIT promotes hot methods in the background only after a
        // quiet 100 ms, and the first figure should be neither side's tier-0 code.
        for (var round = 0; round < 2; round++)
        {
            Measure(Generate(20_000, 99), quiet: true);
            Thread.Sleep(500);
        }
        foreach (var n in sizes) Measure(Generate(n, n), quiet: false);
        return 0;
    }

    private static (byte[] Key, byte[] Value)[] Generate(int n, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, n).Select(_ =>
        {
            var key = new byte[32];
            var value = new byte[32];
            random.NextBytes(key);
            random.NextBytes(value);
            return (key, value);
        }).ToArray();
    }

    private static void Measure((byte[] Key, byte[] Value)[] entries, bool quiet)
    {
        var n = entries.Length;
        var random = new Random(n + 1);
        void Line(string text) { if (!quiet) Console.WriteLine(text); }
        Line($"\n  n = {n:N0}");

        // Inserts: n new keys.
        var tree = new StateTree();
        var (insertSeconds, insertAlloc) = Time(() => Blocks(n, i => tree.Set(entries[i].Key, entries[i].Value), () => _ = tree.Root));
        var smtInserts = n / insertSeconds;
        Line($"    SMT  insert          {smtInserts,12:N0} writes/s   {1e6 / smtInserts,7:N2} µs/write   {insertAlloc / n,6:N0} B allocated/write");

        // Updates: n writes to existing keys, new values.
        var newValue = new byte[32];
        var (updateSeconds, updateAlloc) = Time(() => Blocks(n, _ =>
        {
            random.NextBytes(newValue);
            tree.Set(entries[random.Next(n)].Key, newValue);
        }, () => _ = tree.Root));
        Line($"    SMT  update          {n / updateSeconds,12:N0} writes/s   {1e6 * updateSeconds / n,7:N2} µs/write   {updateAlloc / n,6:N0} B allocated/write");

        // Reads: existing keys, then absent ones.
        var hits = 0;
        var (readSeconds, _) = Time(() => { for (var i = 0; i < n; i++) hits += tree.TryGet(entries[random.Next(n)].Key, out _) ? 1 : 0; });
        if (hits != n) throw new InvalidOperationException("a read missed");
        Line($"    SMT  read            {n / readSeconds,12:N0} reads/s    {1e6 * readSeconds / n,7:N3} µs/read");

        // Proofs of present keys at the current root, and their verification.
        var root = tree.Root;
        var proofs = new StateProof[Math.Min(n, 20_000)];
        var (proveSeconds, _) = Time(() => { for (var i = 0; i < proofs.Length; i++) proofs[i] = tree.Prove(entries[random.Next(n)].Key); });
        var (verifySeconds, _) = Time(() => { foreach (var p in proofs) if (!p.Verify(root)) throw new InvalidOperationException("a proof failed"); });
        var siblings = proofs.Average(p => p.Siblings.Count);
        Line($"    SMT  prove           {proofs.Length / proveSeconds,12:N0} proofs/s   {1e6 * proveSeconds / proofs.Length,7:N2} µs/proof   " +
             $"{siblings:N1} siblings on average (log2 n = {Math.Log2(n):N1}), max {proofs.Max(p => p.Siblings.Count)}; " +
             $"~{32 * siblings + 64:N0} B + key + value");
        Line($"    SMT  verify (C#)     {proofs.Length / verifySeconds,12:N0} proofs/s   {1e6 * verifySeconds / proofs.Length,7:N2} µs/proof");

        // Persistence: every node once (a fresh store), then a reload through a dictionary "database".
        var store = new Dictionary<string, byte[]>();
        var fresh = new StateTree();
        foreach (var (key, value) in entries) fresh.Set(key, value);
        var (takeSeconds, _) = Time(() => { foreach (var node in fresh.TakeNewNodes()) store[Convert.ToHexString(node.Hash)] = node.Body; });
        var levels = 0;
        StateTree? loaded = null;
        var (loadSeconds, _) = Time(() => loaded = StateTree.Load(fresh.Root, ids =>
        {
            levels++;
            return ids.Select(id => new StateNode(id, store[Convert.ToHexString(id)])).ToList();
        }));
        if (!loaded!.Root.AsSpan().SequenceEqual(fresh.Root)) throw new InvalidOperationException("reload gave another root");
        Line($"    SMT  take new nodes  {store.Count,12:N0} nodes in {takeSeconds * 1e3:N0} ms; reload in {loadSeconds * 1e3:N0} ms, {levels} fetches (levels)");

        // Nethereum's Merkle Patricia trie: the same inserts, root hash after each block.
        var trie = new PatriciaTrie();
        var trieStore = new InMemoryTrieStorage();
        var (mptSeconds, mptAlloc) = Time(() => Blocks(n, i => trie.Put(entries[i].Key, entries[i].Value, trieStore), () => _ = trie.Root.GetHash()));
        var mptInserts = n / mptSeconds;
        Line($"    MPT  insert          {mptInserts,12:N0} writes/s   {1e6 / mptInserts,7:N2} µs/write   {mptAlloc / n,6:N0} B allocated/write   (Nethereum.Merkle.Patricia)");
        var mptProofs = Math.Min(n, 2_000);
        var proofBytes = 0L;
        var (mptProveSeconds, _) = Time(() =>
        {
            for (var i = 0; i < mptProofs; i++)
                proofBytes += trie.GenerateProof(entries[random.Next(n)].Key, trieStore).Storage.Values.Sum(v => (long)v.Length);
        });
        Line($"    MPT  prove           {mptProofs / mptProveSeconds,12:N0} proofs/s   {1e6 * mptProveSeconds / mptProofs,7:N2} µs/proof   {proofBytes / (double)mptProofs:N0} B of RLP nodes per proof");
        Line($"    ratio SMT/MPT inserts {smtInserts / mptInserts,6:N1}x");
    }

    /// <summary>n writes in blocks of <see cref="BlockSize"/>, the root after each block.</summary>
    private static void Blocks(int n, Action<int> write, Action root)
    {
        for (var start = 0; start < n; start += BlockSize)
        {
            for (var i = start; i < Math.Min(n, start + BlockSize); i++) write(i);
            root();
        }
    }

    private static (double Seconds, long AllocatedBytes) Time(Action action)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        var stopwatch = Stopwatch.StartNew();
        action();
        return (stopwatch.Elapsed.TotalSeconds, GC.GetAllocatedBytesForCurrentThread() - allocated);
    }
}
