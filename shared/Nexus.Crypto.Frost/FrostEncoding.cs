using System.Buffers.Binary;
using NBitcoin.Secp256k1;
using static Nexus.Crypto.Frost.Ciphersuite;

namespace Nexus.Crypto.Frost;

/// <summary>
/// Versioned binary encodings of everything FROST parties exchange or keep. Each starts with a
/// format byte (<see cref="Version"/>); identifiers are big-endian u16; points SEC1-compressed;
/// scalars 32 bytes big-endian. Decoding checks every field (version, length, range, curve
/// membership) and throws <see cref="FrostException"/> rather than returning something half-valid.
/// </summary>
public static class FrostEncoding
{
    public const byte Version = 1;

    public static byte[] Encode(KeyPackage k) =>
        [Version, .. Id(k.Id), .. U16(k.MinSigners), .. SerializeScalar(k.SigningShare), .. SerializeElement(k.VerifyingShare), .. SerializeElement(k.GroupPublicKey)];

    public static KeyPackage DecodeKeyPackage(ReadOnlySpan<byte> b)
    {
        var r = new Reader(b, "key package");
        var id = r.Id();
        var minSigners = r.U16();
        var key = new KeyPackage(id, r.Scalar(), r.Element(), r.Element(), minSigners);
        r.End();
        if (minSigners < 2)
            throw new FrostException($"key package: threshold {minSigners} is below 2");
        if (!Frost.Same(Frost.BaseMult(key.SigningShare), key.VerifyingShare))
            throw new FrostException("key package: the verifying share is not the signing share's public key");
        return key;
    }

    public static byte[] Encode(SigningCommitments c) => [Version, .. Id(c.Id), .. SerializeElement(c.Hiding), .. SerializeElement(c.Binding)];

    public static SigningCommitments DecodeCommitments(ReadOnlySpan<byte> b)
    {
        var r = new Reader(b, "signing commitments");
        var c = new SigningCommitments(r.Id(), r.Element(), r.Element());
        r.End();
        return c;
    }

    public static byte[] Encode(SignatureShare s) => [Version, .. Id(s.Id), .. SerializeScalar(s.Z)];

    public static SignatureShare DecodeShare(ReadOnlySpan<byte> b)
    {
        var r = new Reader(b, "signature share");
        var s = new SignatureShare(r.Id(), r.Scalar());
        r.End();
        return s;
    }

    public static byte[] Encode(DkgRound1Package p) =>
        [Version, .. Id(p.Id), .. U16(p.Commitment.Count), .. p.Commitment.SelectMany(c => SerializeElement(c)), .. SerializeElement(p.ProofR), .. SerializeScalar(p.ProofZ)];

    public static DkgRound1Package DecodeDkgRound1(ReadOnlySpan<byte> b)
    {
        var r = new Reader(b, "DKG round-one package");
        var id = r.Id();
        var count = r.U16();
        if (count is < 2 or > 1000)
            throw new FrostException($"DKG round-one package: {count} commitment points");
        var commitment = new List<GE>(count);
        for (var i = 0; i < count; i++)
            commitment.Add(r.Element());
        var p = new DkgRound1Package(id, commitment, r.Element(), r.Scalar());
        r.End();
        return p;
    }

    public static byte[] Encode(PublicKeyPackage p) =>
        [Version, .. SerializeElement(p.GroupPublicKey), .. U16(p.VerifyingShares.Count),
         .. p.VerifyingShares.OrderBy(kv => kv.Key.Index).SelectMany(kv => Id(kv.Key).Concat(SerializeElement(kv.Value)))];

    public static PublicKeyPackage DecodePublicKeyPackage(ReadOnlySpan<byte> b)
    {
        var r = new Reader(b, "public key package");
        var group = r.Element();
        var count = r.U16();
        var shares = new Dictionary<Identifier, GE>(count);
        for (var i = 0; i < count; i++)
        {
            var id = r.Id();
            if (!shares.TryAdd(id, r.Element()))
                throw new FrostException($"public key package: participant {id} twice");
        }
        r.End();
        return new PublicKeyPackage(group, shares);
    }

    private static byte[] Id(Identifier id) => U16(id.Index);

    private static byte[] U16(int value)
    {
        var b = new byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(b, checked((ushort)value));
        return b;
    }

    private ref struct Reader
    {
        private readonly ReadOnlySpan<byte> _bytes;
        private readonly string _what;
        private int _at;

        public Reader(ReadOnlySpan<byte> bytes, string what)
        {
            _bytes = bytes;
            _what = what;
            if (bytes.IsEmpty || bytes[0] != Version)
                throw new FrostException($"{what}: unknown format {(bytes.IsEmpty ? "(empty)" : bytes[0].ToString())}, expected {Version}");
            _at = 1;
        }

        private ReadOnlySpan<byte> Take(int n)
        {
            if (_at + n > _bytes.Length)
                throw new FrostException($"{_what}: truncated");
            var s = _bytes.Slice(_at, n);
            _at += n;
            return s;
        }

        public ushort U16() => BinaryPrimitives.ReadUInt16BigEndian(Take(2));
        public Identifier Id() => new(U16());
        public Scalar Scalar() => DeserializeScalar(Take(ScalarSize));
        public GE Element() => DeserializeElement(Take(ElementSize));

        public readonly void End()
        {
            if (_at != _bytes.Length)
                throw new FrostException($"{_what}: {_bytes.Length - _at} trailing bytes");
        }
    }
}
