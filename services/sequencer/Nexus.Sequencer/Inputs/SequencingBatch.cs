using Nexus.Contracts;
using Nexus.Contracts.ChainListener;
using Nexus.Contracts.Sequencer;
using Nexus.Ethereum.Merkle;

namespace Nexus.Sequencer.Inputs;

/// <summary>
/// The sequencer's decisions for one app within one transaction, as pure logic over the app's
/// <see cref="AppSequence"/>: which observed logs become the next inputs, which are rejected, where
/// blocks are cut. It never reads a clock or the database, so it is tested without infrastructure.
/// </summary>
public sealed class SequencingBatch(AppSequence start, long startVersion, int maxInputsPerBlock, DateTimeOffset now)
{
    private long _version = startVersion;
    private readonly List<object> _events = [];
    private readonly List<InputRejection> _rejections = [];

    public AppSequence State { get; private set; } = start;
    public IReadOnlyList<object> Events => _events;
    public IReadOnlyList<InputRejection> Rejections => _rejections;

    /// <summary>True when the log was already taken (sequenced or rejected in order).</summary>
    public bool IsDuplicate(ObservedInput log) => State.Last is { } last && !last.IsBefore(log.Position);

    /// <summary>True when the log is the next one of the app's order chain.</summary>
    public bool IsNext(ObservedInput log) => Equals(log.Preceding, State.Last);

    /// <summary>
    /// Handles a log the inbox-wide watch reported because no app claimed it when it was seen.
    /// Returns false when there is nothing to do (the app's own watch covers it).
    /// </summary>
    public bool TakeUnclaimed(ObservedInput log)
    {
        if (log.Position.BlockNumber >= State.Registration.FromBlock) return false;
        Reject(log, RejectionCode.BeforeRegistration,
            $"log at block {log.Position.BlockNumber} is older than app '{State.Id}' (registered from block {State.Registration.FromBlock})");
        return true;
    }

    /// <summary>Takes the next log of the chain: sequences it, or rejects it in place; cuts a block when due.</summary>
    public void TakeNext(ObservedInput log)
    {
        if (!IsNext(log)) throw new InvalidOperationException($"{log.InputId} does not follow {State.Last}");
        var (decoded, code, reason) = InputDecoder.Decode(State.Registration, log);
        if (decoded is null)
        {
            Reject(log, code, reason);
        }
        else
        {
            var input = new SequencedInput
            {
                Seq = State.NextSeq,
                InputId = log.InputId,
                Position = log.Position,
                BlockHash = log.BlockHash,
                BlockTimestamp = log.BlockTimestamp,
                TxHash = log.TxHash,
                TxIndex = log.TxIndex,
                Emitter = log.Emitter,
                Topics = log.Topics,
                Data = log.Data,
                Source = decoded.Source,
                Sender = decoded.Sender,
                Nonce = decoded.Nonce,
                Payload = decoded.Payload,
                Arguments = decoded.Arguments,
            };
            Append(new InputSequenced { AppId = State.Id, Input = input });
        }

        if (State.Open.Count > 0 && (log.LastOfL1Block || State.Open.Count >= maxInputsPerBlock))
            Seal();
    }

    private void Seal()
    {
        var open = State.Open;
        Append(new BlockSealed
        {
            AppId = State.Id,
            ChainId = State.Registration.ChainId,
            Height = State.NextHeight,
            FirstSeq = open.FirstSeq,
            Count = open.Count,
            InputsRoot = InputsRoot.Root(open.Frontier),
            FromL1Block = open.FromL1Block,
            ToL1Block = open.ToL1Block,
            StreamVersion = _version + 1,
            InputsAfterVersion = State.LastSealVersion,
        });
    }

    private void Reject(ObservedInput log, RejectionCode code, string reason)
    {
        var rejection = Rejection(log, code, reason, now);
        Append(rejection.Rejection);
        _rejections.Add(rejection);
    }

    private void Append(object e)
    {
        _events.Add(e);
        _version++;
        State = e switch
        {
            InputSequenced s => State.Apply(s),
            BlockSealed b => State.Apply(b),
            InputRejected r => State.Apply(r),
            _ => throw new ArgumentOutOfRangeException(nameof(e)),
        };
    }

    /// <summary>Rejection of a log for an app id nobody registered (recorded in the stream of unregistered ids).</summary>
    public static InputRejection UnknownApp(ObservedInput log, DateTimeOffset now) =>
        Rejection(log, RejectionCode.UnknownApp, $"no app is registered under id '{log.AppId}'", now);

    private static InputRejection Rejection(ObservedInput log, RejectionCode code, string reason, DateTimeOffset now) =>
        new(log.InputId, log.AppId, new InputRejected
        {
            InputId = log.InputId,
            AppId = log.AppId,
            ChainId = log.ChainId,
            Position = log.Position,
            TxHash = log.TxHash,
            Code = code,
            Reason = reason,
        }, now);
}
