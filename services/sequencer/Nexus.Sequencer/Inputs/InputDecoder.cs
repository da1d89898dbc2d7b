using System.Collections.Concurrent;
using Nexus.Contracts.ChainListener;
using Nexus.Contracts.Registry;
using Nexus.Contracts.Sequencer;
using Nexus.Ethereum;
using Nexus.Ethereum.Abi;

namespace Nexus.Sequencer.Inputs;

/// <summary>
/// Turns an observed log into the app's input by decoding it against what the app registered:
/// the inbox event (and the optional payload ABI) or one of its event sources.
/// </summary>
public static class InputDecoder
{
    private static readonly ConcurrentDictionary<string, EventSignature> Events = new();
    private static readonly ConcurrentDictionary<string, Nethereum.ABI.Model.Parameter[]> PayloadTypes = new();

    public sealed record Decoded(string Source, string? Sender, long? Nonce, string? Payload, IReadOnlyList<DecodedArgument> Arguments);

    /// <summary>Decodes, or returns the rejection code and reason.</summary>
    public static (Decoded? Input, RejectionCode Code, string Reason) Decode(AppRegistered app, ObservedInput log)
    {
        var topic0 = log.Topics.Count > 0 ? log.Topics[0] : "";
        try
        {
            if (app.Inbox is not null && Same(log.Emitter, app.Inbox) && Same(topic0, InboxEvents.InputSubmitted.Topic0))
                return (DecodeInbox(app, log), default, "");

            foreach (var source in app.Sources)
            {
                if (!Same(source.Contract, log.Emitter)) continue;
                var signature = Events.GetOrAdd(source.EventSignature, EventSignature.Parse);
                if (!Same(signature.Topic0, topic0)) continue;
                return (new Decoded(signature.Text, null, null, null, signature.Decode(log.Topics, log.Data)), default, "");
            }
        }
        catch (FormatException e)
        {
            return (null, RejectionCode.Undecodable, e.Message);
        }
        return (null, RejectionCode.UnregisteredSource, $"log of {log.Emitter} with topic {topic0} is not a source of app '{app.AppId}'");
    }

    private static Decoded DecodeInbox(AppRegistered app, ObservedInput log)
    {
        var submission = InboxEvents.Decode(log.Topics, log.Data);
        if (submission.AppId != app.AppId)
            throw new FormatException($"inbox submission is addressed to app '{submission.AppId}', not '{app.AppId}'");
        IReadOnlyList<DecodedArgument> args = [];
        if (!string.IsNullOrWhiteSpace(app.PayloadAbi))
            args = PayloadCodec.Decode(PayloadTypes.GetOrAdd(app.PayloadAbi, PayloadCodec.ParseTypes), submission.Payload);
        return new Decoded("inbox", submission.Sender, submission.Nonce, Hex.Encode(submission.Payload), args);
    }

    private static bool Same(string a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);
}
