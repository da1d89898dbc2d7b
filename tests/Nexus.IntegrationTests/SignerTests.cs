using System.Numerics;
using Grpc.Core;
using Nexus.Apps;
using Nexus.Contracts.Signer;
using Nexus.Crypto.Frost;
using Nexus.Ethereum;
using Nexus.LocalDev.Chain;
using Nexus.IntegrationTests.Infrastructure;
using Nexus.MpcSigner.Coordinator;
using Nexus.MpcSigner.Replica;
using Nexus.Runtime.Blocks;
using Nexus.State;
using Npgsql;

namespace Nexus.IntegrationTests;

/// <summary>
/// The mpc-signer on real infrastructure: five replicas (threshold three) that each check inputs on
/// their own node and re-execute, a coordinator, and the faults the committee must survive.
/// </summary>
public sealed class SignerTests
{
    private static byte[] Amount(int amount) => new Nethereum.ABI.ABIEncode().GetABIEncoded(new BigInteger(amount));

    private static async Task<(Pipeline P, Nexus.Contracts.Registry.AppRegistered App)> PipelineAsync(string name)
    {
        var p = await Pipeline.StartAsync(name);
        var app = await p.RegisterAsync("counter", inbox: true, payloadAbi: "(uint256 amount)", confirmations: 1);
        await p.DeployCodeAsync(app.AppId, SampleApps.Counter);
        return (p, app);
    }

    private static async Task StartServicesAsync(Pipeline p)
    {
        await p.StartSequencerAsync();
        await p.StartExecutorAsync();
        await p.StartListenerAsync();
    }

    private static async Task SubmitAsync(Pipeline p, string appId, int from, int count)
    {
        await p.Dapp.SubmitBatchAsync(p.Inbox, appId, Enumerable.Range(from, count).Select(Amount).ToList());
        await p.Dapp.MineAsync(2);
    }

    /// <summary>Waits until <paramref name="inputs"/> are executed and every executed block is signed.</summary>
    private static async Task<IReadOnlyList<BlockSigned>> AllSignedAsync(Pipeline p, SignerCommittee c, string appId, int inputs)
    {
        await Poll.Until(async () => (await p.ExecutedAsync(appId)).Sum(b => b.Results.Count) == inputs);
        var executed = await p.ExecutedAsync(appId);
        await Poll.Until(async () => (await c.SignedAsync(appId)).Count == executed.Count);
        return await c.SignedAsync(appId);
    }

    /// <summary>Each signature is over the header the executor recorded, in the domain, and verifies under the group key.</summary>
    private static async Task CheckSignaturesAsync(Pipeline p, IReadOnlyList<BlockSigned> signed, Committee committee)
    {
        var executed = (await p.ExecutedAsync(signed[0].AppId)).ToDictionary(b => b.Height);
        signed.Select(s => s.Height).ShouldBe(Enumerable.Range(0, signed.Count).Select(i => (long)i));
        foreach (var s in signed)
        {
            s.HeaderHash.ShouldBe(executed[s.Height].HeaderHash);
            s.GroupPublicKey.ShouldBe(committee.GroupPublicKeyHex);
            s.Signers.Count.ShouldBe(committee.MinSigners);
            var digest = BlockEncoding.SigningDigest(s.HeaderHash, DevAccounts.DevChainId, SignerCommittee.SettlementContract);
            Hex.Encode(digest).ShouldBe(s.Digest);
            Frost.Verify(committee.Public.GroupPublicKey, digest, Signature.FromBytes(Hex.Decode(s.Signature))).ShouldBeTrue();
        }
    }

    [Fact]
    public async Task A_DKG_committee_signs_every_block_with_one_replica_down_which_catches_up_when_back_and_the_signature_verifies_on_chain()
    {
        var (p, app) = await PipelineAsync("sign");
        await using var _ = p;
        await using var c = SignerCommittee.Create(p, 5, 3, deal: false);
        await c.StartReplicasAsync();

        var dkg = await Cli.RunAsync(p, "signers", "dkg", "--n", "5", "--t", "3", "--replicas", c.ReplicasFilePath, "--out", c.CommitteeFilePath);
        dkg.Exit.ShouldBe(0, dkg.Output);
        var committee = CommitteeFile.Read(c.CommitteeFilePath);
        dkg.Output.ShouldContain(committee.GroupPublicKeyHex);
        committee.MinSigners.ShouldBe(3);
        foreach (var m in c.Members)
        {
            var (client, channel) = c.Client(m.Id);
            using (channel)
            {
                var info = await client.GetInfoAsync(new InfoRequest());
                ("0x" + Convert.ToHexStringLower(info.GroupPublicKey.Span)).ShouldBe(committee.GroupPublicKeyHex);
                info.VerifyingShare.ToByteArray().ShouldBe(Ciphersuite.SerializeElement(committee.Public.VerifyingShares[new Identifier((ushort)m.Id)]));
            }
            // Sealed at rest: the file opens only with the replica's passphrase.
            Should.Throw<FrostException>(() => KeyShareFile.Open(File.ReadAllBytes(m.KeyFile), "wrong passphrase"));
        }
        // A replica never trades its share for a new one silently.
        var again = await Cli.RunAsync(p, "signers", "dkg", "--n", "5", "--t", "3", "--replicas", c.ReplicasFilePath, "--out", Path.Combine(c.Dir, "second.json"));
        again.Exit.ShouldNotBe(0);
        again.Output.ShouldContain("already holds a key share");

        await StartServicesAsync(p);
        await c.StopReplicaAsync(5);
        await c.StartCoordinatorAsync();
        await SubmitAsync(p, app.AppId, 1, 30);
        var signed = await AllSignedAsync(p, c, app.AppId, 30);
        await CheckSignaturesAsync(p, signed, committee);
        signed.ShouldAllBe(s => !s.Signers.Contains(5));
        await Poll.Until(() => p.SignedPublished.Where(s => s.AppId == app.AppId).Select(s => s.Height).Distinct().Count() == signed.Count);

        // Back: it is fed the blocks it missed, verifies them in order, and signs again.
        await c.StartReplicaAsync(5);
        await SubmitAsync(p, app.AppId, 31, 20);
        signed = await AllSignedAsync(p, c, app.AppId, 50);
        await CheckSignaturesAsync(p, signed, committee);
        var last = signed[^1];
        var (five, fiveChannel) = c.Client(5);
        using (fiveChannel)
            await Poll.Until(async () => (await five.GetInfoAsync(new InfoRequest())).Apps.SingleOrDefault(a => a.AppId == app.AppId) is { } progress
                && progress.Height >= last.Height);
        var status = await Cli.RunAsync(p, "signers", "status", "--replicas", c.ReplicasFilePath);
        status.Exit.ShouldBe(0, status.Output);
        status.Output.ShouldContain($"{app.AppId}@{last.Height}");

        // The settlement side: FrostVerifier.sol accepts the digest and signature with the group key.
        var (px, py) = Ciphersuite.Coordinates(committee.Public.GroupPublicKey);
        var address = await p.Dapp.DeployAsync("FrostVerifier", default, U(px), U(py));
        var verifier = p.Dapp.Web3.Eth.GetContract(Nexus.Ethereum.Artifacts.SolidityArtifact.Load("FrostVerifier").Abi, address);
        var signature = Signature.FromBytes(Hex.Decode(last.Signature));
        var (rx, ry) = Ciphersuite.Coordinates(signature.R);
        var z = U(Ciphersuite.SerializeScalar(signature.Z));
        (await verifier.GetFunction("verify").CallAsync<bool>(Hex.Decode(last.Digest), U(rx), U(ry), z)).ShouldBeTrue();
        (await verifier.GetFunction("verify").CallAsync<bool>(Hex.Decode(signed[0].Digest), U(rx), U(ry), z)).ShouldBeFalse();
    }

    private static BigInteger U(byte[] bigEndian) => new(bigEndian, isUnsigned: true, isBigEndian: true);

    [Fact]
    public async Task A_replica_sending_wrong_shares_is_identified_excluded_and_alarmed_and_signing_completes_with_the_others()
    {
        var (p, app) = await PipelineAsync("cheat");
        await using var _ = p;
        await using var c = SignerCommittee.Create(p, 5, 3);
        // Replica 2's key file holds a consistent-looking share from another dealing: its shares cannot verify.
        c.WriteKey(c.Members[1], TrustedDealer.Deal(5, 3).Packages[1]);
        await c.StartReplicasAsync();
        await StartServicesAsync(p);
        var coordinator = await c.StartCoordinatorAsync();

        await SubmitAsync(p, app.AppId, 1, 12);
        var signed = await AllSignedAsync(p, c, app.AppId, 12);
        var committee = CommitteeFile.Read(c.CommitteeFilePath);
        await CheckSignaturesAsync(p, signed, committee);
        signed.ShouldAllBe(s => !s.Signers.Contains(2));

        using var http = new HttpClient();
        var metrics = await http.GetStringAsync(coordinator.BaseUrl + "/metrics");
        metrics.Split('\n').ShouldContain(l => l.StartsWith("nexus_signer_bad_shares") && l.Contains("replica=\"2\""));

        // A second coordinator stands by while the first leads, and takes over when it stops.
        await using var standby = await c.StartStandbyCoordinatorAsync();
        // (Both run in this process, so their metrics mix; ask the services themselves.)
        static bool Leads(Nexus.LocalDev.Hosting.InProcessService s) =>
            ((SigningCoordinator)s.Services.GetService(typeof(SigningCoordinator))!).IsLeader;
        // The standby has asked for the lead (and keeps asking) while the first one holds it.
        await Poll.Until(() => ((SigningCoordinator)standby.Services.GetService(typeof(SigningCoordinator))!).LeadershipChecks >= 2);
        Leads(coordinator).ShouldBeTrue();
        Leads(standby).ShouldBeFalse();
        await c.StopCoordinatorAsync();
        await SubmitAsync(p, app.AppId, 13, 6);
        signed = await AllSignedAsync(p, c, app.AppId, 18);
        await CheckSignaturesAsync(p, signed, committee);
        Leads(standby).ShouldBeTrue();
    }

    [Fact]
    public async Task Replicas_whose_state_or_node_disagree_refuse_with_a_reason_and_nothing_is_signed_by_fewer_than_t()
    {
        var (p, app) = await PipelineAsync("disagree");
        await using var _ = p;
        await using var chain2 = await SecondChain.StartAsync();
        await using var c = SignerCommittee.Create(p, 5, 3);
        await c.StartReplicasAsync();
        await StartServicesAsync(p);
        await c.StartCoordinatorAsync();
        await SubmitAsync(p, app.AppId, 1, 5);
        var before = (await AllSignedAsync(p, c, app.AppId, 5)).Count;
        var height = (await p.ExecutedAsync(app.AppId))[^1].Height;
        foreach (var id in new[] { 3, 4, 5 })
        {
            var (client, channel) = c.Client(id);
            using (channel)
                await Poll.Until(async () => (await client.GetInfoAsync(new InfoRequest())).Apps.Any(a => a.AppId == app.AppId && a.Height == height));
        }

        // Replica 3 goes down; replica 4's state is altered behind its back; replica 5 now reads another chain.
        await c.StopReplicaAsync(3);
        await c.StopReplicaAsync(4);
        await TamperStateAsync(c.Members[3].Schema, app.AppId);
        await c.StartReplicaAsync(4);
        await c.StopReplicaAsync(5);
        await c.StartReplicaAsync(5, chain2.RpcUrl);

        await SubmitAsync(p, app.AppId, 6, 5);
        await Poll.Until(async () => (await p.ExecutedAsync(app.AppId)).Sum(b => b.Results.Count) == 10);
        // The coordinator has put the new block to the committee and heard both refusals.
        await Poll.Until(() => new[] { 4, 5 }.All(id => c.CoordinatorReplica(id).LastRefusal is { Height: var h } && h == height + 1));
        (await c.SignedAsync(app.AppId)).Count.ShouldBe(before, "two agreeing replicas must not produce a signature");

        var proposal = await c.ProposalAsync(app.AppId, height + 1);
        var (four, fourChannel) = c.Client(4);
        using (fourChannel)
        {
            var verdict = await four.VerifyAsync(proposal);
            verdict.Status.ShouldBe(VerifyStatus.Refused);
            verdict.Reason.ShouldContain("re-execution gives header");
        }
        var (fiveClient, fiveChannel) = c.Client(5);
        using (fiveChannel)
        {
            var verdict = await fiveClient.VerifyAsync(proposal);
            verdict.Status.ShouldBe(VerifyStatus.Refused);
            verdict.Reason.ShouldContain("not confirmed by this replica's node");
        }

        // A third honest replica returns: t agree again and the blocks are signed, without 4 and 5.
        await c.StartReplicaAsync(3);
        var signed = await AllSignedAsync(p, c, app.AppId, 10);
        signed.Count.ShouldBeGreaterThan(before);
        signed.Skip(before).ShouldAllBe(s => s.Signers.OrderBy(x => x).SequenceEqual(new[] { 1, 2, 3 }));
        await CheckSignaturesAsync(p, signed, CommitteeFile.Read(c.CommitteeFilePath));
    }

    /// <summary>Adds a key to the replica's copy of the app state and points its head at the altered root.</summary>
    private static async Task TamperStateAsync(string schema, string appId)
    {
        await using var data = NpgsqlDataSource.Create(LocalInfra.Postgres);
        var nodes = new StateNodes(data, schema);
        await using var read = data.CreateCommand($"select state_root from {schema}.signer_heads where app_id = $1");
        read.Parameters.Add(new NpgsqlParameter { Value = appId });
        var root = (byte[])(await read.ExecuteScalarAsync())!;
        var tree = await nodes.LoadAsync(appId, root, default);
        tree.Set("tampered"u8.ToArray(), [1]);
        await nodes.WriteAsync(appId, tree.TakeNewNodes(), default);
        await using var write = data.CreateCommand($"update {schema}.signer_heads set state_root = $2 where app_id = $1");
        write.Parameters.Add(new NpgsqlParameter { Value = appId });
        write.Parameters.Add(new NpgsqlParameter { Value = tree.Root });
        (await write.ExecuteNonQueryAsync()).ShouldBe(1);
    }

    [Fact]
    public async Task A_coordinator_killed_mid_round_leaves_no_reusable_nonce_and_the_block_is_signed_after_restart()
    {
        var (p, app) = await PipelineAsync("crash");
        await using var _ = p;
        await using var c = SignerCommittee.Create(p, 5, 3);
        await c.StartReplicasAsync();
        await StartServicesAsync(p);
        await SubmitAsync(p, app.AppId, 1, 5);
        await Poll.Until(async () => (await p.ExecutedAsync(app.AppId)).Sum(b => b.Results.Count) == 5);
        var first = (await p.ExecutedAsync(app.AppId))[0];

        // A coordinator's round, cut off after two of three replicas released their shares.
        var clients = c.Members.Take(3).Select(m => c.Client(m.Id)).ToList();
        try
        {
            var proposal = await c.ProposalAsync(app.AppId, 0);
            var (seal, _, _) = ProposalJson.Decode(proposal);
            var registration = ProposalJson.Registration(proposal.RegistrationJson)!;
            proposal.Code = Google.Protobuf.ByteString.CopyFrom(SampleApps.Counter);
            foreach (var (client, _) in clients)
                (await client.VerifyAsync(proposal)).Status.ShouldBe(VerifyStatus.Verified);

            // Replica 4 judges continuity before executing: a block that does not start at its next
            // sequence number is refused; once it verified a header, another one at that height is too.
            var (four, fourChannel) = c.Client(4);
            using (fourChannel)
            {
                var skipped = proposal.Clone();
                skipped.SealJson = ProposalJson.Encode(seal with { FirstSeq = seal.FirstSeq + 1 });
                var gap = await four.VerifyAsync(skipped);
                gap.Status.ShouldBe(VerifyStatus.Refused);
                gap.Reason.ShouldContain("sequence number");
                // Real logs, but not this app's inputs by its registration: refused.
                var foreign = proposal.Clone();
                foreign.RegistrationJson = ProposalJson.Encode(registration with { Inbox = p.Auction });
                var notMine = await four.VerifyAsync(foreign);
                notMine.Status.ShouldBe(VerifyStatus.Refused);
                notMine.Reason.ShouldContain("not one of the app's registered sources");
                (await four.VerifyAsync(proposal)).Status.ShouldBe(VerifyStatus.Verified);
                var other = proposal.Clone();
                other.HeaderHash = "0x" + new string('4', 64);
                (await four.VerifyAsync(other)).Status.ShouldBe(VerifyStatus.Refused);
            }
            var commitments = new List<NonceCommitment>();
            foreach (var (client, _) in clients)
                commitments.Add((await client.CommitAsync(new CommitRequest { Count = 1 })).Commitments[0]);
            var request = new SignRequest
            {
                AppId = app.AppId, Height = 0, HeaderHash = first.HeaderHash,
                Digest = Google.Protobuf.ByteString.CopyFrom(BlockEncoding.SigningDigest(first.HeaderHash, DevAccounts.DevChainId, SignerCommittee.SettlementContract)),
            };
            request.Commitments.AddRange(commitments.Select(x => x.Commitments));
            var released = new List<SignRequest>();
            for (var i = 0; i < 2; i++)
            {
                var mine = request.Clone();
                mine.NonceId = commitments[i].Id;
                (await clients[i].Client.SignAsync(mine)).Share.IsEmpty.ShouldBeFalse();
                released.Add(mine);
            }

            // The restarted coordinator signs the block with fresh nonces…
            await c.StartCoordinatorAsync();
            var signed = await AllSignedAsync(p, c, app.AppId, 5);
            await CheckSignaturesAsync(p, signed, CommitteeFile.Read(c.CommitteeFilePath));

            // …and the nonces released before the crash can never sign again, not even the same header.
            for (var i = 0; i < 2; i++)
            {
                var reuse = await Should.ThrowAsync<RpcException>(clients[i].Client.SignAsync(released[i]).ResponseAsync);
                reuse.StatusCode.ShouldBe(StatusCode.FailedPrecondition);
            }
            // Nor after a replica restart (secret nonces are never on disk; used ones are recorded).
            await c.StopReplicaAsync(1);
            await c.StartReplicaAsync(1);
            RpcException afterRestart = null!;
            // The client's connection went down with the replica: wait for it to reach the new process.
            await Poll.Until(async () =>
            {
                afterRestart = await Should.ThrowAsync<RpcException>(clients[0].Client.SignAsync(released[0]).ResponseAsync);
                return afterRestart.StatusCode != StatusCode.Unavailable;
            });
            afterRestart.StatusCode.ShouldBe(StatusCode.FailedPrecondition);
            await using var data = NpgsqlDataSource.Create(LocalInfra.Postgres);
            await using var count = data.CreateCommand($"select count(*) from {c.Members[0].Schema}.signer_nonces where id = $1 and used_at is not null");
            count.Parameters.Add(new NpgsqlParameter { Value = Guid.Parse(released[0].NonceId) });
            ((long)(await count.ExecuteScalarAsync())!).ShouldBe(1);

            // The faithful crash: a coordinator process SIGKILLed as soon as it starts signing a new burst.
            await c.StopCoordinatorAsync();
            var process = p.StartProcess("Nexus.MpcSigner", settings: c.CoordinatorSettings());
            var before = (await c.SignedAsync(app.AppId)).Count;
            for (var i = 0; i < 4; i++)
                await p.Dapp.SubmitBatchAsync(p.Inbox, app.AppId, Enumerable.Range(6 + 10 * i, 10).Select(Amount).ToList());
            await p.Dapp.MineAsync(2);
            await Poll.Until(async () => (await c.SignedAsync(app.AppId)).Count > before);
            await process.KillAsync();
            await c.StartCoordinatorAsync();
            signed = await AllSignedAsync(p, c, app.AppId, 45);
            await CheckSignaturesAsync(p, signed, CommitteeFile.Read(c.CommitteeFilePath));
            // A reused nonce would show as a repeated R (the same commitments) across signatures.
            signed.Select(s => s.Signature[..68]).Distinct().Count().ShouldBe(signed.Count);
        }
        finally
        {
            foreach (var (_, channel) in clients)
                channel.Dispose();
        }
    }

    [Fact]
    public async Task Garbage_and_wrong_authentication_on_the_gRPC_endpoint_are_rejected_and_the_replica_stays_healthy_and_signs()
    {
        var (p, app) = await PipelineAsync("garbage");
        await using var _ = p;
        await using var c = SignerCommittee.Create(p, 5, 3);
        await c.StartReplicasAsync();

        var (wrong, wrongChannel) = c.Client(1, token: "not-the-token-of-replica-1");
        using (wrongChannel)
            (await Should.ThrowAsync<RpcException>(wrong.CommitAsync(new CommitRequest { Count = 1 }).ResponseAsync)).StatusCode.ShouldBe(StatusCode.Unauthenticated);
        var (other, otherChannel) = c.Client(1, token: c.Members[1].Token);
        using (otherChannel)
            (await Should.ThrowAsync<RpcException>(other.GetInfoAsync(new InfoRequest()).ResponseAsync)).StatusCode.ShouldBe(StatusCode.Unauthenticated);
        using (var bare = Grpc.Net.Client.GrpcChannel.ForAddress($"http://127.0.0.1:{c.Members[0].GrpcPort}"))
            (await Should.ThrowAsync<RpcException>(new Signer.SignerClient(bare).GetInfoAsync(new InfoRequest()).ResponseAsync)).StatusCode.ShouldBe(StatusCode.Unauthenticated);

        var (client, channel) = c.Client(1);
        using (channel)
        {
            // Bytes that are not a protobuf message at all.
            var raw = new Method<byte[], byte[]>(MethodType.Unary, "nexus.signer.v1.Signer", "Sign",
                Marshallers.Create(b => b, b => b), Marshallers.Create(b => b, b => b));
            var junk = Enumerable.Range(0, 300).Select(i => (byte)(i * 97 + 13)).ToArray();
            var invoker = channel.CreateCallInvoker();
            var headers = new Metadata { { SignerAuth.Header, "Bearer " + c.Members[0].Token } };
            var garbled = await Should.ThrowAsync<RpcException>(invoker.AsyncUnaryCall(raw, null, new CallOptions(headers), junk).ResponseAsync);
            garbled.StatusCode.ShouldNotBe(StatusCode.OK);

            // Well-formed messages with malformed content.
            (await Should.ThrowAsync<RpcException>(client.CommitAsync(new CommitRequest { Count = 0 }).ResponseAsync)).StatusCode.ShouldBe(StatusCode.InvalidArgument);
            var badSign = new SignRequest { AppId = app.AppId, Height = 0, HeaderHash = "0x" + new string('1', 64), NonceId = Guid.NewGuid().ToString() };
            badSign.Commitments.Add(Google.Protobuf.ByteString.CopyFrom(junk[..67]));
            badSign.Commitments.Add(Google.Protobuf.ByteString.CopyFrom(new byte[67]));
            badSign.Commitments.Add(Google.Protobuf.ByteString.CopyFromUtf8("x"));
            (await Should.ThrowAsync<RpcException>(client.SignAsync(badSign).ResponseAsync)).StatusCode.ShouldBe(StatusCode.InvalidArgument);
            var badProposal = new BlockProposal { AppId = app.AppId, Height = 0, HeaderHash = "0x" + new string('2', 64), SealJson = Google.Protobuf.ByteString.CopyFromUtf8("{not json"), InputsJson = Google.Protobuf.ByteString.CopyFromUtf8("[]") };
            (await Should.ThrowAsync<RpcException>(client.VerifyAsync(badProposal).ResponseAsync)).StatusCode.ShouldBe(StatusCode.InvalidArgument);
            (await Should.ThrowAsync<RpcException>(client.VerifyAsync(new BlockProposal { AppId = app.AppId, Height = -5, HeaderHash = "zz" }).ResponseAsync)).StatusCode.ShouldBe(StatusCode.InvalidArgument);
            // A share for a header it never verified is refused.
            var commit = (await client.CommitAsync(new CommitRequest { Count = 1 })).Commitments[0];
            var unverified = new SignRequest { AppId = app.AppId, Height = 0, HeaderHash = "0x" + new string('3', 64), NonceId = commit.Id };
            unverified.Commitments.Add(commit.Commitments);
            foreach (var id in new[] { 2, 3 })
            {
                var (peer, peerChannel) = c.Client(id);
                using (peerChannel)
                    unverified.Commitments.Add((await peer.CommitAsync(new CommitRequest { Count = 1 })).Commitments[0].Commitments);
            }
            (await Should.ThrowAsync<RpcException>(client.SignAsync(unverified).ResponseAsync)).StatusCode.ShouldBe(StatusCode.FailedPrecondition);
        }

        // Still healthy, and still part of the committee: it signs the app's blocks.
        using var http = new HttpClient();
        (await http.GetAsync(c.Replica(1).BaseUrl + "/health/ready")).IsSuccessStatusCode.ShouldBeTrue();
        await c.StopReplicaAsync(4);
        await c.StopReplicaAsync(5);
        await StartServicesAsync(p);
        await c.StartCoordinatorAsync();
        await SubmitAsync(p, app.AppId, 1, 5);
        var signed = await AllSignedAsync(p, c, app.AppId, 5);
        signed.ShouldAllBe(s => s.Signers.Contains(1));
    }

    [Fact]
    public async Task A_misconfigured_signer_refuses_to_start_and_says_why()
    {
        var (p, _) = await PipelineAsync("sigcfg");
        await using var __ = p;
        await using var c = SignerCommittee.Create(p, 3, 2);

        var roles = c.ReplicaSettings(1);
        roles["Signer:Roles"] = "leader";
        var invalid = await Should.ThrowAsync<Microsoft.Extensions.Options.OptionsValidationException>(() =>
            Nexus.LocalDev.Hosting.InProcessService.StartAsync(b => Nexus.MpcSigner.SignerHost.AddMpcSigner(b), roles));
        string.Join(" ", invalid.Failures).ShouldContain("Roles");

        var shortToken = c.ReplicaSettings(1);
        shortToken["Replica:Token"] = "short";
        (await Should.ThrowAsync<InvalidOperationException>(() => c.StartWithAsync(shortToken))).Message.ShouldContain("at least 16 characters");

        var wrongPassphrase = c.ReplicaSettings(2);
        wrongPassphrase["Replica:Passphrase"] = "not the passphrase";
        await Should.ThrowAsync<FrostException>(() => c.StartWithAsync(wrongPassphrase));

        var noCommittee = c.CoordinatorSettings();
        noCommittee["Coordinator:CommitteeFile"] = Path.Combine(c.Dir, "missing.json");
        (await Should.ThrowAsync<FrostException>(() => c.StartWithAsync(noCommittee))).Message.ShouldContain("nexus signers dkg");
    }

    [Fact]
    public async Task With_mutual_TLS_only_pinned_clients_reach_a_replica_and_blocks_are_signed_over_it()
    {
        var (p, app) = await PipelineAsync("mtls");
        await using var _ = p;
        await using var c = SignerCommittee.Create(p, 3, 2, tls: true);
        await c.StartReplicasAsync();
        var one = c.Members[0];

        // The operator's CLI, with the client certificate and the pins from the replicas file.
        var status = await Cli.RunAsync(p, "signers", "status", "--replicas", c.ReplicasFilePath);
        status.Exit.ShouldBe(0, status.Output);
        status.Output.ShouldContain(one.Url);
        status.Output.ShouldNotContain("Unavailable");

        // Without a client certificate, with one that is not pinned, or in plain HTTP/2: no call gets through.
        var token = new Grpc.Core.Metadata { { SignerAuth.Header, "Bearer " + one.Token } };
        var anyServer = new SocketsHttpHandler { SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true } };
        using (var noCertificate = Grpc.Net.Client.GrpcChannel.ForAddress(one.Url, new Grpc.Net.Client.GrpcChannelOptions { HttpHandler = anyServer }))
            await Should.ThrowAsync<RpcException>(new Signer.SignerClient(noCertificate).GetInfoAsync(new InfoRequest(), token).ResponseAsync);
        using (var stranger = Nexus.Hosting.Grpc.MutualTls.Channel(one.Url, Nexus.Hosting.Grpc.MutualTls.CreateSelfSigned("stranger"), one.Tls!.Value.Pin))
            await Should.ThrowAsync<RpcException>(new Signer.SignerClient(stranger).GetInfoAsync(new InfoRequest(), token).ResponseAsync);
        using (var plain = Grpc.Net.Client.GrpcChannel.ForAddress($"http://127.0.0.1:{one.GrpcPort}"))
            await Should.ThrowAsync<RpcException>(new Signer.SignerClient(plain).GetInfoAsync(new InfoRequest(), token).ResponseAsync);
        // A client that pins another server certificate does not talk to this one.
        using (var wrongPin = Nexus.Hosting.Grpc.MutualTls.Channel(one.Url, Nexus.Hosting.Grpc.MutualTls.Load(c.ClientTls!.Value.Certificate, c.ClientTls.Value.Key), c.Members[1].Tls!.Value.Pin))
            await Should.ThrowAsync<RpcException>(new Signer.SignerClient(wrongPin).GetInfoAsync(new InfoRequest(), token).ResponseAsync);

        await StartServicesAsync(p);
        await c.StartCoordinatorAsync();
        await SubmitAsync(p, app.AppId, 1, 5);
        var signed = await AllSignedAsync(p, c, app.AppId, 5);
        await CheckSignaturesAsync(p, signed, CommitteeFile.Read(c.CommitteeFilePath));
    }
}
