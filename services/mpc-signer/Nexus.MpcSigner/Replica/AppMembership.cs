using Nexus.Contracts.Registry;
using Nexus.Contracts.Sequencer;
using Nexus.Ethereum;
using Nexus.Ethereum.Abi;

namespace Nexus.MpcSigner.Replica;

/// <summary>
/// Whether a log is an input of an app at all, by its registration: a <c>NexusInbox</c> submission
/// addressed to this app id, or one of its registered (contract, event) sources, at or after its first
/// block. Confirming that a log exists is not enough: without this, any real log on the chain could be
/// put into the app's blocks and signed.
/// </summary>
public sealed class AppMembership
{
    public AppRegistered Registration { get; }
    private readonly (string Contract, string Topic0)[] _sources;
    private readonly string _appTopic;

    public AppMembership(AppRegistered registration)
    {
        Registration = registration;
        _sources = registration.Sources.Select(s => (s.Contract.ToLowerInvariant(), EventSignature.Parse(s.EventSignature).Topic0)).ToArray();
        _appTopic = AppIds.ToTopic(registration.AppId);
    }

    /// <summary>Why <paramref name="input"/> is not an input of the app, or null.</summary>
    public string? Check(SequencedInput input)
    {
        if (input.Position.BlockNumber < Registration.FromBlock)
            return $"input {input.Seq} is in L1 block {input.Position.BlockNumber}, before the app's first block {Registration.FromBlock}";
        var emitter = input.Emitter.ToLowerInvariant();
        var topic0 = input.Topics.Count > 0 ? input.Topics[0].ToLowerInvariant() : "";
        if (Registration.Inbox is { } inbox && emitter == inbox.ToLowerInvariant() && topic0 == InboxEvents.InputSubmitted.Topic0)
            return input.Topics.Count > 1 && string.Equals(input.Topics[1], _appTopic, StringComparison.OrdinalIgnoreCase)
                ? null
                : $"input {input.Seq} is an inbox submission to another app";
        return _sources.Any(s => s.Contract == emitter && s.Topic0 == topic0)
            ? null
            : $"input {input.Seq} (contract {input.Emitter}, event {topic0}) is not one of the app's registered sources";
    }
}
