using System.Globalization;
using System.Numerics;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Nexus.Crypto.Groth16;

/// <summary>A Groth16 proof (π_A ∈ G1, π_B ∈ G2, π_C ∈ G1) with snarkjs's JSON and the Solidity verifier's calldata.</summary>
public sealed record Proof(G1 A, G2 B, G1 C)
{
    /// <summary>snarkjs's proof.json: decimal strings, projective with z = 1, G2 coordinates as [c0, c1].</summary>
    public JsonObject ToSnarkJson() => new()
    {
        ["pi_a"] = G1Json(A),
        ["pi_b"] = G2Json(B),
        ["pi_c"] = G1Json(C),
        ["protocol"] = "groth16",
        ["curve"] = "bn128",
    };

    public static Proof FromSnarkJson(JsonNode json)
    {
        if (json is not JsonObject o || (string?)o["protocol"] != "groth16")
            throw new FormatException("not a Groth16 proof (\"protocol\": \"groth16\" is missing)");
        return new Proof(ParseG1(o["pi_a"], "pi_a"), ParseG2(o["pi_b"], "pi_b"), ParseG1(o["pi_c"], "pi_c"));
    }

    /// <summary>
    /// Arguments of <c>verifyProof(uint[2] _pA, uint[2][2] _pB, uint[2] _pC, uint[N] _pubSignals)</c> in
    /// the verifier <c>snarkjs zkey export solidityverifier</c> writes: π_B's pairs go imaginary part first
    /// (c1, c0), the order of the EVM's pairing precompile.
    /// </summary>
    public (BigInteger[] PA, BigInteger[][] PB, BigInteger[] PC) ToSolidityArguments()
    {
        var (ax, ay) = Affine(A);
        var (bx, by) = B.ToAffine() ?? throw new InvalidOperationException("π_B is the point at infinity");
        var (cx, cy) = Affine(C);
        return ([ax, ay],
            [[bx.C1.ToBigInteger(), bx.C0.ToBigInteger()], [by.C1.ToBigInteger(), by.C0.ToBigInteger()]],
            [cx, cy]);
    }

    /// <summary>The text <c>snarkjs zkey export soliditycalldata</c> prints.</summary>
    public string ToSolidityCalldata(IEnumerable<Scalar> publicSignals)
    {
        var (pa, pb, pc) = ToSolidityArguments();
        static string H(BigInteger v) => "\"0x" + Convert.ToHexStringLower(v.ToByteArray(isUnsigned: true, isBigEndian: true)).PadLeft(64, '0') + "\"";
        var pub = string.Join(",", publicSignals.Select(s => H(s.ToBigInteger())));
        return $"[{H(pa[0])}, {H(pa[1])}],[[{H(pb[0][0])}, {H(pb[0][1])}],[{H(pb[1][0])}, {H(pb[1][1])}]],[{H(pc[0])}, {H(pc[1])}],[{pub}]";
    }

    private static (BigInteger, BigInteger) Affine(G1 p) => p.ToAffine() is { } a
        ? (a.X.ToBigInteger(), a.Y.ToBigInteger())
        : (BigInteger.Zero, BigInteger.Zero);

    internal static JsonArray G1Json(G1 p)
    {
        var (x, y) = Affine(p);
        return p.IsInfinity ? ["0", "1", "0"] : [x.ToString(), y.ToString(), "1"];
    }

    internal static JsonArray G2Json(G2 p)
    {
        if (p.ToAffine() is not { } a)
            return [new JsonArray("0", "0"), new JsonArray("1", "0"), new JsonArray("0", "0")];
        return [new JsonArray(a.X.C0.ToString(), a.X.C1.ToString()), new JsonArray(a.Y.C0.ToString(), a.Y.C1.ToString()), new JsonArray("1", "0")];
    }

    private static Element<Fq> Fq(JsonNode? node, string name)
    {
        var text = node?.GetValueKind() == JsonValueKind.String ? (string?)node : null;
        if (text is null || !BigInteger.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var v) || v >= Element<Fq>.Modulus)
            throw new FormatException($"{name} is not a decimal string below the base field's modulus");
        return Element<Fq>.From(v);
    }

    private static G1 ParseG1(JsonNode? node, string name)
    {
        if (node is not JsonArray { Count: 3 } a)
            throw new FormatException($"{name} is not [x, y, z]");
        if (Fq(a[2], name + "[2]").IsZero)
            return G1.Infinity;
        if (Fq(a[2], name + "[2]") != Element<Fq>.One)
            throw new FormatException($"{name} is not affine (z must be \"1\")");
        return G1.FromAffine(Fq(a[0], name + "[0]"), Fq(a[1], name + "[1]"));
    }

    private static G2 ParseG2(JsonNode? node, string name)
    {
        if (node is not JsonArray { Count: 3 } a || a.Any(e => e is not JsonArray { Count: 2 }))
            throw new FormatException($"{name} is not [[x.c0, x.c1], [y.c0, y.c1], [z.c0, z.c1]]");
        Fq2 F(int i) => new(Fq(a[i]![0], $"{name}[{i}][0]"), Fq(a[i]![1], $"{name}[{i}][1]"));
        if (F(2).IsZero)
            return G2.Infinity;
        if (F(2) != Fq2.One)
            throw new FormatException($"{name} is not affine (z must be [\"1\", \"0\"])");
        var p = G2.FromAffine(F(0), F(1));
        return p.IsInSubgroup ? p : throw new FormatException($"{name} is on the twist but not in the order-r subgroup");
    }
}

/// <summary>snarkjs's public.json: the public signals (outputs, then public inputs) as decimal strings.</summary>
public static class PublicSignals
{
    public static JsonArray ToJson(IEnumerable<Scalar> signals) => [.. signals.Select(s => (JsonNode)s.ToString())];

    public static Scalar[] FromJson(JsonNode json) => json is JsonArray a
        ? a.Select((n, i) => n?.GetValueKind() == JsonValueKind.String && BigInteger.TryParse((string)n!, NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v < Scalar.Modulus
            ? Scalar.From(v)
            : throw new FormatException($"public signal {i} is not a decimal string below the scalar field's modulus")).ToArray()
        : throw new FormatException("public signals are not a JSON array");
}
