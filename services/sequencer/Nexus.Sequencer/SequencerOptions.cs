using System.ComponentModel.DataAnnotations;

namespace Nexus.Sequencer;

/// <summary>Section <c>Sequencer</c>.</summary>
public sealed class SequencerOptions
{
    public const string Section = "Sequencer";

    /// <summary>A block is cut at an L1 block boundary or when it holds this many inputs.</summary>
    [Range(1, 10_000)] public int MaxInputsPerBlock { get; set; } = 100;

    /// <summary>Most <c>InputsObserved</c> messages (each up to a few hundred inputs) taken in one database transaction.</summary>
    [Range(1, 1_000)] public int BatchSize { get; set; } = 8;

    /// <summary>How long a partial batch waits for more messages before it is processed.</summary>
    [Range(1, 10_000)] public int BatchWaitMs { get; set; } = 15;
}
