namespace Nexus.Crypto.Bn254.Tests;

/// <summary>
/// The AVX-512 field code against the scalar code on random values. On a CPU without AVX-512 these
/// tests report themselves skipped (the scalar path is the one in use there, and other tests cover it).
/// </summary>
public sealed class SimdTests
{
    private const string NoAvx512 = "this CPU has no AVX-512: the vector field code is not in use here";

    [Fact]
    public void The_MSM_takes_the_vector_path_exactly_where_the_CPU_has_AVX512() =>
        Msm.UseSimd.ShouldBe(VectorField<Fq>.IsSupported);

    [SkippableFact]
    public void Vector_multiplication_subtraction_and_transpose_equal_the_scalar_field()
    {
        Skip.IfNot(VectorField<Fq>.IsSupported, NoAvx512);
        var random = new Random(21);
        for (var round = 0; round < 200; round++)
        {
            var a = new Element<Fq>[8];
            var b = new Element<Fq>[8];
            for (var i = 0; i < 8; i++)
            {
                a[i] = round == 0 && i < 2 ? (i == 0 ? Element<Fq>.Zero : -Element<Fq>.One) : Element<Fq>.From(RandomValues.Below(random, Element<Fq>.Modulus));
                b[i] = round == 1 ? a[i] : Element<Fq>.From(RandomValues.Below(random, Element<Fq>.Modulus));
            }
            VectorField<Fq>.Load(a, out var va);
            VectorField<Fq>.Load(b, out var vb);
            var back = new Element<Fq>[8];
            VectorField<Fq>.Store(va, back);
            back.ShouldBe(a);

            // Vector form: one element at a time and eight at a time agree, and convert back.
            var bVector = b.Select(VectorField<Fq>.ToVectorForm).ToArray();
            var converted = (Element<Fq>[])b.Clone();
            VectorField<Fq>.ToVectorForm(converted);
            converted.ShouldBe(bVector);
            VectorField<Fq>.FromVectorForm(converted);
            converted.ShouldBe(b);
            bVector.Select(VectorField<Fq>.FromVectorForm).ShouldBe(b);

            // Normal form times vector form is normal form; vector times vector stays in vector form.
            VectorField<Fq>.Load(bVector, out var vbVector);
            VectorField<Fq>.Multiply(va, vbVector, out var product);
            VectorField<Fq>.Load(a.Select(VectorField<Fq>.ToVectorForm).ToArray(), out var vaVector);
            VectorField<Fq>.Multiply(vaVector, vbVector, out var vectorProduct);
            VectorField<Fq>.Subtract(va, vb, out var difference);
            VectorField<Fq>.Add(va, vb, out var sum);
            var products = new Element<Fq>[8];
            var vectorProducts = new Element<Fq>[8];
            var differences = new Element<Fq>[8];
            var sums = new Element<Fq>[8];
            VectorField<Fq>.Store(product, products);
            VectorField<Fq>.Store(vectorProduct, vectorProducts);
            VectorField<Fq>.Store(difference, differences);
            VectorField<Fq>.Store(sum, sums);
            for (var i = 0; i < 8; i++)
            {
                products[i].ShouldBe(a[i] * b[i]);
                vectorProducts[i].ShouldBe(VectorField<Fq>.ToVectorForm(a[i] * b[i]));
                differences[i].ShouldBe(a[i] - b[i]);
                sums[i].ShouldBe(a[i] + b[i]);
            }
        }
    }

    [SkippableTheory]
    [InlineData(5)]
    [InlineData(64)]
    [InlineData(203)]
    public void Vector_batched_affine_additions_equal_the_scalar_ones(int n)
    {
        var random = new Random(n);
        Element<Fq> R() => Element<Fq>.From(RandomValues.Below(random, Element<Fq>.Modulus));
        var x1 = Enumerable.Range(0, n).Select(_ => R()).ToArray();
        var y1 = Enumerable.Range(0, n).Select(_ => R()).ToArray();
        var x2 = Enumerable.Range(0, n).Select(_ => R()).ToArray();
        var y2 = Enumerable.Range(0, n).Select(_ => R()).ToArray();
        var (sx, sy) = ((Element<Fq>[])x1.Clone(), (Element<Fq>[])y1.Clone());
        ScalarBatch<Element<Fq>>.AddAll(sx, sy, x2, y2, new Element<Fq>[2 * n]);
        Skip.IfNot(VectorField<Fq>.IsSupported, NoAvx512);
        AddAllInVectorForm<Element<Fq>, VectorField<Fq>.Block, FqVector>(x1, y1, x2, y2);
        x1.ShouldBe(sx);
        y1.ShouldBe(sy);
    }

    [SkippableTheory]
    [InlineData(9)]
    [InlineData(77)]
    public void Vector_batched_affine_additions_on_Fq2_equal_the_scalar_ones(int n)
    {
        var random = new Random(n);
        var x1 = Enumerable.Range(0, n).Select(_ => RandomValues.Fq2(random)).ToArray();
        var y1 = Enumerable.Range(0, n).Select(_ => RandomValues.Fq2(random)).ToArray();
        var x2 = Enumerable.Range(0, n).Select(_ => RandomValues.Fq2(random)).ToArray();
        var y2 = Enumerable.Range(0, n).Select(_ => RandomValues.Fq2(random)).ToArray();
        var (sx, sy) = ((Fq2[])x1.Clone(), (Fq2[])y1.Clone());
        ScalarBatch<Fq2>.AddAll(sx, sy, x2, y2, new Fq2[2 * n]);
        Skip.IfNot(VectorField<Fq>.IsSupported, NoAvx512);
        // The Fq2 transpose round-trips, and its halves are the Fq transposes of c0 and c1.
        Fq2Vector.Load(x1.AsSpan(0, 8), out var block);
        var back = new Fq2[8];
        Fq2Vector.Store(block, back);
        back.ShouldBe(x1[..8]);
        var c0 = new Element<Fq>[8];
        VectorField<Fq>.Store(block.C0, c0);
        c0.ShouldBe(x1[..8].Select(v => v.C0).ToArray());
        AddAllInVectorForm<Fq2, Fq2Block, Fq2Vector>(x1, y1, x2, y2);
        x1.ShouldBe(sx);
        y1.ShouldBe(sy);
    }

    /// <summary>The vector batch on normal-form values: into vector form, added, and back.</summary>
    private static void AddAllInVectorForm<F, B, V>(F[] x1, F[] y1, F[] x2, F[] y2)
        where F : unmanaged, IField<F> where B : struct where V : IVectorOps<F, B>
    {
        F[] Converted(F[] values)
        {
            var copy = (F[])values.Clone();
            VectorBatch<F, B, V>.ToBatchForm(copy);
            return copy;
        }
        var (vx1, vy1) = (Converted(x1), Converted(y1));
        VectorBatch<F, B, V>.AddAll(vx1, vy1, Converted(x2), Converted(y2), new F[2 * x1.Length]);
        VectorBatch<F, B, V>.FromBatchForm(vx1);
        VectorBatch<F, B, V>.FromBatchForm(vy1);
        vx1.CopyTo(x1);
        vy1.CopyTo(y1);
    }
}
