namespace Nexus.Apps;

/// <summary>The sample guests of apps/, as built by apps/build.sh (see apps/README.md).</summary>
public static class SampleApps
{
    /// <summary>Per-sender counters fed by NexusInbox payloads <c>abi.encode(uint256)</c>.</summary>
    public static byte[] Counter => Load("counter");

    /// <summary>A limit order book fed by OrderBook events; fills are calls to OrderBook.settle.</summary>
    public static byte[] OrderBook => Load("orderbook");

    /// <summary>Misbehaves on purpose, selected by the payload's first byte (apps/hostile/README.md).</summary>
    public static byte[] Hostile => Load("hostile");

    public static byte[] Load(string name)
    {
        using var stream = typeof(SampleApps).Assembly.GetManifestResourceStream($"Nexus.Apps.{name}.wasm")
            ?? throw new InvalidOperationException($"sample app '{name}' is not embedded (apps/build.sh did not produce {name}.wasm)");
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        return bytes;
    }
}
