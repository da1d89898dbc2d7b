using System.CommandLine;
using Marten;
using Nexus.AppStreams.Reading;
using Nexus.AppStreams.Registry;
using Nexus.Contracts.Executor;
using Nexus.Contracts.Registry;
using Nexus.Contracts.Sequencer;
using Nexus.Runtime.Wasm;
using Spectre.Console;

namespace Nexus.Cli.Apps;

public static class AppCommands
{
    public static Command Build() => new("app", "register, deploy code to, list and inspect apps") { Register(), Deploy(), List(), Show(), Rejections() };

    private static Command Register()
    {
        var id = new Option<string>("--id") { Description = "app id: 1-32 of a-z 0-9 -", Required = true };
        var inbox = new Option<string?>("--inbox") { Description = "NexusInbox address whose submissions to this app are inputs" };
        var payloadAbi = new Option<string?>("--payload-abi") { Description = "ABI types the inbox payload must decode as, e.g. '(uint256,address)'" };
        var sources = new Option<string[]>("--source")
        {
            Description = "a contract event that is an input: 'ADDRESS:EventName(type [indexed] name, ...)' (repeatable)",
            AllowMultipleArgumentsPerToken = false,
        };
        var confirmations = new Option<int>("--confirmations") { Description = "blocks a log must be buried under", DefaultValueFactory = _ => 2 };
        var fromBlock = new Option<long?>("--from-block") { Description = "first L1 block that counts (default: the current head)" };
        var cmd = new Command("register", "register an app: recorded as the first event of its stream") { id, inbox, payloadAbi, sources, confirmations, fromBlock };
        cmd.SetAction(async (p, ct) =>
        {
            var chain = CliOptions.Chain(p);
            var app = new AppRegistered
            {
                AppId = p.GetValue(id)!,
                ChainId = await chain.GetChainIdAsync(ct),
                Inbox = p.GetValue(inbox),
                PayloadAbi = p.GetValue(payloadAbi),
                Sources = (p.GetValue(sources) ?? []).Select(ParseSource).ToList(),
                Confirmations = p.GetValue(confirmations),
                FromBlock = p.GetValue(fromBlock) ?? await chain.GetHeadAsync(ct),
                RegisteredAt = DateTimeOffset.UtcNow,
            };
            using var store = CliOptions.Store(p);
            await AppRegistry.RegisterAsync(store, app, ct);
            AnsiConsole.MarkupLineInterpolated($"[green]registered[/] {app.AppId} on chain {app.ChainId} from block {app.FromBlock} ({app.Confirmations} confirmations)");
            return 0;
        });
        return cmd;
    }

    private static Command Deploy()
    {
        var id = new Option<string>("--id") { Description = "app id", Required = true };
        var wasm = new Option<FileInfo>("--wasm") { Description = "the app's WebAssembly module (ABI v1, see apps/sdk/ABI.md)", Required = true };
        var fromHeight = new Option<long?>("--from-height") { Description = "first app block height run with this code (default: the next block to be sealed)" };
        var fuel = new Option<long>("--fuel") { Description = "fuel limit per input", DefaultValueFactory = _ => AbiV1.DefaultFuelLimit };
        var memory = new Option<int>("--memory-mb") { Description = "linear memory limit in MiB", DefaultValueFactory = _ => (int)(AbiV1.DefaultMemoryLimitBytes >> 20) };
        var cmd = new Command("deploy", "store a WebAssembly module (content-addressed) and bind it to an app from a height") { id, wasm, fromHeight, fuel, memory };
        cmd.SetAction(async (p, ct) =>
        {
            var file = p.GetValue(wasm)!;
            if (!file.Exists) throw new ArgumentException($"--wasm: no file '{file.FullName}'");
            if (p.GetValue(fuel) is < 10_000 or > 100_000_000_000) throw new ArgumentException("--fuel must be between 10,000 and 100,000,000,000");
            if (p.GetValue(memory) is < 1 or > 4096) throw new ArgumentException("--memory-mb must be between 1 and 4096");
            var bytes = await File.ReadAllBytesAsync(file.FullName, ct);
            using (var runtime = new WasmRuntime(new RuntimeOptions { PoolingAllocator = false }))
            {
                // The same checks the executor makes: refuse now rather than at the first input.
                runtime.Load(bytes).CheckFits(new ExecutionLimits(p.GetValue(fuel), (long)p.GetValue(memory) << 20));
            }
            using var store = CliOptions.Store(p);
            var deployed = await AppCodeRegistry.DeployAsync(store, p.GetValue(id)!, WasmRuntime.CodeHash(bytes), bytes,
                p.GetValue(fromHeight), p.GetValue(fuel), (long)p.GetValue(memory) << 20, ct);
            AnsiConsole.MarkupLineInterpolated($"[green]deployed[/] {deployed.CodeHash} ({deployed.SizeBytes:N0} bytes) to {deployed.AppId} from height {deployed.FromHeight}, fuel {deployed.FuelLimit:N0}/input, memory {deployed.MemoryLimitBytes >> 20} MiB");
            return 0;
        });
        return cmd;
    }

    private static EventSource ParseSource(string text)
    {
        var colon = text.IndexOf(':');
        if (colon <= 0) throw new ArgumentException($"--source '{text}' must be 'ADDRESS:EventName(...)'");
        return new EventSource(text[..colon].Trim(), text[(colon + 1)..].Trim());
    }

    private static Command List()
    {
        var cmd = new Command("list", "list registered apps with their progress in each stage");
        cmd.SetAction(async (p, ct) =>
        {
            using var store = CliOptions.Store(p);
            await using var session = store.QuerySession();
            var table = new Table().AddColumns("app", "chain", "from block", "conf", "sources", "inputs", "sealed", "executed", "signed");
            foreach (var app in await AppStreamReader.RegistrationsAsync(session, ct))
            {
                var r = app.Registration;
                var progress = await AppStreamReader.ProgressAsync(session, app.Id, ct);
                var sources = string.Join("\n", (r.Inbox is null ? [] : new[] { $"inbox {r.Inbox}" }).Concat(r.Sources.Select(s => $"{s.Contract} {s.EventSignature}")));
                table.AddRow(Markup.Escape(app.Id), r.ChainId.ToString(), r.FromBlock.ToString(), r.Confirmations.ToString(), Markup.Escape(sources),
                    progress.Inputs.ToString(), Height(progress.SealedHeight), Height(progress.ExecutedHeight), Height(progress.SignedHeight));
            }
            AnsiConsole.Write(table);
            return 0;
        });
        return cmd;
    }

    /// <summary>A stage's last height, or a dash before its first block.</summary>
    public static string Height(long height) => height < 0 ? "-" : height.ToString();

    private static Command Rejections()
    {
        var id = new Option<string?>("--id") { Description = "only logs for this app id (registered or not)" };
        var last = new Option<int>("--last") { Description = "most recent N", DefaultValueFactory = _ => 50 };
        var cmd = new Command("rejections", "logs that were not sequenced, and why (unknown app, undecodable, too old)") { id, last };
        cmd.SetAction(async (p, ct) =>
        {
            using var store = CliOptions.Store(p);
            await using var session = store.QuerySession();
            var rows = await AppStreamReader.RejectionsAsync(session, p.GetValue(id), p.GetValue(last), ct);
            var table = new Table().AddColumns("app", "L1 position", "tx", "code", "reason");
            foreach (var r in rows)
                table.AddRow(Markup.Escape(r.AppId), r.Position.ToString(), r.TxHash[..18] + "…", r.Code.ToString(), Markup.Escape(r.Reason));
            AnsiConsole.Write(table);
            return 0;
        });
        return cmd;
    }

    private static Command Show()
    {
        var id = new Option<string>("--id") { Description = "app id", Required = true };
        var last = new Option<int>("--last") { Description = "show only the last N events", DefaultValueFactory = _ => 50 };
        var cmd = new Command("show", "print an app's stream: registration, inputs, blocks, rejections") { id, last };
        cmd.SetAction(async (p, ct) =>
        {
            using var store = CliOptions.Store(p);
            await using var session = store.QuerySession();
            var appId = p.GetValue(id)!;
            var events = await session.Events.FetchStreamAsync(appId, token: ct);
            if (events.Count == 0)
            {
                var rejected = await AppStreamReader.RejectionsAsync(session, appId, 1_000, ct);
                AnsiConsole.MarkupLineInterpolated($"[red]no app '{appId}'[/] ({rejected.Count} recent logs for this id were rejected as unknown app)");
                return 1;
            }
            foreach (var e in events.TakeLast(p.GetValue(last)))
                AnsiConsole.MarkupLine(StreamLine.Render(e.Version, e.Data));
            return 0;
        });
        return cmd;
    }
}

/// <summary>One line per stream event, for people reading a stream.</summary>
public static class StreamLine
{
    public static string Render(long version, object data) => data switch
    {
        AppRegistered r => $"[grey]{version,6}[/] [blue]registered[/] {Markup.Escape(r.AppId)} chain {r.ChainId} from block {r.FromBlock}, {r.Confirmations} confirmations",
        InputSequenced s => $"[grey]{version,6}[/] #{s.Input.Seq,-5} L1 {s.Input.Position,-9} {Markup.Escape(s.Input.Source.Split('(')[0]),-9} {Markup.Escape(Args(s.Input))}",
        BlockSealed b => $"[grey]{version,6}[/] [green]block {b.Height}[/] {b.Count} inputs (#{b.FirstSeq}..#{b.FirstSeq + b.Count - 1}), L1 {b.FromL1Block}..{b.ToL1Block}, inputs root {b.InputsRoot[..18]}…",
        InputRejected x => $"[grey]{version,6}[/] [red]rejected[/] L1 {x.Position} tx {x.TxHash[..10]}… {x.Code}: {Markup.Escape(x.Reason)}",
        AppCodeDeployed d => $"[grey]{version,6}[/] [blue]code[/] {d.CodeHash[..18]}… ({d.SizeBytes:N0} bytes) from height {d.FromHeight}, fuel {d.FuelLimit:N0}",
        BlockExecuted x => $"[grey]{version,6}[/] [green]executed {x.Height}[/] {x.Results.Count(r => r.Accepted)}/{x.Results.Count} accepted, {x.Header.OutputCount} outputs, state {x.Header.StateRoot[..18]}…, header {x.HeaderHash[..18]}…",
        Nexus.Contracts.Signer.BlockSigned g => $"[grey]{version,6}[/] [green]signed {g.Height}[/] by replicas {string.Join(",", g.Signers)}, signature {g.Signature[..18]}…",
        _ => $"[grey]{version,6}[/] {Markup.Escape(data.GetType().Name)}",
    };

    private static string Args(SequencedInput i)
    {
        var args = i.Arguments.Count > 0
            ? string.Join(", ", i.Arguments.Select(a => $"{a.Name}={Short(a.Value)}"))
            : $"payload={Short(i.Payload ?? "")}";
        return i.Sender is null ? args : $"nonce {i.Nonce} from {Short(i.Sender)}: {args}";
    }

    private static string Short(string s) => s.Length <= 14 ? s : s[..8] + "…" + s[^4..];
}
