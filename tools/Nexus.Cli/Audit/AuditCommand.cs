using System.CommandLine;
using Marten;
using Nexus.AppStreams.Reading;
using Nexus.Runtime.Wasm;
using Spectre.Console;

namespace Nexus.Cli.Audit;

public static class AuditCommand
{
    public static Command Build()
    {
        var id = new Option<string>("--app") { Description = "app id", Required = true };
        var to = new Option<long?>("--to") { Description = "stop after this height" };
        var cmd = new Command("audit", "re-execute an app from genesis from its stream in PostgreSQL and check every recorded result and root") { id, to };
        cmd.SetAction(async (p, ct) =>
        {
            var appId = p.GetValue(id)!;
            using var store = CliOptions.Store(p);
            using var runtime = new WasmRuntime(new RuntimeOptions { PoolingAllocator = false });
            await using var session = store.QuerySession();
            var sealedBlocks = ((await AppStreamReader.LastAsync<Nexus.Contracts.Sequencer.BlockSealed>(session, appId, ct))?.Data.Height ?? -1) + 1;
            var total = Math.Max(1, p.GetValue(to) is { } t ? Math.Min(t + 1, sealedBlocks) : sealedBlocks);

            AuditReport? report = null;
            await AnsiConsole.Progress()
                .AutoClear(true)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                .StartAsync(async ctx =>
                {
                    var task = ctx.AddTask($"replaying {appId}", maxValue: total);
                    report = await new Auditor(store, runtime).RunAsync(appId, p.GetValue(to), h => task.Value = h + 1, ct);
                });

            var r = report!;
            if (r.Divergence is { } d)
            {
                AnsiConsole.MarkupLineInterpolated($"[red]DIVERGENCE[/] at block {d.Height}{(d.Seq is { } s ? $", input #{s}" : "")}: {d.What}");
                AnsiConsole.MarkupLineInterpolated($"  recorded: {d.Expected}");
                AnsiConsole.MarkupLineInterpolated($"  replayed: {d.Got}");
                AnsiConsole.MarkupLineInterpolated($"  ({r.Blocks} blocks before it verified)");
                return 2;
            }
            AnsiConsole.MarkupLineInterpolated($"[green]OK[/] {r.Blocks} blocks, {r.Inputs} inputs verified, final state root {r.StateRoot}");
            if (r.HeaderHash is not null)
                AnsiConsole.MarkupLineInterpolated($"   last header hash {r.HeaderHash}");
            if (r.Unexecuted > 0)
                AnsiConsole.MarkupLineInterpolated($"   {r.Unexecuted} sealed blocks not executed yet (replayed, nothing to compare)");
            return 0;
        });
        return cmd;
    }
}
