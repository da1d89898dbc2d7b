using System.Numerics;
using Nethereum.ABI.ABIDeserialisation;
using Nethereum.ABI.FunctionEncoding;
using Nethereum.ABI.Model;
using Nethereum.Contracts;
using Nethereum.Hex.HexConvertors.Extensions;
using Nethereum.RPC.Eth.DTOs;
using Nexus.Contracts.Sequencer;

namespace Nexus.Ethereum.Abi;

/// <summary>
/// A human-readable event declaration (<c>BidPlaced(address indexed bidder, uint256 amount)</c>)
/// parsed with Nethereum's ABI string deserialiser, with its topic 0 and a strict decoder.
/// </summary>
public sealed class EventSignature
{
    private EventSignature(string text, EventABI abi)
    {
        Text = text;
        Abi = abi;
        Topic0 = "0x" + abi.Sha3Signature.ToLowerInvariant();
        _static = abi.InputParameters.All(p => StaticAbi.IsStatic(p.Type))
            ? abi.InputParameters.OrderBy(p => p.Order).ToArray()
            : null;
    }

    /// <summary>The parameters in declaration order when all are static (decoded word by word), else null.</summary>
    private readonly Parameter[]? _static;

    public string Text { get; }
    public EventABI Abi { get; }
    public string Topic0 { get; }
    public string Name => Abi.Name;

    public static EventSignature Parse(string declaration)
    {
        var text = declaration.Trim();
        if (text.StartsWith("event ", StringComparison.Ordinal)) text = text[6..].Trim();
        if (text.Length == 0 || !text.EndsWith(')') || !text.Contains('('))
            throw new FormatException($"'{declaration}' is not an event declaration like 'Name(type [indexed] name, ...)'");
        ContractABI contract;
        try
        {
            contract = new ABIStringSignatureDeserialiser().ExtractContractABI("event " + text);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new FormatException($"'{declaration}' is not a valid event declaration: {e.Message}", e);
        }
        if (contract.Events is not { Length: 1 } events)
            throw new FormatException($"'{declaration}' is not a single event declaration");
        return new EventSignature(text, events[0]);
    }

    /// <summary>
    /// Decodes a log strictly: topic count must match the indexed parameters and the data must be
    /// exactly what the non-indexed parameters need. Throws <see cref="FormatException"/> with the reason otherwise.
    /// </summary>
    public IReadOnlyList<DecodedArgument> Decode(IReadOnlyList<string> topics, string data)
    {
        if (topics.Count == 0 || !string.Equals(topics[0], Topic0, StringComparison.OrdinalIgnoreCase))
            throw new FormatException($"topic 0 is not {Name}'s signature hash");
        var indexedCount = Abi.InputParameters.Count(p => p.Indexed);
        if (topics.Count != indexedCount + 1)
            throw new FormatException($"{Name} has {indexedCount} indexed parameters but the log has {topics.Count - 1} topics");
        if (_static is not null)
            return DecodeStatic(topics, data);
        var log = new FilterLog { Topics = topics.Cast<object>().ToArray(), Data = data };
        try
        {
            var decoded = Abi.DecodeEventDefaultTopics(log);
            var nonIndexed = Abi.InputParameters.Where(p => !p.Indexed).ToArray();
            var dataValues = decoded.Event.Where(p => !p.Parameter.Indexed).OrderBy(p => p.Parameter.Order).Select(p => p.Result).ToList();
            PayloadCodec.EnsureCanonical(nonIndexed, dataValues, Hex.Decode(data));
            return decoded.Event
                .OrderBy(p => p.Parameter.Order)
                .Select(p => new DecodedArgument(p.Parameter.Name ?? "", p.Parameter.Type, PayloadCodec.Render(p.Result)))
                .ToList();
        }
        catch (Exception e) when (e is not FormatException and not OutOfMemoryException)
        {
            throw new FormatException($"log data does not decode as {Text}: {e.Message}", e);
        }
    }

    /// <summary>Indexed parameters from the topics, the others from the data, each exactly one canonical word.</summary>
    private IReadOnlyList<DecodedArgument> DecodeStatic(IReadOnlyList<string> topics, string data)
    {
        var bytes = Hex.Decode(data);
        var inData = _static!.Count(p => !p.Indexed);
        if (bytes.Length != 32 * inData)
            throw new FormatException($"log data does not decode as {Text}: {bytes.Length} bytes where {32 * inData} are the canonical encoding");
        var args = new DecodedArgument[_static!.Length];
        int topic = 1, word = 0;
        for (var i = 0; i < args.Length; i++)
        {
            var p = _static[i];
            try
            {
                var value = p.Indexed
                    ? StaticAbi.Render(p.Type, Hex.Decode(topics[topic++]))
                    : StaticAbi.Render(p.Type, bytes.AsSpan(32 * word++, 32));
                args[i] = new DecodedArgument(p.Name ?? "", p.Type, value);
            }
            catch (FormatException e)
            {
                throw new FormatException($"log data does not decode as {Text}: {p.Name}: {e.Message}", e);
            }
        }
        return args;
    }
}

/// <summary>Decodes an opaque payload against an app's declared ABI type list, e.g. <c>(uint256,address)</c>.</summary>
public static class PayloadCodec
{
    public static Parameter[] ParseTypes(string typeList)
    {
        var inner = typeList.Trim();
        if (inner.StartsWith('(') && inner.EndsWith(')')) inner = inner[1..^1];
        if (inner.Length == 0) return [];
        var parameters = new ABIStringSignatureDeserialiser().ExtractParameters(inner).ToArray();
        foreach (var p in parameters)
            if (string.IsNullOrWhiteSpace(p.Type) || p.ABIType is null)
                throw new FormatException($"'{typeList}' is not an ABI type list");
        return parameters;
    }

    public static IReadOnlyList<DecodedArgument> Decode(Parameter[] parameters, byte[] payload)
    {
        if (parameters.All(p => StaticAbi.IsStatic(p.Type)))
        {
            try
            {
                return StaticAbi.Decode(parameters, payload);
            }
            catch (FormatException e)
            {
                throw new FormatException($"payload does not decode as ({string.Join(",", parameters.Select(p => p.Type))}): {e.Message}", e);
            }
        }
        List<ParameterOutput> outputs;
        try
        {
            outputs = new ParameterDecoder().DecodeDefaultData(payload, parameters);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new FormatException($"payload does not decode as ({string.Join(",", parameters.Select(p => p.Type))}): {e.Message}", e);
        }
        EnsureCanonical(parameters, outputs.Select(o => o.Result).ToList(), payload);
        return outputs.Select((o, i) => new DecodedArgument(o.Parameter.Name ?? $"arg{i}", o.Parameter.Type, Render(o.Result))).ToList();
    }

    /// <summary>
    /// ABI decoders happily read a prefix of a longer buffer, pad a short one or follow odd offsets;
    /// an input whose bytes are not exactly the canonical encoding of what they decode to must be
    /// rejected, not half-read. Re-encoding the decoded values and comparing is the strictest check.
    /// </summary>
    internal static void EnsureCanonical(Parameter[] parameters, IReadOnlyList<object?> values, byte[] data)
    {
        byte[] again;
        try
        {
            again = new ParametersEncoder().EncodeParameters(parameters, values.ToArray());
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new FormatException($"not a canonical ABI encoding of ({string.Join(",", parameters.Select(p => p.Type))}): {e.Message}", e);
        }
        if (!again.AsSpan().SequenceEqual(data))
            throw new FormatException($"{data.Length} bytes are not the canonical ABI encoding of ({string.Join(",", parameters.Select(p => p.Type))})");
    }

    public static string Render(object? value) => value switch
    {
        null => "",
        byte[] bytes => bytes.ToHex(true),
        BigInteger n => n.ToString(),
        string s => s,
        bool b => b ? "true" : "false",
        System.Collections.IEnumerable items => "[" + string.Join(",", items.Cast<object?>().Select(Render)) + "]",
        _ => value.ToString() ?? "",
    };
}
