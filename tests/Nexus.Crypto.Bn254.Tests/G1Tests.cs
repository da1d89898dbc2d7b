using System.Numerics;

namespace Nexus.Crypto.Bn254.Tests;

/// <summary>G1's group laws and encodings; the EVM's precompiles check the values in the integration tests.</summary>
public sealed class G1Tests
{
    private static readonly BigInteger R = FieldTests.R;

    [Fact]
    public void The_group_laws_hold_and_the_order_is_r()
    {
        var random = new Random(7);
        var g = G1.Generator;
        g.ToAffine().ShouldNotBeNull();
        (g.Multiply(R)).IsInfinity.ShouldBeTrue();
        (g.Multiply(R - 1) + g).IsInfinity.ShouldBeTrue();
        for (var i = 0; i < 20; i++)
        {
            var (a, b, c) = (RandomValues.Below(random, R), RandomValues.Below(random, R), RandomValues.Below(random, R));
            var (pa, pb, pc) = (g.Multiply(a), g.Multiply(b), g.Multiply(c));
            (pa + pb).ShouldBe(g.Multiply(a + b));
            (pa + pb).ShouldBe(pb + pa);
            ((pa + pb) + pc).ShouldBe(pa + (pb + pc));
            (pa + G1.Infinity).ShouldBe(pa);
            (pa - pa).IsInfinity.ShouldBeTrue();
            pa.Double().ShouldBe(pa + pa);
            pa.Multiply(b).ShouldBe(g.Multiply(a * b));
            var affine = pa.ToAffine()!.Value;
            G1.IsOnCurve(affine.X, affine.Y).ShouldBeTrue();
            G1.FromEvmBytes(pa.ToEvmBytes()).ShouldBe(pa);
        }
    }

    [Fact]
    public void Encodings_refuse_points_off_the_curve_and_non_canonical_coordinates()
    {
        G1.FromEvmBytes(new byte[64]).IsInfinity.ShouldBeTrue();
        G1.Infinity.ToEvmBytes().ShouldBe(new byte[64]);
        var g = G1.Generator.ToEvmBytes();
        var off = (byte[])g.Clone();
        off[63] ^= 1;
        Should.Throw<FormatException>(() => G1.FromEvmBytes(off));
        var big = (byte[])g.Clone();
        Array.Fill(big, (byte)0xff, 0, 32);
        Should.Throw<FormatException>(() => G1.FromEvmBytes(big));
        Should.Throw<FormatException>(() => G1.FromEvmBytes(g[..63]));
    }
}
