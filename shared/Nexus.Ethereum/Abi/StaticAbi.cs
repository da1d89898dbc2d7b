using System.Globalization;
using System.Numerics;
using Nethereum.ABI.Model;
using Nexus.Contracts.Sequencer;

namespace Nexus.Ethereum.Abi;

/// <summary>
/// Strict decoding of static ABI values (uintN, intN, address, bool, bytesN), one 32-byte word each.
/// Every ingested input is decoded, and Nethereum's general decoder plus the re-encoding that proves a
/// buffer canonical cost several times more than the input's whole path otherwise; for these types
/// "canonical" is a property of each word (zero padding, sign extension, 0 or 1), checked here
/// directly. Values render as <see cref="PayloadCodec.Render"/> does (addresses in lower case). Tests
/// compare it with Nethereum's decoder on random and edge values.
/// </summary>
public static class StaticAbi
{
    private enum Kind { Unsigned, Signed, Address, Bool, FixedBytes }

    private readonly record struct Shape(Kind Kind, int Size);

    public static bool IsStatic(string type) => ShapeOf(type) is not null;

    /// <summary>The value of one word of <paramref name="type"/>, rendered; <see cref="FormatException"/> when the word is not its canonical encoding.</summary>
    public static string Render(string type, ReadOnlySpan<byte> word)
    {
        if (word.Length != 32)
            throw new FormatException($"a {type} takes 32 bytes, not {word.Length}");
        var shape = ShapeOf(type) ?? throw new ArgumentException($"{type} is not a static ABI type");
        switch (shape.Kind)
        {
            case Kind.Unsigned:
                RequireZero(word[..(32 - shape.Size)], type);
                return new BigInteger(word, isUnsigned: true, isBigEndian: true).ToString(CultureInfo.InvariantCulture);
            case Kind.Signed:
                var sign = (word[32 - shape.Size] & 0x80) != 0 ? (byte)0xff : (byte)0;
                if (word[..(32 - shape.Size)].IndexOfAnyExcept(sign) >= 0)
                    throw new FormatException($"not a canonical {type}: the high bytes are not its sign extension");
                return new BigInteger(word, isUnsigned: false, isBigEndian: true).ToString(CultureInfo.InvariantCulture);
            case Kind.Address:
                RequireZero(word[..12], type);
                return Hex.Encode(word[12..]);
            case Kind.Bool:
                RequireZero(word[..31], type);
                return word[31] switch
                {
                    0 => "false",
                    1 => "true",
                    _ => throw new FormatException($"not a canonical bool: {word[31]}"),
                };
            default:
                RequireZero(word[shape.Size..], type);
                return Hex.Encode(word[..shape.Size]);
        }
    }

    /// <summary>Decodes data that must be exactly one word per parameter.</summary>
    public static IReadOnlyList<DecodedArgument> Decode(Parameter[] parameters, ReadOnlySpan<byte> data)
    {
        if (data.Length != 32 * parameters.Length)
            throw new FormatException($"{data.Length} bytes are not the canonical ABI encoding of ({string.Join(",", parameters.Select(p => p.Type))}): {32 * parameters.Length} expected");
        var args = new DecodedArgument[parameters.Length];
        for (var i = 0; i < parameters.Length; i++)
            args[i] = new DecodedArgument(parameters[i].Name ?? $"arg{i}", parameters[i].Type, Render(parameters[i].Type, data.Slice(32 * i, 32)));
        return args;
    }

    private static void RequireZero(ReadOnlySpan<byte> padding, string type)
    {
        if (padding.IndexOfAnyExcept((byte)0) >= 0)
            throw new FormatException($"not a canonical {type}: non-zero padding");
    }

    private static Shape? ShapeOf(string type) => type switch
    {
        "address" => new Shape(Kind.Address, 20),
        "bool" => new Shape(Kind.Bool, 1),
        "uint" => new Shape(Kind.Unsigned, 32),
        "int" => new Shape(Kind.Signed, 32),
        _ when type.StartsWith("uint", StringComparison.Ordinal) => Bits(type[4..]) is { } b ? new Shape(Kind.Unsigned, b / 8) : null,
        _ when type.StartsWith("int", StringComparison.Ordinal) => Bits(type[3..]) is { } b ? new Shape(Kind.Signed, b / 8) : null,
        _ when type.StartsWith("bytes", StringComparison.Ordinal) && int.TryParse(type.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= 32
            => new Shape(Kind.FixedBytes, n),
        _ => null,
    };

    private static int? Bits(string digits) =>
        int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var bits) && bits is >= 8 and <= 256 && bits % 8 == 0 ? bits : null;
}
