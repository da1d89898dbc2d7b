using System.Numerics;
using System.Security.Cryptography;

namespace Nexus.Crypto.Bn254.Tests;

/// <summary>Both fields against System.Numerics.BigInteger arithmetic mod p, on random and edge values.</summary>
public sealed class FieldTests
{
    public static readonly BigInteger Q = BigInteger.Parse("21888242871839275222246405745257275088696311157297823662689037894645226208583");
    public static readonly BigInteger R = BigInteger.Parse("21888242871839275222246405745257275088548364400416034343698204186575808495617");

    [Fact]
    public void The_moduli_and_Montgomery_constants_are_BN254s()
    {
        Element<Fq>.Modulus.ShouldBe(Q);
        Element<Fr>.Modulus.ShouldBe(R);
        Element<Fq>.One.ToBigInteger().ShouldBe(BigInteger.One);
        Element<Fr>.One.ToBigInteger().ShouldBe(BigInteger.One);
        CheckConstants<Fq>(Q);
        CheckConstants<Fr>(R);
    }

    private static void CheckConstants<M>(BigInteger p) where M : struct, IModulus
    {
        var r = BigInteger.Pow(2, 256) % p;
        Limbs(M.R0, M.R1, M.R2, M.R3).ShouldBe(r);
        Limbs(M.RR0, M.RR1, M.RR2, M.RR3).ShouldBe(r * r % p);
        ((new BigInteger(M.Inv) * p + 1) % BigInteger.Pow(2, 64)).ShouldBe(BigInteger.Zero);
    }

    private static BigInteger Limbs(ulong a, ulong b, ulong c, ulong d) =>
        new BigInteger(a) + (new BigInteger(b) << 64) + (new BigInteger(c) << 128) + (new BigInteger(d) << 192);

    private static IEnumerable<BigInteger> Values(BigInteger p, int seed)
    {
        yield return BigInteger.Zero;
        yield return BigInteger.One;
        yield return p - 1;
        yield return p - 2;
        yield return (p - 1) / 2;
        yield return BigInteger.Pow(2, 64) - 1;
        yield return BigInteger.Pow(2, 192);
        var random = new Random(seed);
        for (var i = 0; i < 200; i++)
            yield return RandomValues.Below(random, p);
    }

    [Fact]
    public void Fq_agrees_with_BigInteger() => Agrees<Fq>(Q, 1);

    [Fact]
    public void Fr_agrees_with_BigInteger() => Agrees<Fr>(R, 2);

    private static void Agrees<M>(BigInteger p, int seed) where M : struct, IModulus
    {
        var values = Values(p, seed).ToList();
        var others = Values(p, seed + 100).Reverse().ToList();
        for (var i = 0; i < values.Count; i++)
        {
            var (a, b) = (values[i], others[i]);
            var (x, y) = (Element<M>.From(a), Element<M>.From(b));
            x.ToBigInteger().ShouldBe(a);
            (x + y).ToBigInteger().ShouldBe((a + b) % p);
            (x - y).ToBigInteger().ShouldBe(((a - b) % p + p) % p);
            (-x).ToBigInteger().ShouldBe((p - a) % p);
            (x * y).ToBigInteger().ShouldBe(a * b % p);
            x.Square().ToBigInteger().ShouldBe(a * a % p);
            x.Pow(b).ToBigInteger().ShouldBe(BigInteger.ModPow(a, b, p));
            if (!a.IsZero)
                (x.Inverse() * x).ShouldBe(Element<M>.One);
            Element<M>.Read(x.ToBytes()).ShouldBe(x);
            new BigInteger(x.ToBytes(), isUnsigned: true, isBigEndian: true).ShouldBe(a);
        }
        Element<M>.From(-BigInteger.One).ToBigInteger().ShouldBe(p - 1);
        Element<M>.From(p + 5).ToBigInteger().ShouldBe(5);
    }

    [Fact]
    public void Non_canonical_encodings_are_refused()
    {
        foreach (var v in new[] { Q, Q + 1, BigInteger.Pow(2, 256) - 1 })
        {
            var bytes = new byte[32];
            v.TryWriteBytes(bytes, out _, isUnsigned: true, isBigEndian: true);
            Element<Fq>.TryRead(bytes, out _).ShouldBeFalse();
            Should.Throw<FormatException>(() => Element<Fq>.Read(bytes));
        }
        Element<Fq>.TryRead(new byte[31], out _).ShouldBeFalse();
        Should.Throw<DivideByZeroException>(() => Element<Fr>.Zero.Inverse());
    }

    [Fact]
    public void Batch_inversion_equals_one_by_one()
    {
        var values = Enumerable.Range(1, 50).Select(i => Element<Fr>.From(new BigInteger(RandomNumberGenerator.GetBytes(32), isUnsigned: true)) + Element<Fr>.From((ulong)i)).ToArray();
        var expected = values.Select(v => v.Inverse()).ToArray();
        Element<Fr>.BatchInverse(values);
        values.ShouldBe(expected);
    }

    [Fact]
    public void The_binary_inversion_equals_Fermat_on_both_fields()
    {
        var random = new Random(77);
        var fq = new List<Element<Fq>> { Element<Fq>.One, -Element<Fq>.One, Element<Fq>.From(2), Element<Fq>.From(ulong.MaxValue) };
        var fr = new List<Element<Fr>> { Element<Fr>.One, -Element<Fr>.One, Element<Fr>.From(3), Element<Fr>.From(1UL << 63) };
        for (var i = 0; i < 300; i++)
        {
            fq.Add(Element<Fq>.From(RandomValues.Below(random, Element<Fq>.Modulus - 1) + 1));
            fr.Add(Element<Fr>.From(RandomValues.Below(random, Element<Fr>.Modulus - 1) + 1));
        }
        foreach (var x in fq)
        {
            x.Inverse().ShouldBe(x.InverseByFermat());
            (x * x.Inverse()).ShouldBe(Element<Fq>.One);
        }
        foreach (var x in fr)
        {
            x.Inverse().ShouldBe(x.InverseByFermat());
            (x * x.Inverse()).ShouldBe(Element<Fr>.One);
        }
        Should.Throw<DivideByZeroException>(() => Element<Fq>.Zero.Inverse());
    }

    [Fact]
    public void Square_roots_are_roots_on_both_fields_and_non_squares_have_none()
    {
        var random = new Random(88);
        void Check<M>(Func<Element<M>> draw) where M : struct, IModulus
        {
            Element<M>.Zero.TrySqrt(out var zero).ShouldBeTrue();
            zero.ShouldBe(Element<M>.Zero);
            var nonSquares = 0;
            for (var i = 0; i < 60; i++)
            {
                var x = draw();
                var square = x * x;
                square.TrySqrt(out var root).ShouldBeTrue();
                (root == x || root == -x).ShouldBeTrue();
                // About half of all values are not squares; −1·square is one for Fq (p ≡ 3 mod 4).
                if (!x.TrySqrt(out var r2))
                    nonSquares++;
                else
                    (r2 * r2).ShouldBe(x);
            }
            nonSquares.ShouldBeInRange(10, 50);
        }
        Check(() => Element<Fq>.From(RandomValues.Below(random, Element<Fq>.Modulus)));
        Check(() => RandomValues.Fr(random));
        (-Element<Fq>.One).TrySqrt(out _).ShouldBeFalse(); // p ≡ 3 (mod 4)
    }

    [Fact]
    public void Bit_ranges_are_the_canonical_value_shifted_and_masked_and_tile_it_back()
    {
        var random = new Random(31);
        for (var round = 0; round < 50; round++)
        {
            var value = round == 0 ? -Element<Fr>.One : RandomValues.Fr(random);
            var v = value.ToBigInteger();
            foreach (var (from, count) in new[] { (0, 254), (0, 127), (127, 127), (63, 1), (64, 64), (5, 70), (200, 56), (250, 6), (0, 0) })
                value.BitRange(from, count).ToBigInteger().ShouldBe((v >> from) & ((BigInteger.One << count) - 1));
            // Three ranges tile the bits: Σ 2^from·range = the value.
            var parts = new[] { (0, 85), (85, 85), (170, 84) };
            parts.Aggregate(BigInteger.Zero, (sum, p) => sum + (value.BitRange(p.Item1, p.Item2).ToBigInteger() << p.Item1)).ShouldBe(v);
        }
        Should.Throw<ArgumentOutOfRangeException>(() => Element<Fr>.One.BitRange(200, 57));
    }
}
