using Nexus.IntegrationTests.Infrastructure;

namespace Nexus.IntegrationTests;

/// <summary>The operator CLI, run as operators run it, against a test's own schema and the dev node.</summary>
public sealed class CliTests
{
    private static Task<(int Exit, string Output)> Nexus(Pipeline p, params string[] args) => Cli.RunAsync(p, args);

    [Fact]
    public async Task Operators_deploy_register_list_and_inspect_apps_and_bad_input_gets_a_clear_error()
    {
        await using var p = await Pipeline.StartAsync("cli");
        var appId = "cli-" + p.Id[^8..].Replace('_', '-');

        var deploy = await Nexus(p, "contracts", "deploy", "--dev-key");
        deploy.Exit.ShouldBe(0, deploy.Output);
        deploy.Output.ShouldContain("NexusInbox");
        deploy.Output.ShouldContain("SampleAuction");

        var register = await Nexus(p, "app", "register", "--id", appId, "--inbox", p.Inbox, "--payload-abi", "(uint256 amount)",
            "--source", $"{p.Auction}:BidPlaced(address indexed bidder, uint256 indexed lotId, uint256 amount)", "--confirmations", "3");
        register.Exit.ShouldBe(0, register.Output);
        register.Output.ShouldContain("registered " + appId);

        var again = await Nexus(p, "app", "register", "--id", appId, "--inbox", p.Inbox);
        again.Exit.ShouldBe(1);
        again.Output.ShouldContain("already registered");

        (await Nexus(p, "app", "register", "--id", "Bad_Id", "--inbox", p.Inbox)).Output.ShouldContain("app id 'Bad_Id' is invalid");
        (await Nexus(p, "app", "register", "--id", "x-" + appId[..10], "--inbox", "0x1234")).Output.ShouldContain("not a 0x-prefixed 20-byte address");
        (await Nexus(p, "app", "register", "--id", "y-" + appId[..10], "--source", $"{p.Auction}:NotAnEvent")).Output.ShouldContain("event signature");

        var list = await Nexus(p, "app", "list");
        list.Exit.ShouldBe(0, list.Output);
        list.Output.ShouldContain(appId);

        var show = await Nexus(p, "app", "show", "--id", appId);
        show.Exit.ShouldBe(0, show.Output);
        show.Output.ShouldContain("registered " + appId);

        var missing = await Nexus(p, "app", "show", "--id", "no-such-app");
        missing.Exit.ShouldBe(1);
        missing.Output.ShouldContain("no app 'no-such-app'");
    }
}
