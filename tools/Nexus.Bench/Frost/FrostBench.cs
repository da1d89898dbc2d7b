using System.CommandLine;
using Nexus.Crypto.Frost;

namespace Nexus.Bench.Frost;

/// <summary>
/// FROST signing without a network, step by step as the Zcash Foundation publishes its figures
/// (criterion, Ryzen 9 5900X, the secp256k1 ciphersuite): round one and round two per signer, and the
/// coordinator's aggregation. Our aggregation verifies the aggregate signature (and only on failure
/// every share), as theirs does. Each row is compared with their column.
/// </summary>
public static class FrostBench
{
    /// <summary>ZF FROST's secp256k1 table (frost/performance.md): round 1, round 2 (per signer) and aggregate, ms.</summary>
    private static readonly (int T, int N, double Round1, double Round2, double Aggregate)[] Committees =
        [(2, 3, 0.09, 0.15, 0.25), (3, 5, double.NaN, double.NaN, double.NaN), (7, 10, 0.09, 0.48, 0.52)];

    public static Command Command()
    {
        var rounds = new Option<int>("--rounds") { Description = "signatures per committee", DefaultValueFactory = _ => 300 };
        var cmd = new Command("frost", "FROST(secp256k1, SHA-256) round one, round two and aggregation per signature, (2,3), (3,5), (7,10), vs. ZF FROST; no infrastructure") { rounds };
        cmd.SetAction(p => Run(p.GetValue(rounds)));
        return cmd;
    }

    private static void Run(int rounds)
    {
        var message = new byte[32];
        Console.WriteLine($"nexus-bench frost: {rounds} signatures per committee, best of 3, 1 thread; reference: ZF FROST secp256k1 (Ryzen 9 5900X), same steps");
        foreach (var (t, n, refRound1, refRound2, refAggregate) in Committees)
        {
            var keys = TrustedDealer.Deal(n, t);
            var signers = keys.Packages.Take(t).ToList();
            var verifying = keys.Packages.ToDictionary(p => p.Id, p => p.VerifyingShare);
            List<SigningNonces>[] nonces = new List<SigningNonces>[rounds];
            List<SignatureShare>[] shares = new List<SignatureShare>[rounds];
            void Commit()
            {
                for (var r = 0; r < rounds; r++)
                    nonces[r] = signers.Select(global::Nexus.Crypto.Frost.Frost.Commit).ToList();
            }
            void SignAll()
            {
                for (var r = 0; r < rounds; r++)
                {
                    var commitments = nonces[r].Select(x => x.Commitments).ToList();
                    shares[r] = signers.Select((k, i) => global::Nexus.Crypto.Frost.Frost.Sign(message, nonces[r][i], k, commitments)).ToList();
                }
            }

            // Round one: one signer's two nonce commitments.
            var round1 = Timing.BestMs(3, Commit) / rounds / t;
            // Round two: each signer computes the group commitment and its share (nonces sign once: fresh ones per run).
            var round2 = Timing.BestMs(3, SignAll, setup: Commit) / rounds / t;
            // Aggregation by the coordinator, over the shares of the last signing run.
            Signature? last = null;
            var aggregate = Timing.BestMs(3, () =>
            {
                for (var r = 0; r < rounds; r++)
                    last = global::Nexus.Crypto.Frost.Frost.Aggregate(nonces[r].Select(x => x.Commitments).ToList(), shares[r], keys.GroupPublicKey, message, verifying);
            }, setup: () => { Commit(); SignAll(); }) / rounds;
            var verify = Timing.BestMs(3, () =>
            {
                for (var r = 0; r < rounds; r++)
                    global::Nexus.Crypto.Frost.Frost.Verify(keys.GroupPublicKey, message, last!);
            }) / rounds;
            string Vs(double ours, double theirs) => double.IsNaN(theirs) ? "" : $" ({ours / theirs:F2}x ZF {theirs:F2})";
            Console.WriteLine($"  ({t},{n})  round one {round1:F3} ms{Vs(round1, refRound1)}; round two {round2:F3} ms{Vs(round2, refRound2)}; aggregate {aggregate:F3} ms{Vs(aggregate, refAggregate)}; " +
                $"one signer's round two + aggregate {round2 + aggregate:F3} ms{Vs(round2 + aggregate, refRound2 + refAggregate)}; verify {verify:F3} ms");
        }
    }
}
