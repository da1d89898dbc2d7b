using System.Buffers.Binary;
using System.Text;
using Nexus.Contracts.Executor;
using Nexus.Ethereum;
using Nexus.Runtime.Wasm;

namespace Nexus.Runtime.Blocks;

/// <summary>
/// The committed encodings of a block: header hash, results leaves and outputs leaves. All are
/// standard <c>abi.encode</c> of static tuples (plus one dynamic <c>bytes</c>), written directly for
/// speed and checked against Nethereum's encoder in tests, so a Solidity contract rebuilds them with
/// <c>abi.encode</c>.
/// </summary>
public static class BlockEncoding
{
    private const int Word = 32;

    public const string HeaderType =
        "NexusBlockHeader(uint256 chainId,bytes32 appId,uint64 height,bytes32 previousHeaderHash,bytes32 codeHash," +
        "bytes32 inputsRoot,uint32 inputCount,bytes32 stateRoot,bytes32 outputsRoot,uint32 outputCount," +
        "bytes32 resultsRoot,uint64 l1Block)";

    public static readonly byte[] HeaderTypeHash = Keccak256.Hash(Encoding.ASCII.GetBytes(HeaderType));

    public static readonly string Zero32 = Hex.Encode(new byte[32]);

    /// <summary>keccak256(abi.encode(HEADER_TYPEHASH, fields…)): the EIP-712 struct hash of the header.</summary>
    public static string HeaderHash(BlockHeader h)
    {
        var buffer = new byte[13 * Word];
        var s = buffer.AsSpan();
        HeaderTypeHash.CopyTo(s);
        Uint(s, 1, (ulong)h.ChainId);
        AppIds.ToBytes32(h.AppId).CopyTo(s[(2 * Word)..]);
        Uint(s, 3, (ulong)h.Height);
        Bytes32(s, 4, h.PreviousHeaderHash);
        Bytes32(s, 5, h.CodeHash);
        Bytes32(s, 6, h.InputsRoot);
        Uint(s, 7, (uint)h.InputCount);
        Bytes32(s, 8, h.StateRoot);
        Bytes32(s, 9, h.OutputsRoot);
        Uint(s, 10, (uint)h.OutputCount);
        Bytes32(s, 11, h.ResultsRoot);
        Uint(s, 12, (ulong)h.L1Block);
        return Hex.Encode(Keccak256.Hash(buffer));
    }

    private static readonly byte[] DomainTypeHash =
        Keccak256.Hash(Encoding.ASCII.GetBytes("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"));

    /// <summary>
    /// What the committee signs for a header: the EIP-712 digest keccak256(0x1901 ‖ domainSeparator ‖
    /// headerHash) with domain (name "Nexus", version "1", chain id, the settlement contract), so a
    /// signature is valid for one chain and one contract only (contracts/solidity/BlockHeaders.sol).
    /// </summary>
    public static byte[] SigningDigest(string headerHash, long chainId, string verifyingContract)
    {
        var domain = new byte[5 * Word];
        var d = domain.AsSpan();
        DomainTypeHash.CopyTo(d);
        Keccak256.Hash("Nexus"u8.ToArray()).CopyTo(d[Word..]);
        Keccak256.Hash("1"u8.ToArray()).CopyTo(d[(2 * Word)..]);
        Uint(d, 3, (ulong)chainId);
        var contract = Hex.Decode(verifyingContract);
        if (contract.Length != 20)
            throw new FormatException($"'{verifyingContract}' is not a 20-byte address");
        contract.CopyTo(d[(4 * Word + 12)..]);
        var separator = Keccak256.Hash(domain);
        var header = Hex.Decode(headerHash);
        if (header.Length != Word)
            throw new FormatException($"'{headerHash}' is not 32 bytes of hex");
        return Keccak256.Hash([0x19, 0x01, .. separator, .. header]);
    }

    /// <summary>abi.encode(uint64 seq, uint8 reason, uint32 code, uint64 fuelUsed, uint32 outputCount).</summary>
    public static byte[] ResultLeaf(long seq, RejectReason reason, int code, long fuelUsed, int outputCount)
    {
        var buffer = new byte[5 * Word];
        var s = buffer.AsSpan();
        Uint(s, 0, (ulong)seq);
        Uint(s, 1, (byte)reason);
        Uint(s, 2, (uint)code);
        Uint(s, 3, (ulong)fuelUsed);
        Uint(s, 4, (uint)outputCount);
        return buffer;
    }

    /// <summary>abi.encode(uint8 kind, uint64 inputSeq, address target, bytes payload).</summary>
    public static byte[] OutputLeaf(OutputKind kind, long inputSeq, ReadOnlySpan<byte> target, ReadOnlySpan<byte> payload)
    {
        var padded = (payload.Length + Word - 1) / Word * Word;
        var buffer = new byte[5 * Word + padded];
        var s = buffer.AsSpan();
        Uint(s, 0, (byte)kind);
        Uint(s, 1, (ulong)inputSeq);
        target.CopyTo(s[(2 * Word + 12)..]);
        Uint(s, 3, 4 * Word);
        Uint(s, 4, (ulong)payload.Length);
        payload.CopyTo(s[(5 * Word)..]);
        return buffer;
    }

    private static void Uint(Span<byte> s, int word, ulong value) =>
        BinaryPrimitives.WriteUInt64BigEndian(s.Slice(word * Word + Word - 8, 8), value);

    private static void Bytes32(Span<byte> s, int word, string hex)
    {
        var bytes = Hex.Decode(hex);
        if (bytes.Length != Word)
            throw new FormatException($"'{hex}' is not 32 bytes of hex");
        bytes.CopyTo(s[(word * Word)..]);
    }
}
