namespace Nexus.Runtime.Wasm;

/// <summary>Why an input was rejected (apps/sdk/ABI.md, "Outcomes"). The numeric values are committed in results roots.</summary>
public enum RejectReason : byte
{
    None = 0,
    AppRejected = 1,
    AppAborted = 2,
    OutOfFuel = 3,
    Trap = 4,
    AbiMisuse = 5,
    NoCode = 6,
}

public enum OutputKind : byte
{
    Notice = 0,
    Call = 1,
}

/// <summary>An output emitted by an accepted input: a notice, or a call to <paramref name="Target"/> (20 bytes) with calldata.</summary>
public sealed record GuestOutput(OutputKind Kind, byte[] Target, byte[] Payload);

/// <summary>A state write of an input, in the order the guest made it; a null value deletes the key.</summary>
public readonly record struct StateWrite(byte[] Key, byte[]? Value);

/// <summary>
/// The result of running one input. Writes and outputs are empty unless the input was accepted; the
/// caller applies the writes to the state (the runtime never mutates state itself, which is what makes
/// a rejected input leave no trace).
/// </summary>
public sealed record InputOutcome(
    RejectReason Reason,
    int Code,
    string? Message,
    long FuelUsed,
    IReadOnlyList<StateWrite> Writes,
    IReadOnlyList<GuestOutput> Outputs)
{
    public bool Accepted => Reason == RejectReason.None;

    public static InputOutcome Rejected(RejectReason reason, long fuelUsed, string? message, int code = 0) =>
        new(reason, code, Printable(message), fuelUsed, [], []);

    /// <summary>
    /// Messages come partly from guests (abort) and end up in jsonb, which refuses NUL: control
    /// characters become '?'. Messages are not committed, so this changes no root.
    /// </summary>
    private static string? Printable(string? message) =>
        message is null || !message.Any(char.IsControl) ? message : string.Concat(message.Select(c => char.IsControl(c) ? '?' : c));
}
