namespace Nexus.Contracts;

/// <summary>
/// Where a log sits in the chain: its block number and its index within that block.
/// Inputs of an app are ordered by this position.
/// </summary>
public sealed record LogPosition(long BlockNumber, int LogIndex) : IComparable<LogPosition>
{
    /// <inheritdoc />
    public int CompareTo(LogPosition? other)
    {
        if (other is null) return 1;
        var byBlock = BlockNumber.CompareTo(other.BlockNumber);
        return byBlock != 0 ? byBlock : LogIndex.CompareTo(other.LogIndex);
    }

    /// <summary>True when this position comes strictly before <paramref name="other"/>.</summary>
    public bool IsBefore(LogPosition other) => CompareTo(other) < 0;

    /// <inheritdoc />
    public override string ToString() => $"{BlockNumber}#{LogIndex}";
}
