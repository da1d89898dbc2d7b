using Marten;
using Nexus.Contracts.Registry;
using Nexus.Ethereum;
using Nexus.Ethereum.Abi;

namespace Nexus.AppStreams.Registry;

/// <summary>Registering an app = starting its stream with <see cref="AppRegistered"/>; never a mutable row.</summary>
public static class AppRegistry
{
    /// <summary>Checks a registration before it is written; throws <see cref="ArgumentException"/> naming the bad field.</summary>
    public static void Validate(AppRegistered app)
    {
        AppIds.EnsureValid(app.AppId);
        if (app.ChainId <= 0) throw new ArgumentException("chain id must be positive");
        if (app.Confirmations < 0) throw new ArgumentException("confirmations must be >= 0");
        if (app.FromBlock < 0) throw new ArgumentException("from block must be >= 0");
        if (app.Inbox is null && app.Sources.Count == 0) throw new ArgumentException("an app needs the inbox or at least one event source");
        if (app.Inbox is not null) EnsureAddress(app.Inbox, "inbox");
        if (app.PayloadAbi is not null)
        {
            if (app.Inbox is null) throw new ArgumentException("a payload ABI needs the inbox");
            Wrap(() => PayloadCodec.ParseTypes(app.PayloadAbi), "payload ABI");
        }
        foreach (var source in app.Sources)
        {
            EnsureAddress(source.Contract, "source contract");
            Wrap(() => EventSignature.Parse(source.EventSignature), "event signature");
        }
    }

    /// <summary>Starts the app's stream; fails if the app id is taken.</summary>
    public static async Task RegisterAsync(IDocumentStore store, AppRegistered app, CancellationToken ct = default)
    {
        Validate(app);
        await using var session = store.LightweightSession();
        if (await session.Events.FetchStreamStateAsync(app.AppId, ct) is not null)
            throw new InvalidOperationException($"app '{app.AppId}' is already registered");
        session.Events.StartStream(app.AppId, app with
        {
            Inbox = app.Inbox?.ToLowerInvariant(),
            Sources = app.Sources.Select(s => s with { Contract = s.Contract.ToLowerInvariant() }).ToList(),
        });
        await session.SaveChangesAsync(ct);
    }

    private static void EnsureAddress(string address, string what)
    {
        if (!Hex.TryDecode(address, out var bytes) || bytes.Length != 20 || !address.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException($"{what} '{address}' is not a 0x-prefixed 20-byte address");
    }

    private static void Wrap(Action parse, string what)
    {
        try { parse(); }
        catch (FormatException e) { throw new ArgumentException($"{what}: {e.Message}", e); }
    }
}
