using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using System.Diagnostics.Metrics;
using Nexus.AppStreams.Registry;
using Nexus.ChainListener.Scanning;
using Nexus.ChainListener.Watches;
using Nexus.Contracts.ChainListener;
using Nexus.Contracts.Registry;
using Nexus.Ethereum;
using Nexus.Ethereum.Abi;

namespace Nexus.ChainListener.Tests;

public class WatchScannerTests
{
    private const string Inbox = "0x00000000000000000000000000000000000000aa";
    private static readonly DateTimeOffset Now = DateTimeOffset.UnixEpoch;
    private static readonly string Topic0 = InboxEvents.InputSubmitted.Topic0;
    private static readonly (string, string[]) ForCounter = (Inbox, [Topic0, AppIds.ToTopic("counter")]);
    private static readonly (string, string[]) ForStranger = (Inbox, [Topic0, AppIds.ToTopic("stranger")]);

    private readonly List<ObservedInput> _published = [];
    private readonly RegisteredApp _app = RegisteredApp.Create(new AppRegistered
    {
        AppId = "counter", ChainId = 31337, Inbox = Inbox, Sources = [], Confirmations = 3, FromBlock = 1, RegisteredAt = Now,
    });

    private WatchScanner Scanner(FakeChain chain, int maxRange = 1_000) => new(
        chain,
        new ListenerOptions { MaxBlockRange = maxRange },
        new ListenerMetrics(new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<IMeterFactory>()),
        NullLogger.Instance,
        (inputs, _) => { _published.AddRange(inputs); return Task.CompletedTask; });

    private IReadOnlyList<WatchPlan> Plans => WatchPlan.For(31337, [_app], unclaimedConfirmations: 3);
    private WatchPlan AppPlan => Plans.Single(p => p.AppId == "counter");
    private WatchPlan UnclaimedPlan => Plans.Single(p => p.IsUnclaimed);
    private Dictionary<string, RegisteredApp> Registry => new() { ["counter"] = _app };

    private async Task<WatchCursor> RunUntilCaughtUp(WatchScanner scanner, FakeChain chain, WatchPlan plan, WatchCursor cursor)
    {
        for (var i = 0; i < 100; i++)
        {
            var step = await scanner.StepAsync(31337, plan, cursor, chain.Head, Registry, Now, CancellationToken.None);
            cursor = step.Cursor;
            if (step.CaughtUp) return cursor;
        }
        throw new InvalidOperationException("never caught up");
    }

    [Fact]
    public async Task Publishes_only_confirmed_logs_chained_in_order_with_block_ends_marked()
    {
        var chain = new FakeChain(1);
        chain.Mine(ForCounter, ForCounter);   // block 1: two inputs
        chain.Mine();                         // block 2: none
        chain.Mine(ForCounter);               // block 3
        chain.Mine(ForCounter);               // block 4: not yet confirmed at head 6 with 3 confirmations
        chain.Mine(); chain.Mine();

        var cursor = await RunUntilCaughtUp(Scanner(chain, maxRange: 2), chain, AppPlan, WatchCursor.Start(AppPlan, Now));

        _published.Select(p => p.Position.ToString()).ShouldBe(["1#0", "1#1", "3#0"]);
        _published.Select(p => p.Preceding?.ToString()).ShouldBe([null, "1#0", "1#1"]);
        _published.Select(p => p.LastOfL1Block).ShouldBe([false, true, true]);
        _published.ShouldAllBe(p => p.AppId == "counter" && p.InputId.StartsWith("31337:0x"));
        cursor.NextBlock.ShouldBe(4);
        cursor.LastPublished!.ToString().ShouldBe("3#0");
    }

    [Fact]
    public async Task A_reorg_inside_the_confirmation_window_never_publishes_the_orphaned_logs()
    {
        var chain = new FakeChain(3);
        var scanner = Scanner(chain);
        var cursor = await RunUntilCaughtUp(scanner, chain, AppPlan, WatchCursor.Start(AppPlan, Now));

        chain.Mine(ForCounter); chain.Mine(ForCounter);           // blocks 3, 4: still unconfirmed
        cursor = await RunUntilCaughtUp(scanner, chain, AppPlan, cursor);
        _published.ShouldBeEmpty();

        chain.Rewind(3);                                          // reorg of depth 2 < 3 confirmations
        chain.Mine(); chain.Mine(ForCounter, ForCounter);         // replacement: block 4 with two inputs
        chain.Mine(); chain.Mine(); chain.Mine();
        cursor = await RunUntilCaughtUp(scanner, chain, AppPlan, cursor);

        _published.Select(p => p.Position.ToString()).ShouldBe(["4#0", "4#1"]);
        _published.ShouldAllBe(p => p.BlockHash == chain.GetHeaderAsync(4, CancellationToken.None).Result!.Hash);
        cursor.Halted.ShouldBeFalse();
    }

    [Fact]
    public async Task A_reorg_while_a_range_is_read_publishes_nothing_and_the_next_step_reads_the_new_chain()
    {
        var chain = new FakeChain(1);
        chain.Mine(ForCounter); chain.Mine(); chain.Mine(); chain.Mine();
        var scanner = Scanner(chain);
        chain.DuringGetLogs = () =>
        {
            chain.DuringGetLogs = null;
            chain.Rewind(1);
            chain.Mine(ForCounter, ForCounter); chain.Mine(); chain.Mine(); chain.Mine();
        };

        var step = await scanner.StepAsync(31337, AppPlan, WatchCursor.Start(AppPlan, Now), chain.Head, Registry, Now, CancellationToken.None);
        step.Published.ShouldBe(0);
        step.Retry.ShouldNotBeNull();
        _published.ShouldBeEmpty();

        await RunUntilCaughtUp(scanner, chain, AppPlan, step.Cursor);
        _published.Count.ShouldBe(2);
        _published.ShouldAllBe(p => p.BlockHash == chain.GetHeaderAsync(1, CancellationToken.None).Result!.Hash);
    }

    [Fact]
    public async Task A_reorg_deeper_than_the_confirmations_halts_the_watch_and_publishes_nothing_more()
    {
        var chain = new FakeChain(1);
        chain.Mine(ForCounter); chain.Mine(); chain.Mine(); chain.Mine();
        var scanner = Scanner(chain);
        var cursor = await RunUntilCaughtUp(scanner, chain, AppPlan, WatchCursor.Start(AppPlan, Now));
        _published.Count.ShouldBe(1);

        chain.Rewind(1);                                          // replaces an already published block
        for (var i = 0; i < 6; i++) chain.Mine(ForCounter);
        cursor = await RunUntilCaughtUp(scanner, chain, AppPlan, cursor);

        cursor.Halted.ShouldBeTrue();
        cursor.HaltReason!.ShouldContain("block 1");
        _published.Count.ShouldBe(1);
        (await scanner.StepAsync(31337, AppPlan, cursor, chain.Head, Registry, Now, CancellationToken.None)).Published.ShouldBe(0);
    }

    [Fact]
    public async Task The_unclaimed_watch_reports_only_submissions_no_registered_app_covers()
    {
        var chain = new FakeChain(1);
        chain.Mine(ForCounter, ForStranger); chain.Mine(); chain.Mine(); chain.Mine();

        await RunUntilCaughtUp(Scanner(chain), chain, UnclaimedPlan, WatchCursor.Start(UnclaimedPlan, Now));

        var unclaimed = _published.Single();
        unclaimed.AppId.ShouldBe("stranger");
        unclaimed.Unclaimed.ShouldBeTrue();
        unclaimed.Preceding.ShouldBeNull();
    }

    [Fact]
    public async Task Resuming_from_a_saved_cursor_continues_the_chain_without_repeats()
    {
        var chain = new FakeChain(1);
        chain.Mine(ForCounter); chain.Mine(); chain.Mine(); chain.Mine();
        var cursor = await RunUntilCaughtUp(Scanner(chain), chain, AppPlan, WatchCursor.Start(AppPlan, Now));
        chain.Mine(ForCounter); chain.Mine(); chain.Mine(); chain.Mine();

        await RunUntilCaughtUp(Scanner(chain), chain, AppPlan, cursor);   // a new scanner: a restarted listener

        _published.Select(p => p.Position.ToString()).ShouldBe(["1#0", "5#0"]);
        _published[1].Preceding!.ToString().ShouldBe("1#0");
    }

    [Fact]
    public async Task A_group_of_a_thousand_watches_costs_the_node_what_one_watch_costs_and_each_gets_only_its_own_logs()
    {
        static FakeChain Chain()
        {
            var chain = new FakeChain(1);
            chain.Mine(ForCounter, (Inbox, [Topic0, AppIds.ToTopic("idle-7")]), ForCounter);
            chain.Mine(); chain.Mine(ForStranger); chain.Mine(ForCounter);
            for (var i = 0; i < 4; i++) chain.Mine();
            return chain;
        }
        var idle = Enumerable.Range(0, 999).Select(i => RegisteredApp.Create(_app.Registration with { AppId = $"idle-{i}" })).ToList();
        var registry = idle.Append(_app).ToDictionary(a => a.Id);
        var plans = WatchPlan.For(31337, [.. registry.Values], unclaimedConfirmations: 3).Where(p => !p.IsUnclaimed).ToList();

        var alone = Chain();
        var one = await Scanner(alone).StepAsync(31337, [(AppPlan, WatchCursor.Start(AppPlan, Now))], alone.Head, registry, Now, CancellationToken.None);
        var publishedAlone = _published.ToList();
        _published.Clear();
        var together = Chain();
        var all = await Scanner(together).StepAsync(31337, plans.Select(p => (p, WatchCursor.Start(p, Now))).ToList(), together.Head, registry, Now, CancellationToken.None);

        together.Calls.ShouldBe(alone.Calls);
        all.Published.ShouldBe(one.Published + 1);
        _published.Where(p => p.AppId == "counter").Select(p => (p.Position.ToString(), p.Preceding?.ToString()))
            .ShouldBe(publishedAlone.Select(p => (p.Position.ToString(), p.Preceding?.ToString())));
        _published.Single(p => p.AppId != "counter").AppId.ShouldBe("idle-7");
        all.Cursors.ShouldAllBe(c => c.NextBlock == one.Cursor.NextBlock && c.LastBlockHash == one.Cursor.LastBlockHash);
        all.Cursors.Count(c => c.LastPublished != null).ShouldBe(2);
    }

    [Fact]
    public async Task A_group_whose_watches_stand_at_different_blocks_is_refused()
    {
        var chain = new FakeChain(5);
        var other = RegisteredApp.Create(_app.Registration with { AppId = "other", FromBlock = 2 });
        var plans = WatchPlan.For(31337, [_app, other], unclaimedConfirmations: 3).Where(p => !p.IsUnclaimed).ToList();
        await Should.ThrowAsync<ArgumentException>(() => Scanner(chain).StepAsync(
            31337, plans.Select(p => (p, WatchCursor.Start(p, Now))).ToList(), chain.Head, Registry, Now, CancellationToken.None));
    }
}
