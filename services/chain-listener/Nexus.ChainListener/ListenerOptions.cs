using System.ComponentModel.DataAnnotations;

namespace Nexus.ChainListener;

/// <summary>Section <c>Listener</c>.</summary>
public sealed class ListenerOptions
{
    public const string Section = "Listener";

    /// <summary>How often the head is polled when every watch has caught up.</summary>
    [Range(10, 60_000)] public int PollIntervalMs { get; set; } = 250;

    /// <summary>Largest block range asked of eth_getLogs in one call (halved on "too many results").</summary>
    [Range(1, 100_000)] public int MaxBlockRange { get; set; } = 2_000;

    /// <summary>Confirmations for the inbox-wide watch that reports logs no app claimed.</summary>
    [Range(0, 10_000)] public int UnclaimedConfirmations { get; set; } = 2;

    /// <summary>Inputs of one app carried by one bus message.</summary>
    [Range(1, 5_000)] public int InputsPerMessage { get; set; } = 250;

    /// <summary>Block headers fetched in parallel when checking the logs' blocks.</summary>
    [Range(1, 64)] public int HeaderConcurrency { get; set; } = 8;

    /// <summary>Longest wait between retries while the RPC or the database is down.</summary>
    [Range(100, 600_000)] public int MaxBackoffMs { get; set; } = 15_000;
}
