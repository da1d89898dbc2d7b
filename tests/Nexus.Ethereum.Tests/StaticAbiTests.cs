using Nethereum.ABI.FunctionEncoding;
using Nexus.Ethereum.Abi;

namespace Nexus.Ethereum.Tests;

/// <summary>The word-by-word decoder against Nethereum's decoder and its canonical re-encoding check, on random and edge words.</summary>
public sealed class StaticAbiTests
{
    private static readonly string[] Types =
    [
        "uint8", "uint16", "uint32", "uint64", "uint128", "uint160", "uint248", "uint256",
        "int8", "int16", "int64", "int128", "int256", "address", "bool", "bytes1", "bytes4", "bytes20", "bytes31", "bytes32",
    ];

    /// <summary>Nethereum's answer: the rendered value, or null when the word is not a canonical encoding.</summary>
    private static string? Reference(string type, byte[] word)
    {
        var parameters = PayloadCodec.ParseTypes($"({type})");
        try
        {
            var outputs = new ParameterDecoder().DecodeDefaultData(word, parameters);
            PayloadCodec.EnsureCanonical(parameters, outputs.Select(o => o.Result).ToList(), word);
            return PayloadCodec.Render(outputs[0].Result);
        }
        catch (Exception)
        {
            return null;
        }
    }

    private static string? Fast(string type, byte[] word)
    {
        try
        {
            return StaticAbi.Render(type, word);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static IEnumerable<byte[]> Words(Random random, string type)
    {
        // Edge words: zero, all ones, one, the top bit alone, and a value that fits exactly.
        yield return new byte[32];
        yield return Enumerable.Repeat((byte)0xff, 32).ToArray();
        var one = new byte[32];
        one[31] = 1;
        yield return one;
        var top = new byte[32];
        top[0] = 0x80;
        yield return top;
        for (var i = 0; i < 200; i++)
        {
            var word = new byte[32];
            random.NextBytes(word);
            // Half of them canonical-looking: padding cleared (or sign-extended) to the type's size.
            if (i % 2 == 0)
            {
                var size = type switch { "address" => 20, "bool" => 1, _ when type.StartsWith("bytes") => 0, _ => int.Parse(type.TrimStart('u', 'i', 'n', 't')) / 8 };
                if (type == "bool") word[31] &= 1;
                if (type.StartsWith("bytes"))
                    Array.Clear(word, int.Parse(type[5..]), 32 - int.Parse(type[5..]));
                else
                {
                    var fill = type.StartsWith("int") && (word[32 - size] & 0x80) != 0 ? (byte)0xff : (byte)0;
                    Array.Fill(word, fill, 0, 32 - size);
                }
            }
            yield return word;
        }
    }

    [Fact]
    public void Every_static_type_decodes_and_refuses_exactly_as_Nethereum_does()
    {
        var random = new Random(1234);
        var compared = 0;
        foreach (var type in Types)
            foreach (var word in Words(random, type))
            {
                var (expected, got) = (Reference(type, word), Fast(type, word));
                if (type == "address")
                    expected = expected?.ToLowerInvariant(); // rendered in lower case here, in checksum case by Nethereum
                got.ShouldBe(expected, $"{type} {Convert.ToHexString(word)}");
                compared++;
            }
        compared.ShouldBe(Types.Length * 204);
    }

    [Fact]
    public void Both_canonical_and_refused_words_occur_for_every_type()
    {
        var random = new Random(99);
        foreach (var type in Types.Where(t => t != "uint256" && t != "int256" && t != "bytes32"))
        {
            var outcomes = Words(random, type).Select(w => Fast(type, w) is not null).ToList();
            outcomes.ShouldContain(true, type);
            outcomes.ShouldContain(false, type);
        }
    }

    [Fact]
    public void A_payload_of_static_types_must_be_exactly_one_word_each()
    {
        var parameters = PayloadCodec.ParseTypes("(uint256 amount, address to)");
        var good = new byte[64];
        good[31] = 5;
        PayloadCodec.Decode(parameters, good).Select(a => a.Value).ShouldBe(["5", "0x0000000000000000000000000000000000000000"]);
        Should.Throw<FormatException>(() => PayloadCodec.Decode(parameters, good[..63]));
        Should.Throw<FormatException>(() => PayloadCodec.Decode(parameters, [.. good, .. new byte[32]]));
        good[32] = 1; // address padding
        Should.Throw<FormatException>(() => PayloadCodec.Decode(parameters, good)).Message.ShouldContain("uint256,address");
    }
}

/// <summary>The hand-written inbox decoder (sequencer and runtime) against Nethereum's decoder with the canonical check.</summary>
public sealed class InboxDecodingTests
{
    [Fact]
    public void Submissions_decode_and_altered_ones_are_refused_exactly_as_by_Nethereum()
    {
        var random = new Random(7);
        var (agreed, refused) = (0, 0);
        for (var i = 0; i < 400; i++)
        {
            var sender = new byte[20];
            random.NextBytes(sender);
            var payload = new byte[random.Next(0, 100)];
            random.NextBytes(payload);
            var nonce = (ulong)random.NextInt64();
            var (topics, dataHex) = InboxEvents.Encode("inbox-test", Hex.Encode(sender), nonce, payload);
            var data = Hex.Decode(dataHex);
            if (i % 2 == 1)
            {
                // Altered: one byte flipped, or a word added or taken away.
                data = (i / 2 % 3) switch
                {
                    0 => Flip(data, random.Next(data.Length)),
                    1 => [.. data, .. new byte[32]],
                    _ => data[..^32],
                };
            }
            var reference = Reference(topics, Hex.Encode(data));
            var fast = InboxEvents.TryDecode(Hex.Decode(topics[2]), data);
            if (reference is null)
            {
                fast.ShouldBeNull($"case {i}");
                refused++;
                continue;
            }
            fast.ShouldNotBeNull($"case {i}");
            Hex.Encode(fast.Sender).ShouldBe(reference.Value.Sender);
            fast.Nonce.ShouldBe(reference.Value.Nonce);
            fast.Payload.ShouldBe(reference.Value.Payload);
            agreed++;
        }
        agreed.ShouldBeGreaterThan(200);
        refused.ShouldBeGreaterThan(100);
    }

    [Fact]
    public void Topics_other_than_a_canonical_sender_and_nonces_past_2_pow_63_are_refused()
    {
        var (topics, data) = InboxEvents.Encode("inbox-test", "0x" + new string('1', 40), 5, [1, 2]);
        InboxEvents.Decode(topics, data).Nonce.ShouldBe(5);
        // The sender topic with a non-zero byte in its padding, a short one, and a fourth topic.
        Should.Throw<FormatException>(() => InboxEvents.Decode([topics[0], topics[1], "0x01" + topics[2][4..]], data));
        Should.Throw<FormatException>(() => InboxEvents.Decode([topics[0], topics[1], topics[2][..^2]], data));
        Should.Throw<FormatException>(() => InboxEvents.Decode([.. topics, topics[2]], data));
        Should.Throw<FormatException>(() => InboxEvents.Decode(["0x" + new string('0', 64), topics[1], topics[2]], data));
        var (_, big) = InboxEvents.Encode("inbox-test", "0x" + new string('1', 40), (ulong)long.MaxValue + 1, [1, 2]);
        Should.Throw<FormatException>(() => InboxEvents.Decode(topics, big)).Message.ShouldContain("nonce");
    }

    private static byte[] Flip(byte[] data, int at)
    {
        var copy = (byte[])data.Clone();
        copy[at] ^= 0x01;
        return copy;
    }

    private static (string Sender, ulong Nonce, byte[] Payload)? Reference(IReadOnlyList<string> topics, string data)
    {
        try
        {
            var args = InboxEvents.InputSubmitted.Decode(topics, data);
            return (args.Single(a => a.Name == "sender").Value.ToLowerInvariant(), ulong.Parse(args.Single(a => a.Name == "nonce").Value),
                Hex.Decode(args.Single(a => a.Name == "payload").Value));
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
