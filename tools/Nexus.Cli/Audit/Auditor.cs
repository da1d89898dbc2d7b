using Marten;
using Nexus.AppStreams.Reading;
using Nexus.AppStreams.Registry;
using Nexus.Contracts.Executor;
using Nexus.Runtime.Blocks;
using Nexus.Runtime.Wasm;
using Nexus.State;

namespace Nexus.Cli.Audit;

/// <summary>The first place where the recorded stream and the re-execution disagree.</summary>
public sealed record Divergence(long Height, long? Seq, string What, string Expected, string Got);

public sealed record AuditReport(long Blocks, long Inputs, long Unexecuted, string StateRoot, string? HeaderHash, Divergence? Divergence);

/// <summary>
/// Replays an app from genesis using only what PostgreSQL holds (its stream and stored code; no
/// service, no chain): every block is re-executed with the same runtime, and every recorded
/// <see cref="BlockExecuted"/> — header, roots, each input's result — is compared with the replay.
/// The inputs themselves are checked against the roots the sequencer sealed.
/// </summary>
public sealed class Auditor(IDocumentStore store, WasmRuntime runtime)
{
    private const int Window = 5_000;

    public async Task<AuditReport> RunAsync(string appId, long? toHeight, Action<long>? progress, CancellationToken ct)
    {
        await using var session = store.QuerySession();
        if (await AppStreamReader.RegisteredAsync(session, appId, ct) is null)
            throw new InvalidOperationException($"app '{appId}' is not registered in this database");
        // Only what the stream records counts: deployments as met in it, from its start (not the read model).
        IReadOnlyList<Nexus.Contracts.Registry.AppCodeDeployed> deployments = [];

        var state = new StateTree();
        // A block's BlockExecuted is written after its seal, often after later seals: records and replays
        // are matched by height across read windows, and compared as soon as both exist.
        var recorded = new Dictionary<long, BlockExecuted>();
        var replayed = new Dictionary<long, BlockExecuted>();
        var previous = BlockEncoding.Zero32;
        string? headerHash = null;
        long verified = 0, inputs = 0, next = 0, after = 0;
        var done = false;

        while (!done)
        {
            var range = await AppStreamReader.ReadBlocksAsync(session, appId, after, Window, ct, deployments);
            deployments = range.Deployments;
            foreach (var e in range.Executed.Select(e => e.Data))
            {
                if (!recorded.TryAdd(e.Height, e))
                    return Diverged(new Divergence(e.Height, null, "BlockExecuted events", "one per height", "two or more"));
            }
            foreach (var block in range.Blocks)
            {
                var h = block.Height;
                if (toHeight is { } to && h > to)
                {
                    done = true;
                    break;
                }
                if (h != next)
                    return Diverged(new Divergence(h, null, "block height", next.ToString(), h.ToString()));
                try
                {
                    var code = await CodeBinding.ForAsync(runtime, block.Code, hash => AppCodeRegistry.LoadAsync(session, hash, ct));
                    var replay = BlockExecutor.Execute(runtime, code, state, block.Seal, block.Inputs, previous);
                    replayed[h] = replay;
                    previous = headerHash = replay.HeaderHash;
                }
                catch (Exception e) when (e is BlockIntegrityException or CodeIntegrityException)
                {
                    return Diverged(new Divergence(h, null, "sealed inputs", "inputs matching the seal", e.Message));
                }
                inputs += block.Inputs.Count;
                next++;
                progress?.Invoke(h);
            }
            foreach (var h in replayed.Keys.Where(recorded.ContainsKey).Order().ToList())
            {
                if (Compare(recorded[h], replayed[h]) is { } divergence)
                    return Diverged(divergence);
                verified++;
                replayed.Remove(h);
            }
            after = range.LastSealVersion;
            done |= range.EndOfStream;
        }
        var orphan = recorded.Keys.Where(h => h >= next && (toHeight is null || h <= toHeight)).Order().DefaultIfEmpty(-1).First();
        if (orphan >= 0)
            return Diverged(new Divergence(orphan, null, "executed block", "a sealed block at this height", "none in the stream"));
        return new AuditReport(verified, inputs, replayed.Count, Hex(state.Root), headerHash, null);

        AuditReport Diverged(Divergence d) => new(verified, inputs, replayed.Count, Hex(state.Root), headerHash, d);
    }

    private static Divergence? Compare(BlockExecuted expected, BlockExecuted got)
    {
        var h = got.Height;
        for (var i = 0; i < Math.Max(expected.Results.Count, got.Results.Count); i++)
        {
            if (i >= expected.Results.Count || i >= got.Results.Count)
                return new Divergence(h, null, "result count", expected.Results.Count.ToString(), got.Results.Count.ToString());
            var (e, g) = (expected.Results[i], got.Results[i]);
            var field =
                e.Seq != g.Seq ? ("seq", e.Seq.ToString(), g.Seq.ToString()) :
                e.Accepted != g.Accepted || e.Reason != g.Reason ? ("outcome", Outcome(e), Outcome(g)) :
                e.Code != g.Code ? ("return code", e.Code.ToString(), g.Code.ToString()) :
                e.FuelUsed != g.FuelUsed ? ("fuel used", e.FuelUsed.ToString(), g.FuelUsed.ToString()) :
                !e.Outputs.SequenceEqual(g.Outputs) ? ("outputs", $"{e.Outputs.Count} outputs", $"{g.Outputs.Count} outputs (or different bytes)") :
                ((string, string, string)?)null;
            if (field is { } f)
                return new Divergence(h, g.Seq, f.Item1, f.Item2, f.Item3);
        }
        var (eh, gh) = (expected.Header, got.Header);
        foreach (var (name, ev, gv) in new[]
        {
            ("previous header hash", eh.PreviousHeaderHash, gh.PreviousHeaderHash),
            ("code hash", eh.CodeHash, gh.CodeHash),
            ("inputs root", eh.InputsRoot, gh.InputsRoot),
            ("state root", eh.StateRoot, gh.StateRoot),
            ("outputs root", eh.OutputsRoot, gh.OutputsRoot),
            ("results root", eh.ResultsRoot, gh.ResultsRoot),
            ("header", eh.ToString(), gh.ToString()),
            ("header hash", expected.HeaderHash, got.HeaderHash),
        })
        {
            if (!string.Equals(ev, gv, StringComparison.OrdinalIgnoreCase))
                return new Divergence(h, null, name, ev, gv);
        }
        return null;
    }

    private static string Outcome(InputResult r) => r.Accepted ? "accepted" : $"rejected ({r.Reason})";

    private static string Hex(byte[] bytes) => Nexus.Ethereum.Hex.Encode(bytes);
}
