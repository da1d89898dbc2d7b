namespace Nexus.Ethereum.Abi;

/// <summary>The NexusInbox contract's event, the common way for a dApp to send an app an input.</summary>
public static class InboxEvents
{
    public static readonly EventSignature InputSubmitted =
        EventSignature.Parse("InputSubmitted(bytes32 indexed appId, address indexed sender, uint64 nonce, bytes payload)");

    /// <summary>Decoded inbox submission; the app id is read from topic 1.</summary>
    public sealed record Submission(string? AppId, string Sender, long Nonce, byte[] Payload);

    /// <summary>
    /// The log NexusInbox emits for a submission (topics and data, hex) — the inverse of <see cref="Decode"/>,
    /// for tests and load tools that fabricate inputs without a node.
    /// </summary>
    public static (IReadOnlyList<string> Topics, string Data) Encode(string appId, string sender, ulong nonce, byte[] payload)
    {
        var address = Hex.Decode(sender);
        if (address.Length != 20)
            throw new FormatException($"'{sender}' is not a 20-byte address");
        string[] topics = [InputSubmitted.Topic0, AppIds.ToTopic(appId), Hex.Encode([.. new byte[12], .. address])];
        var data = new Nethereum.ABI.ABIEncode().GetABIEncoded(new Nethereum.ABI.ABIValue("uint64", nonce), new Nethereum.ABI.ABIValue("bytes", payload));
        return (topics, Hex.Encode(data));
    }

    /// <summary>A submission decoded strictly (see <see cref="TryDecode"/>); <see cref="FormatException"/> with the reason otherwise.</summary>
    public static Submission Decode(IReadOnlyList<string> topics, string data)
    {
        if (topics.Count != 3 || !string.Equals(topics[0], InputSubmitted.Topic0, StringComparison.OrdinalIgnoreCase))
            throw new FormatException("not an InputSubmitted log (topic 0, or not three topics)");
        var decoded = TryDecode(Hex.Decode(topics[2]), Hex.Decode(data))
            ?? throw new FormatException($"log data does not decode as {InputSubmitted.Text}: not the canonical encoding of (uint64 nonce, bytes payload) with an address topic");
        // The inbox counts nonces from 0 in a uint64; one past 2^63 cannot come from it, and is refused
        // rather than recorded as a negative number.
        if (decoded.Nonce > long.MaxValue)
            throw new FormatException($"nonce {decoded.Nonce} is beyond what the inbox issues");
        return new Submission(AppIds.FromTopic(topics[1]), Hex.Encode(decoded.Sender), (long)decoded.Nonce, decoded.Payload);
    }

    /// <summary>The raw fields of a submission: the 20-byte sender, the nonce, the payload.</summary>
    public sealed record RawSubmission(byte[] Sender, ulong Nonce, byte[] Payload);

    /// <summary>
    /// <c>InputSubmitted(bytes32 indexed appId, address indexed sender, uint64 nonce, bytes payload)</c>'s
    /// sender topic and data, decoded by hand (this runs for every inbox input, in the sequencer and in the
    /// runtime; Nethereum's decoder and a re-encoding check cost several times more) and strictly: only the
    /// canonical encoding is accepted — zero padding everywhere, the payload's offset 64, its length
    /// exactly covering the rest. Null for anything else. Tests compare it with Nethereum's decoder.
    /// </summary>
    public static RawSubmission? TryDecode(ReadOnlySpan<byte> senderTopic, byte[] data)
    {
        if (senderTopic.Length != 32 || senderTopic[..12].IndexOfAnyExcept((byte)0) >= 0 || data.Length < 96)
            return null;
        var d = data.AsSpan();
        if (d[..24].IndexOfAnyExcept((byte)0) >= 0 || !IsWord(d[32..64], 64) || d[64..88].IndexOfAnyExcept((byte)0) >= 0)
            return null;
        var length = System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(d[88..96]);
        if (length > (ulong)(data.Length - 96) || (ulong)data.Length != 96 + (length + 31) / 32 * 32
            || d[(96 + (int)length)..].IndexOfAnyExcept((byte)0) >= 0)
            return null;
        return new RawSubmission(senderTopic[12..].ToArray(), System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(d[24..32]), d.Slice(96, (int)length).ToArray());
    }

    private static bool IsWord(ReadOnlySpan<byte> word, byte value) =>
        word[..31].IndexOfAnyExcept((byte)0) < 0 && word[31] == value;
}
