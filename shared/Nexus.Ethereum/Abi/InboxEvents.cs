using System.Numerics;

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

    public static Submission Decode(IReadOnlyList<string> topics, string data)
    {
        var args = InputSubmitted.Decode(topics, data);
        var appId = AppIds.FromTopic(topics[1]);
        var sender = args.Single(a => a.Name == "sender").Value.ToLowerInvariant();
        var nonce = (long)BigInteger.Parse(args.Single(a => a.Name == "nonce").Value);
        var payload = Hex.Decode(args.Single(a => a.Name == "payload").Value);
        return new Submission(appId, sender, nonce, payload);
    }
}
