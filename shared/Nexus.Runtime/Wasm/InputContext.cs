using Nexus.State;
using Wasmtime;

namespace Nexus.Runtime.Wasm;

/// <summary>Read access to an app's committed state, as the runtime needs it.</summary>
public interface IStateReader
{
    bool TryGet(ReadOnlySpan<byte> key, out byte[] value);
}

/// <summary>
/// Everything one input's host calls touch: the input, the guest memory, a private overlay of the
/// state writes and the outputs. Nothing here reaches the committed state until the caller applies an
/// accepted outcome, which is how a trap leaves no trace.
/// </summary>
internal sealed class InputContext(GuestInput input, IStateReader state, Action<string>? debugLog, long blockOutputBudget = AbiV1.MaxOutputBytesPerBlock)
{
    private readonly Dictionary<byte[], byte[]?> _overlay = new(ByteArrayComparer.Instance);
    private readonly List<GuestOutput> _outputs = [];
    private Memory? _memory;
    private Store? _store;
    private bool _metered;
    private int _outputBytes;
    private long _writeBytes;
    private readonly long _blockOutputBudget = blockOutputBudget;
    private int _debugLines;

    public GuestInput Input { get; } = input;
    public RejectReason FailureReason { get; private set; }
    public string? FailureMessage { get; private set; }
    /// <summary>The final value of every key written (the root depends only on those, not on the history).</summary>
    public IReadOnlyList<StateWrite> Writes => _overlay.Select(kv => new StateWrite(kv.Key, kv.Value)).ToList();
    public IReadOnlyList<GuestOutput> Outputs => _outputs;

    /// <summary>Host calls are only legal while the entry point runs (not from a start function).</summary>
    public bool Running { get; set; }

    public InputContext Init(Store store, Memory memory, bool metered)
    {
        _store = store;
        _metered = metered;
        _memory = memory;
        return this;
    }

    // The alternate lookup lets host calls probe the overlay with a span over guest memory, without copying the key.
    private Dictionary<byte[], byte[]?>.AlternateLookup<ReadOnlySpan<byte>> Overlay =>
        _overlay.GetAlternateLookup<ReadOnlySpan<byte>>();

    public void Enter(long fuel)
    {
        if (!Running || _memory is null)
            throw Misuse("host call outside nexus_handle");
        Charge(fuel);
    }

    public void Charge(long fuel)
    {
        if (!_metered)
            return;
        // The store is the caller's store: setting its fuel from inside a host call is what Wasmtime
        // documents for charging host work.
        var left = _store!.Fuel;
        if (left < (ulong)fuel)
        {
            _store.Fuel = 0;
            throw Fail(RejectReason.OutOfFuel, "out of fuel in a host call");
        }
        _store.Fuel = left - (ulong)fuel;
    }

    /// <summary>A guest range, bounds-checked against the memory's current size.</summary>
    public Span<byte> Guest(int ptr, int len)
    {
        var end = (ulong)(uint)ptr + (uint)len;
        var size = (ulong)_memory!.GetLength();
        if (end > size)
            throw Misuse($"range [{(uint)ptr}, {end}) is outside the guest memory ({size} bytes)");
        return _memory.GetSpan((uint)ptr, len);
    }

    public ReadOnlySpan<byte> Key(int ptr, int len)
    {
        if ((uint)len > AbiV1.MaxKeyLength)
            throw Misuse($"key of {(uint)len} bytes exceeds {AbiV1.MaxKeyLength}");
        Charge(len);
        return Guest(ptr, len);
    }

    public bool TryRead(ReadOnlySpan<byte> key, out byte[] value)
    {
        if (Overlay.TryGetValue(key, out var pending))
        {
            value = pending ?? [];
            return pending is not null;
        }
        return state.TryGet(key, out value);
    }

    public void Write(byte[] key, byte[]? value)
    {
        // Bounds the host memory one input can hold, whatever its fuel limit.
        _writeBytes += key.Length + (value?.Length ?? 0);
        if (_writeBytes > AbiV1.MaxWriteBytesPerInput)
            throw Misuse($"state writes exceed {AbiV1.MaxWriteBytesPerInput} bytes in one input");
        _overlay[key] = value;
    }

    public void Emit(OutputKind kind, ReadOnlySpan<byte> target, int ptr, int len)
    {
        if (_outputs.Count >= AbiV1.MaxOutputsPerInput)
            throw Misuse($"more than {AbiV1.MaxOutputsPerInput} outputs");
        if ((uint)len > AbiV1.MaxOutputLength)
            throw Misuse($"output of {(uint)len} bytes exceeds {AbiV1.MaxOutputLength}");
        if (_outputBytes + len > AbiV1.MaxOutputBytesPerInput)
            throw Misuse($"outputs exceed {AbiV1.MaxOutputBytesPerInput} bytes in one input");
        if (_outputBytes + len > _blockOutputBudget)
            throw Misuse($"outputs exceed {AbiV1.MaxOutputBytesPerBlock} bytes in this block");
        Charge(len);
        _outputBytes += len;
        var to = target.Length == 0 ? new byte[20] : target.ToArray();
        _outputs.Add(new GuestOutput(kind, to, Guest(ptr, len).ToArray()));
    }

    public void DebugLog(ReadOnlySpan<byte> line)
    {
        if (debugLog is null || ++_debugLines > AbiV1.MaxDebugLinesPerInput)
            return;
        debugLog(System.Text.Encoding.UTF8.GetString(line));
    }

    public GuestFault Misuse(string message) => Fail(RejectReason.AbiMisuse, message);

    public GuestFault Fail(RejectReason reason, string message)
    {
        // The first failure wins: a trap raised while unwinding from it must not relabel it.
        if (FailureReason == RejectReason.None)
        {
            FailureReason = reason;
            FailureMessage = message;
        }
        return new GuestFault(message);
    }
}
