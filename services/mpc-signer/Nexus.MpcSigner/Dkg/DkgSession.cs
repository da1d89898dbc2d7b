using System.Security.Cryptography;
using Google.Protobuf;
using Nexus.Contracts.Signer;
using Nexus.Crypto.Frost;
using Nexus.MpcSigner.Replica;
using DkgRound1Package = Nexus.Crypto.Frost.DkgRound1Package;

namespace Nexus.MpcSigner.Dkg;

/// <summary>
/// This replica's side of a DKG run: round one (commitment, proof of knowledge, a one-time encryption
/// key), round two (a share for each peer, encrypted to it), finish (check what it received, derive
/// its key share, seal it to the key file). The secret polynomial and the one-time key live in memory
/// for one run only; the group secret exists nowhere.
/// </summary>
public sealed class DkgSession(ReplicaKey key, ILogger<DkgSession> log)
{
    /// <summary>An abandoned run's secrets are dropped after this long.</summary>
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(10);

    private sealed class Run(byte[] session, DkgSecret secret, DkgRound1Package own, ECDiffieHellman encryption)
    {
        public DateTimeOffset Started { get; } = DateTimeOffset.UtcNow;
        public byte[] Session { get; } = session;
        public DkgSecret Secret { get; } = secret;
        public DkgRound1Package Own { get; } = own;
        public ECDiffieHellman Encryption { get; } = encryption;
        public List<DkgRound1Package>? Others { get; set; }
        public Dictionary<int, byte[]>? EncryptionKeys { get; set; }
    }

    private readonly Lock _lock = new();
    private Run? _run;

    public DkgStartResponse Start(DkgStartRequest request)
    {
        if (request.Session.Length is < 16 or > 64)
            throw new ArgumentException("session must be 16..64 bytes");
        if (key.Current is not null || key.HasKeyFile)
            throw new InvalidOperationException("this replica already holds a key share; move its key file away to join a new committee");
        var (secret, package) = Crypto.Frost.Dkg.Start(key.Id, checked((int)request.MaxSigners), checked((int)request.MinSigners), request.Session.Span);
        var run = new Run(request.Session.ToByteArray(), secret, package, ShareEnvelope.NewKey());
        lock (_lock)
        {
            // A new run replaces the old one; its secret polynomial is wiped (its one-time key is left to
            // the collector, as a step of the old run may still be using it).
            _run?.Secret.Clear();
            _run = run;
        }
        log.LogInformation("DKG {Session}: round one as participant {Id} of {N}, threshold {T}", Convert.ToHexStringLower(run.Session)[..16], key.Id, request.MaxSigners, request.MinSigners);
        return new DkgStartResponse
        {
            Package = ByteString.CopyFrom(FrostEncoding.Encode(package)),
            EncryptionKey = ByteString.CopyFrom(ShareEnvelope.PublicKey(run.Encryption)),
        };
    }

    public DkgSharesResponse Shares(DkgSharesRequest request)
    {
        var run = Current(request.Session);
        var packages = request.Participants.Select(p => (Package: FrostEncoding.DecodeDkgRound1(p.Package.Span), Key: p.EncryptionKey.ToByteArray())).ToList();
        if (packages.Count != run.Secret.MaxSigners || packages.Select(p => p.Package.Id).Distinct().Count() != packages.Count)
            throw new ArgumentException($"need one round-one message from each of the {run.Secret.MaxSigners} participants");
        var mine = packages.SingleOrDefault(p => p.Package.Id == key.Id);
        if (mine.Package is null || !FrostEncoding.Encode(mine.Package).AsSpan().SequenceEqual(FrostEncoding.Encode(run.Own))
            || !mine.Key.AsSpan().SequenceEqual(ShareEnvelope.PublicKey(run.Encryption)))
            throw new ArgumentException("this replica's own round-one package or encryption key is missing or altered");
        run.Others = packages.Where(p => p.Package.Id != key.Id).Select(p => p.Package).ToList();
        run.EncryptionKeys = packages.ToDictionary(p => (int)p.Package.Id.Index, p => p.Key);
        var shares = Crypto.Frost.Dkg.SharesFor(run.Secret, run.Others);
        var response = new DkgSharesResponse();
        foreach (var (to, share) in shares)
        {
            var plain = Ciphersuite.SerializeScalar(share);
            response.Shares.Add(new EncryptedShare
            {
                From = key.Id.Index,
                To = to.Index,
                Ciphertext = ByteString.CopyFrom(ShareEnvelope.Seal(run.Encryption, run.EncryptionKeys[to.Index], run.Session, key.Id.Index, to.Index, plain)),
            });
            CryptographicOperations.ZeroMemory(plain);
        }
        return response;
    }

    public DkgFinishResponse Finish(DkgFinishRequest request)
    {
        var run = Current(request.Session);
        if (run.Others is null || run.EncryptionKeys is null)
            throw new InvalidOperationException("DKG round two has not run on this replica");
        var received = new Dictionary<Identifier, NBitcoin.Secp256k1.Scalar>();
        foreach (var share in request.Shares)
        {
            if (share.To != key.Id.Index || !run.EncryptionKeys.TryGetValue((int)share.From, out var senderKey) || share.From == key.Id.Index)
                throw new ArgumentException($"a share from {share.From} to {share.To} is not for this replica");
            var plain = ShareEnvelope.Open(run.Encryption, senderKey, run.Session, (int)share.From, key.Id.Index, share.Ciphertext.Span);
            received[new Identifier((ushort)share.From)] = Ciphersuite.DeserializeScalar(plain);
            CryptographicOperations.ZeroMemory(plain);
        }
        var (keyPackage, publicPackage) = Crypto.Frost.Dkg.Finish(run.Secret, run.Others, received, run.Own);
        // Every round-one message, encryption keys included: replicas that saw different keys for a peer
        // (a relay substituting them) report different transcripts.
        var transcript = SHA256.HashData([.. Crypto.Frost.Dkg.Transcript([run.Own, .. run.Others]),
            .. run.EncryptionKeys.OrderBy(k => k.Key).SelectMany(k => (byte[])[(byte)(k.Key >> 8), (byte)k.Key, .. SHA256.HashData(k.Value)])]);
        key.Install(keyPackage);
        lock (_lock)
        {
            run.Encryption.Dispose();
            _run = null;
        }
        log.LogInformation("DKG finished: key share {Id} sealed; group key {Group}, transcript {Transcript}",
            key.Id, Convert.ToHexStringLower(Ciphersuite.SerializeElement(publicPackage.GroupPublicKey)), Convert.ToHexStringLower(transcript));
        return new DkgFinishResponse
        {
            PublicKeyPackage = ByteString.CopyFrom(FrostEncoding.Encode(publicPackage)),
            Transcript = ByteString.CopyFrom(transcript),
            MinSigners = (uint)keyPackage.MinSigners,
        };
    }

    private Run Current(ByteString session)
    {
        lock (_lock)
        {
            if (_run is { } expired && DateTimeOffset.UtcNow - expired.Started > Lifetime)
            {
                expired.Secret.Clear();
                _run = null;
            }
            return _run is { } run && session.Span.SequenceEqual(run.Session)
                ? run
                : throw new InvalidOperationException("no DKG run with this session on this replica (it restarted, expired, or another run started)");
        }
    }
}
