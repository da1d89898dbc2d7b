namespace Nexus.IntegrationTests.Infrastructure;

/// <summary>Waits for something that happens asynchronously in the services under test.</summary>
public static class Poll
{
    public static Task Until(Func<bool> condition) => Until(() => Task.FromResult(condition()));

    public static Task Until(Func<Task<bool>> condition) => UntilAsync(condition, TimeSpan.FromSeconds(60));

    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"condition not met within {timeout.TotalSeconds:F0} s");
            await Task.Delay(200);
        }
    }

    /// <summary>The first non-null value <paramref name="probe"/> gives within <paramref name="timeout"/>.</summary>
    public static async Task<T?> UntilAsync<T>(Func<T?> probe, TimeSpan timeout) where T : class
    {
        T? value = null;
        await UntilAsync(() => Task.FromResult((value = probe()) is not null), timeout);
        return value;
    }
}
