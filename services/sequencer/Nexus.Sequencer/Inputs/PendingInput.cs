using Nexus.Contracts;
using Nexus.Contracts.ChainListener;

namespace Nexus.Sequencer.Inputs;

/// <summary>
/// An input that arrived before its predecessor (the bus does not promise order). Parked in
/// PostgreSQL under the position it waits for, so it survives restarts and any sequencer instance
/// that takes the predecessor finds it with one key lookup.
/// </summary>
public sealed record PendingInput(string Id, string AppId, ObservedInput Input)
{
    public static string IdFor(string appId, LogPosition? waitsFor) =>
        waitsFor is null ? $"{appId}|start" : $"{appId}|{waitsFor.BlockNumber}|{waitsFor.LogIndex}";

    public static PendingInput For(ObservedInput input) => new(IdFor(input.AppId, input.Preceding), input.AppId, input);
}
