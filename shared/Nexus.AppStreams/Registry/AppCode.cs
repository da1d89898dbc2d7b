using Marten;
using Nexus.AppStreams.Reading;
using Nexus.Contracts.Registry;

namespace Nexus.AppStreams.Registry;

/// <summary>A WebAssembly module, stored once by its keccak256 (<see cref="Id"/>) however many apps use it.</summary>
public sealed record AppCode(string Id, byte[] Wasm, DateTimeOffset StoredAt);

/// <summary>Code deployment: the module is stored content-addressed and bound to an app from a height.</summary>
public static class AppCodeRegistry
{
    /// <summary>The stored module bytes for a code hash, or null; callers check the bytes hash to it.</summary>
    public static async Task<byte[]?> LoadAsync(IQuerySession session, string codeHash, CancellationToken ct) =>
        (await session.LoadAsync<AppCode>(codeHash, ct))?.Wasm;

    /// <summary>
    /// Stores the module and appends <see cref="AppCodeDeployed"/>. Under the stream's row lock, so no
    /// block at or above <paramref name="fromHeight"/> can be sealed before the deployment is in the
    /// stream: every executor and auditor then agrees on the code of every height. The caller has
    /// already checked the module with the runtime.
    /// </summary>
    public static async Task<AppCodeDeployed> DeployAsync(
        IDocumentStore store, string appId, string codeHash, byte[] wasm, long? fromHeight,
        long fuelLimit, long memoryLimitBytes, CancellationToken ct = default)
    {
        await using var session = store.LightweightSession();
        if (await AppStreamLock.LockAsync(session, appId, ct) is null || await session.LoadAsync<RegisteredApp>(appId, ct) is null)
            throw new InvalidOperationException($"app '{appId}' is not registered");
        var nextHeight = (await AppStreamReader.LastAsync<Contracts.Sequencer.BlockSealed>(session, appId, ct))?.Data.Height + 1 ?? 0;
        var height = fromHeight ?? nextHeight;
        if (height < nextHeight)
            throw new InvalidOperationException($"height {height} is already sealed for app '{appId}'; the earliest a deployment can take effect is {nextHeight}");
        if (await session.LoadAsync<AppCode>(codeHash, ct) is null)
            session.Store(new AppCode(codeHash, wasm, DateTimeOffset.UtcNow));
        var deployed = new AppCodeDeployed
        {
            AppId = appId,
            CodeHash = codeHash,
            FromHeight = height,
            FuelLimit = fuelLimit,
            MemoryLimitBytes = memoryLimitBytes,
            SizeBytes = wasm.Length,
            DeployedAt = DateTimeOffset.UtcNow,
        };
        session.Events.Append(appId, deployed);
        await session.SaveChangesAsync(ct);
        return deployed;
    }
}
