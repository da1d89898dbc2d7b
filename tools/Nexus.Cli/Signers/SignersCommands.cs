using System.CommandLine;
using System.Security.Cryptography;
using System.Text.Json;
using Google.Protobuf;
using Grpc.Net.Client;
using Nexus.Contracts.Signer;
using Nexus.Crypto.Frost;
using Nexus.Hosting.Grpc;
using Spectre.Console;

namespace Nexus.Cli.Signers;

public static class SignersCommands
{
    public static Command Build() => new("signers", "the mpc-signer committee: certificates, key generation and status") { Certs(), Dkg(), Status() };

    private static readonly Option<FileInfo> Replicas = new("--replicas")
    {
        Description = "JSON naming each replica: {\"Replicas\":[{\"Id\":1,\"Url\":\"http://127.0.0.1:5114\",\"TokenFile\":\"…\",\"ServerCertificatePin\":\"(for https)\"}],\"ClientCertificateFile\":\"…\",\"ClientKeyFile\":\"…\"} (a coordinator's settings file works too)",
        Required = true,
    };

    private static Command Dkg()
    {
        var n = new Option<int>("--n") { Description = "committee size (must match the replicas listed)", Required = true };
        var t = new Option<int>("--t") { Description = "threshold: signers needed per signature", Required = true };
        var output = new Option<FileInfo>("--out") { Description = "where to write the committee's public keys (the coordinator's CommitteeFile)", DefaultValueFactory = _ => new FileInfo("committee.json") };
        var cmd = new Command("dkg", "run a distributed key generation across the replicas: each seals its own share; no machine holds the group secret") { n, t, Replicas, output };
        cmd.SetAction(async (p, ct) =>
        {
            var endpoints = ReadReplicas(p.GetValue(Replicas)!);
            var (size, threshold, outFile) = (p.GetValue(n), p.GetValue(t), p.GetValue(output)!);
            if (endpoints.Count != size)
                throw new ArgumentException($"--n {size}, but {endpoints.Count} replicas are listed");
            if (threshold < 2 || threshold > size)
                throw new ArgumentException($"--t must be 2..{size}");
            if (endpoints.Select(e => e.Id).Order().SequenceEqual(Enumerable.Range(1, size)) is false)
                throw new ArgumentException($"replica identifiers must be 1..{size}, each once");
            if (outFile.Exists)
                throw new InvalidOperationException($"{outFile.FullName} exists; move it away first (a committee file is never overwritten)");

            var committee = await AnsiConsole.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
                .StartAsync(async progress =>
                {
                    var tasks = new Dictionary<string, ProgressTask>();
                    return await DkgCeremony.RunAsync(endpoints, threshold, (step, done) =>
                    {
                        lock (tasks)
                        {
                            if (!tasks.TryGetValue(step, out var task))
                                tasks[step] = task = progress.AddTask(step, maxValue: endpoints.Count);
                            task.Value = done;
                        }
                    }, ct);
                });

            await File.WriteAllTextAsync(outFile.FullName, CommitteeFile.Serialize(committee), ct);
            AnsiConsole.MarkupLineInterpolated($"[green]committee of {size}, threshold {threshold}[/]: group public key [bold]{committee.GroupPublicKeyHex}[/]");
            AnsiConsole.MarkupLineInterpolated($"transcript {Convert.ToHexStringLower(committee.Transcript)} (every replica reported the same); written to {outFile.FullName}");
            return 0;
        });
        return cmd;
    }

    private static Command Certs()
    {
        var n = new Option<int>("--n") { Description = "replicas", Required = true };
        var output = new Option<DirectoryInfo>("--out") { Description = "directory for the PEM files and pins", Required = true };
        var cmd = new Command("certs", "self-signed certificates for mutual TLS: one per replica and one for the coordinator/operator, with their SHA-256 pins") { n, output };
        cmd.SetAction(p =>
        {
            var dir = p.GetValue(output)!;
            dir.Create();
            var names = Enumerable.Range(1, p.GetValue(n)).Select(i => $"replica-{i}").Append("coordinator").ToList();
            if (names.Any(name => File.Exists(Path.Combine(dir.FullName, name + "-tls.key"))))
                throw new InvalidOperationException($"{dir.FullName} already holds keys; certificates are never overwritten");
            var table = new Table().AddColumns("name", "certificate", "SHA-256 pin");
            foreach (var name in names)
            {
                using var cert = MutualTls.CreateSelfSigned("nexus-" + name);
                var (crt, key) = (Path.Combine(dir.FullName, name + "-tls.crt"), Path.Combine(dir.FullName, name + "-tls.key"));
                MutualTls.WritePem(cert, crt, key);
                var pin = MutualTls.Pin(cert);
                File.WriteAllText(Path.Combine(dir.FullName, name + "-tls.pin"), pin);
                table.AddRow(name, crt, pin);
            }
            AnsiConsole.Write(table);
            AnsiConsole.MarkupLine("Each replica: Replica:TlsCertificateFile/TlsKeyFile = its pair, Replica:ClientCertificatePins = the coordinator's pin. Coordinator: ClientCertificateFile/ClientKeyFile, and each replica's pin as ServerCertificatePin.");
            return 0;
        });
        return cmd;
    }

    private static Command Status()
    {
        var cmd = new Command("status", "each replica's identity, key and verified heights") { Replicas };
        cmd.SetAction(async (p, ct) =>
        {
            var table = new Table().AddColumns("replica", "url", "group key", "t", "apps verified");
            foreach (var e in ReadReplicas(p.GetValue(Replicas)!))
            {
                using var channel = e.Open();
                try
                {
                    var info = await SignerAuth.Client(channel.CreateCallInvoker(), e.Token).GetInfoAsync(new InfoRequest(), deadline: DateTime.UtcNow.AddSeconds(5), cancellationToken: ct);
                    table.AddRow(info.Identifier.ToString(), e.Url, info.GroupPublicKey.IsEmpty ? "(none)" : "0x" + Convert.ToHexStringLower(info.GroupPublicKey.Span)[..16] + "…",
                        info.MinSigners.ToString(), string.Join(", ", info.Apps.Select(a => $"{a.AppId}@{a.Height}")));
                }
                catch (Grpc.Core.RpcException x)
                {
                    table.AddRow(e.Id.ToString(), e.Url, $"[red]{Markup.Escape(x.StatusCode.ToString())}[/]", "", Markup.Escape(x.Status.Detail));
                }
            }
            AnsiConsole.Write(table);
            return 0;
        });
        return cmd;
    }

    public sealed record Endpoint(int Id, string Url, string Token, string? ServerPin, System.Security.Cryptography.X509Certificates.X509Certificate2? ClientCertificate)
    {
        /// <summary>A channel to the replica: mutual TLS when it is pinned, plain HTTP/2 otherwise.</summary>
        public GrpcChannel Open() => ServerPin is null
            ? GrpcChannel.ForAddress(Url)
            : MutualTls.Channel(Url, ClientCertificate ?? throw new ArgumentException($"replica {Id} is pinned for TLS but no ClientCertificateFile is given"), ServerPin);
    }

    private static IReadOnlyList<Endpoint> ReadReplicas(FileInfo file)
    {
        if (!file.Exists)
            throw new ArgumentException($"--replicas: {file.FullName} does not exist");
        using var json = JsonDocument.Parse(File.ReadAllText(file.FullName));
        var root = json.RootElement.TryGetProperty("Coordinator", out var c) ? c : json.RootElement;
        if (!root.TryGetProperty("Replicas", out var list) || list.ValueKind != JsonValueKind.Array)
            throw new ArgumentException($"--replicas: {file.Name} has no \"Replicas\" array");
        string Resolve(string path) => Path.IsPathRooted(path) ? path : Path.Combine(file.DirectoryName!, path);
        var client = root.TryGetProperty("ClientCertificateFile", out var cf) && cf.GetString() is { Length: > 0 } certificate
            ? MutualTls.Load(Resolve(certificate), Resolve(root.GetProperty("ClientKeyFile").GetString() ?? ""))
            : null;
        return list.EnumerateArray().Select(r =>
        {
            var id = r.GetProperty("Id").GetInt32();
            var url = r.GetProperty("Url").GetString() ?? throw new ArgumentException($"replica {id}: no Url");
            var token = r.TryGetProperty("TokenFile", out var tf) && tf.GetString() is { Length: > 0 } path
                ? File.ReadAllText(Resolve(path)).Trim()
                : r.TryGetProperty("Token", out var tk) ? tk.GetString() ?? "" : "";
            if (token.Length == 0)
                throw new ArgumentException($"replica {id}: no Token or TokenFile");
            var pin = r.TryGetProperty("ServerCertificatePin", out var sp) && sp.GetString() is { Length: > 0 } p ? p : null;
            return new Endpoint(id, url, token, pin, client);
        }).ToList();
    }
}

/// <summary>
/// The operator's side of the DKG: relays round-one messages to everyone and each encrypted round-two
/// share to its recipient (it cannot read them), then checks every replica derived the same public
/// keys from the same transcript (a replica that equivocated in round one is caught here).
/// </summary>
public static class DkgCeremony
{
    public static async Task<Committee> RunAsync(IReadOnlyList<SignersCommands.Endpoint> endpoints, int threshold,
        Action<string, int> progress, CancellationToken ct)
    {
        var channels = endpoints.Select(e => e.Open()).ToList();
        try
        {
            var clients = endpoints.Select((e, i) => SignerAuth.Client(channels[i].CreateCallInvoker(), e.Token)).ToList();
            var session = ByteString.CopyFrom(RandomNumberGenerator.GetBytes(32));
            var deadline = () => DateTime.UtcNow.AddSeconds(60);

            async Task<T[]> Step<T>(string name, Func<int, Task<T>> call)
            {
                var done = 0;
                progress(name, 0);
                return await Task.WhenAll(clients.Select(async (_, i) =>
                {
                    try
                    {
                        var result = await call(i);
                        progress(name, Interlocked.Increment(ref done));
                        return result;
                    }
                    catch (Grpc.Core.RpcException e)
                    {
                        throw new InvalidOperationException($"{name}: replica {endpoints[i].Id} ({endpoints[i].Url}): {e.StatusCode}: {e.Status.Detail}");
                    }
                }));
            }

            var infos = await Step("connect", i => clients[i].GetInfoAsync(new InfoRequest(), deadline: deadline(), cancellationToken: ct).ResponseAsync);
            for (var i = 0; i < infos.Length; i++)
                if (infos[i].Identifier != endpoints[i].Id)
                    throw new InvalidOperationException($"the replica at {endpoints[i].Url} is identifier {infos[i].Identifier}, listed as {endpoints[i].Id}");

            var round1 = await Step("round 1: commitments", i => clients[i].DkgStartAsync(
                new DkgStartRequest { Session = session, MaxSigners = (uint)endpoints.Count, MinSigners = (uint)threshold }, deadline: deadline(), cancellationToken: ct).ResponseAsync);
            var sharesRequest = new DkgSharesRequest { Session = session };
            sharesRequest.Participants.AddRange(round1.Select(r => new DkgParticipant { Package = r.Package, EncryptionKey = r.EncryptionKey }));

            var round2 = await Step("round 2: encrypted shares", i => clients[i].DkgSharesAsync(sharesRequest, deadline: deadline(), cancellationToken: ct).ResponseAsync);
            var all = round2.SelectMany(r => r.Shares).ToList();

            var finished = await Step("finish: seal key shares", i =>
            {
                var request = new DkgFinishRequest { Session = session };
                request.Shares.AddRange(all.Where(s => s.To == endpoints[i].Id));
                return clients[i].DkgFinishAsync(request, deadline: deadline(), cancellationToken: ct).ResponseAsync;
            });

            // Everyone must have derived the same public keys from the same round-one messages.
            for (var i = 1; i < finished.Length; i++)
                if (!finished[i].Transcript.Equals(finished[0].Transcript) || !finished[i].PublicKeyPackage.Equals(finished[0].PublicKeyPackage))
                    throw new InvalidOperationException($"replicas {endpoints[0].Id} and {endpoints[i].Id} disagree on the DKG transcript or keys: do not use this committee; discard the key files and run again");
            var committee = new Committee(FrostEncoding.DecodePublicKeyPackage(finished[0].PublicKeyPackage.Span), threshold, finished[0].Transcript.ToByteArray());
            if (committee.MaxSigners != endpoints.Count || finished.Any(f => f.MinSigners != threshold))
                throw new InvalidOperationException("the replicas report a different committee size or threshold");
            return committee;
        }
        finally
        {
            foreach (var c in channels)
                c.Dispose();
        }
    }
}
