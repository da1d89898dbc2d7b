namespace Nexus.IntegrationTests.Infrastructure;

/// <summary>Waits for something that happens asynchronously in the services under test.</summary>
public static class Poll
{
    public static Task Until(Func<bool> condition) => Until(() => Task.FromResult(condition()));

    public static async Task Until(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("condition not met within 60 s");
            await Task.Delay(200);
        }
    }
}
