using System.CommandLine;
using Nexus.Crypto.Frost;

namespace Nexus.Bench.Frost;

/// <summary>
/// FROST signing without a network: round two for every signer plus aggregation (with its
/// verification), per signature, against the Zcash Foundation's published figures (Ryzen 9 5900X)
/// as the reference; round one and verification alone are reported beside it.
/// </summary>
public static class FrostBench
{
    private static readonly (int T, int N, double ReferenceMs)[] Committees = [(2, 3, 0.25), (3, 5, double.NaN), (7, 10, 0.52)];

    public static Command Command()
    {
        var rounds = new Option<int>("--rounds") { Description = "signatures per committee", DefaultValueFactory = _ => 300 };
        var cmd = new Command("frost", "FROST(secp256k1, SHA-256) commit + sign + aggregate per signature, (2,3), (3,5), (7,10); no infrastructure") { rounds };
        cmd.SetAction(p => Run(p.GetValue(rounds)));
        return cmd;
    }

    private static void Run(int rounds)
    {
        var message = new byte[32];
        Console.WriteLine($"nexus-bench frost: {rounds} signatures per committee, best of 3, 1 thread");
        foreach (var (t, n, reference) in Committees)
        {
            var keys = TrustedDealer.Deal(n, t);
            var signers = keys.Packages.Take(t).ToList();
            var verifying = keys.Packages.ToDictionary(p => p.Id, p => p.VerifyingShare);
            Signature? last = null;
            // Round one is message-independent: replicas precompute commitments in batches, so the
            // comparison (as the target) is round two + aggregation; round one is reported apart.
            List<SigningNonces>[] precomputed = [];
            var commitMs = Timing.BestMs(3, () =>
            {
                precomputed = Enumerable.Range(0, rounds).Select(_ => signers.Select(global::Nexus.Crypto.Frost.Frost.Commit).ToList()).ToArray();
            }) / rounds;
            var signMs = Timing.BestMs(3, action: () =>
            {
                for (var r = 0; r < rounds; r++)
                {
                    var nonces = precomputed[r];
                    var commitments = nonces.Select(x => x.Commitments).ToList();
                    var shares = signers.Zip(nonces).Select(p => global::Nexus.Crypto.Frost.Frost.Sign(message, p.Second, p.First, commitments)).ToList();
                    last = global::Nexus.Crypto.Frost.Frost.Aggregate(commitments, shares, keys.GroupPublicKey, message, verifying);
                }
            }, setup: () =>
            {
                // Fresh nonces for every timed run: nonces sign once.
                for (var r = 0; r < rounds; r++)
                    precomputed[r] = signers.Select(global::Nexus.Crypto.Frost.Frost.Commit).ToList();
            }) / rounds;
            var verifyMs = Timing.BestMs(3, () =>
            {
                for (var r = 0; r < rounds; r++)
                    global::Nexus.Crypto.Frost.Frost.Verify(keys.GroupPublicKey, message, last!);
            }) / rounds;
            var ratio = double.IsNaN(reference) ? "" : $"  {signMs / reference:F2}x the reference {reference} ms";
            Console.WriteLine($"  ({t},{n})  sign (all {t}) + aggregate {signMs:F3} ms/signature{ratio}; round one for all {t} {commitMs:F3} ms; verify {verifyMs:F3} ms");
        }
    }
}
