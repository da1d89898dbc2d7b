using Marten;
using Nexus.Contracts.Executor;
using Nexus.Contracts.Registry;
using Nexus.Contracts.Sequencer;

namespace Nexus.AppStreams;

/// <summary>A sealed block with its inputs, read back from the app's stream.</summary>
public sealed record SealedBlock(BlockSealed Seal, IReadOnlyList<SequencedInput> Inputs);

/// <summary>What a forward read of an app's stream found.</summary>
/// <param name="Blocks">Complete sealed blocks, in height order.</param>
/// <param name="Deployments">Code deployments met before the last block's seal.</param>
/// <param name="Executed">BlockExecuted events met (the auditor compares them).</param>
/// <param name="LastVersion">Version of the last complete block's seal (or the start point when none).</param>
/// <param name="EndOfStream">The read reached the end of the stream.</param>
public sealed record StreamSlice(
    IReadOnlyList<SealedBlock> Blocks,
    IReadOnlyList<AppCodeDeployed> Deployments,
    IReadOnlyList<BlockExecuted> Executed,
    long LastVersion,
    bool EndOfStream);

/// <summary>
/// Reads an app's blocks from its stream (not from the bus): the executor after a restart, the auditor
/// on a restored backup and the signers all rebuild blocks the same way.
/// </summary>
public static class AppBlocks
{
    /// <summary>
    /// Reads forward from just after <paramref name="afterVersion"/> (a seal, or the registration) and
    /// returns the complete blocks found within about <paramref name="maxEvents"/> events. A block larger
    /// than the window widens it, so progress is always possible.
    /// </summary>
    public static async Task<StreamSlice> ReadAsync(IQuerySession session, string appId, long afterVersion, int maxEvents, CancellationToken ct)
    {
        var window = maxEvents;
        while (true)
        {
            var events = await session.Events.FetchStreamAsync(appId, version: afterVersion + window, fromVersion: afterVersion + 1, token: ct);
            var slice = Split(events.Select(e => (e.Version, e.Data)), afterVersion, events.Count < window);
            if (slice.Blocks.Count > 0 || slice.EndOfStream)
                return slice;
            window *= 2;
        }
    }

    /// <summary>Splits a run of stream events into complete blocks.</summary>
    public static StreamSlice Split(IEnumerable<(long Version, object Data)> events, long afterVersion, bool endOfStream)
    {
        var blocks = new List<SealedBlock>();
        var deployments = new List<AppCodeDeployed>();
        var executed = new List<BlockExecuted>();
        var pendingInputs = new List<SequencedInput>();
        var pendingDeployments = new List<AppCodeDeployed>();
        var pendingExecuted = new List<BlockExecuted>();
        var last = afterVersion;
        foreach (var (version, data) in events)
        {
            switch (data)
            {
                case InputSequenced s:
                    pendingInputs.Add(s.Input);
                    break;
                case AppCodeDeployed d:
                    pendingDeployments.Add(d);
                    break;
                case BlockExecuted x:
                    pendingExecuted.Add(x);
                    break;
                case BlockSealed seal:
                    blocks.Add(new SealedBlock(seal, pendingInputs));
                    deployments.AddRange(pendingDeployments);
                    executed.AddRange(pendingExecuted);
                    pendingInputs = [];
                    pendingDeployments.Clear();
                    pendingExecuted.Clear();
                    last = version;
                    break;
            }
        }
        if (endOfStream)
            executed.AddRange(pendingExecuted);
        return new StreamSlice(blocks, deployments, executed, last, endOfStream);
    }
}
