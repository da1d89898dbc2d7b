using Microsoft.Extensions.Options;
using Nexus.AppStreams.Reading;
using Nexus.Contracts.Executor;
using Nexus.Contracts.Signer;
using Nexus.Crypto.Frost;
using Nexus.Ethereum;
using Nexus.Runtime.Blocks;

namespace Nexus.MpcSigner.Coordinator;

/// <summary>
/// One executed block from proposal to recorded signature: the replicas verify it (a quorum of t), t
/// of them sign the EIP-712 digest of its header (chain id and settlement contract in the domain),
/// and <see cref="BlockSigned"/> is appended to the app's stream once per height.
/// </summary>
public sealed class BlockSigner(
    ICoordinatorStore store,
    QuorumVerification quorum,
    SigningRound round,
    Committee committee,
    IOptions<SignerOptions> signer,
    SignerMetrics metrics,
    TimeProvider clock,
    ILogger<BlockSigner> log)
{
    /// <summary>Signs and records the block; null when another coordinator recorded this height first.</summary>
    public async Task<BlockSigned?> SignAsync(StreamEvent<BlockExecuted> executed, CancellationToken ct)
    {
        var started = clock.GetTimestamp();
        var block = executed.Data;
        var proposal = await store.ProposalAsync(executed, ct);
        var digest = BlockEncoding.SigningDigest(block.HeaderHash, block.Header.ChainId, signer.Value.SettlementContract);

        var agreeing = await quorum.AgreeingAsync(proposal, ct);
        var verified = clock.GetElapsedTime(started);
        var (signature, signers) = await round.SignAsync(agreeing, block.AppId, block.Height, block.HeaderHash, digest, ct);
        var signedIn = clock.GetElapsedTime(started) - verified;
        var signed = new BlockSigned
        {
            AppId = block.AppId,
            Height = block.Height,
            Header = block.Header,
            HeaderHash = block.HeaderHash,
            SettlementContract = signer.Value.SettlementContract,
            Digest = Hex.Encode(digest),
            Signature = Hex.Encode(signature.ToBytes()),
            GroupPublicKey = committee.GroupPublicKeyHex,
            Signers = signers,
            SignedAt = clock.GetUtcNow(),
        };
        if (!await store.RecordAsync(signed, executed.Version, ct))
        {
            log.LogInformation("App {AppId} block {Height}: already recorded by another coordinator", block.AppId, block.Height);
            return null;
        }
        var total = clock.GetElapsedTime(started);
        metrics.BlocksSigned.Add(1);
        metrics.RoundSeconds.Record(total.TotalSeconds);
        log.LogInformation("App {AppId} block {Height} signed by replicas {Signers} in {Ms:F0} ms (load and verify {VerifyMs:F0}, sign {SignMs:F0}, record {RecordMs:F0})",
            block.AppId, block.Height, string.Join(",", signers), total.TotalMilliseconds, verified.TotalMilliseconds, signedIn.TotalMilliseconds,
            (total - verified - signedIn).TotalMilliseconds);
        return signed;
    }
}
