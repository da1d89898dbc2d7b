using System.Numerics;
using System.Security.Cryptography;
using Nexus.Crypto.Groth16.Formats;

namespace Nexus.Crypto.Groth16;

/// <summary>The five multi-scalar multiplications of a proof; the pool computes them in chunks on many silos.</summary>
public enum MsmPart { A, B1, B2, C, H }

/// <summary>
/// Groth16 proving with a snarkjs proving key, in the steps a distributed prover can split:
/// <list type="number">
/// <item>the QAP's A·w and B·w on the domain from the key's coefficients (C·w = A·w ⊙ B·w there);</item>
/// <item>each of the three to coefficients (inverse FFT) and onto the odd coset g·H, g a primitive
/// 2n-th root of unity (FFT), where the vanishing polynomial is the constant −2, so A·B − C there
/// pairs with the key's H points (which hold the division);</item>
/// <item>five MSMs: A, B1 (G1) and B2 (G2) over the whole witness, C over the private part, H over A·B − C;</item>
/// <item>blinding with fresh r, s: π_A = α + A + rδ, π_B = β + B + sδ, π_C = C + H + s·π_A + r·(β + B1 + sδ) − rsδ.</item>
/// </list>
/// </summary>
public static class Groth16Prover
{
    public static Proof Prove(ProvingKey key, Scalar[] witness, IProgress<string>? progress = null)
    {
        CheckWitness(key, witness);
        progress?.Report("QAP evaluations and FFTs");
        var h = QuotientOnCoset(key, witness);
        G1 G1Msm(MsmPart part)
        {
            progress?.Report($"MSM {part}");
            return Msm.Multiply(BasesG1(key, part), Scalars(key, part, witness, h));
        }
        var a = G1Msm(MsmPart.A);
        var b1 = G1Msm(MsmPart.B1);
        progress?.Report("MSM B2");
        var b2 = Msm.Multiply(key.B2, witness);
        var c = G1Msm(MsmPart.C);
        var hSum = G1Msm(MsmPart.H);
        return Combine(key, a, b1, b2, c, hSum, RandomScalar(), RandomScalar());
    }

    public static void CheckWitness(ProvingKey key, Scalar[] witness)
    {
        if (witness.Length != key.Vars)
            throw new ArgumentException($"the witness has {witness.Length} values but the proving key's circuit has {key.Vars} signals (a witness of another circuit?)");
        if (witness[0] != Scalar.One)
            throw new ArgumentException("witness[0] (the constant signal) is not 1: not a circom witness");
    }

    /// <summary>The public signals: witness[1..nPublic] (outputs, then public inputs).</summary>
    public static Scalar[] PublicSignals(ProvingKey key, Scalar[] witness) => witness[1..(key.Public + 1)];

    /// <summary>The G1 bases of one MSM (not B2, which is on G2).</summary>
    public static G1Affine[] BasesG1(ProvingKey key, MsmPart part) => part switch
    {
        MsmPart.A => key.A,
        MsmPart.B1 => key.B1,
        MsmPart.C => key.C,
        MsmPart.H => key.H,
        _ => throw new ArgumentOutOfRangeException(nameof(part), $"{part} has G2 bases"),
    };

    /// <summary>The scalars of one MSM: the witness (its private part for C), or A·B − C on the coset for H.</summary>
    public static ReadOnlyMemory<Scalar> Scalars(ProvingKey key, MsmPart part, Scalar[] witness, Scalar[] quotient) => part switch
    {
        MsmPart.C => witness.AsMemory(key.Public + 1),
        MsmPart.H => quotient,
        _ => witness,
    };

    /// <summary>Steps 1–2: A·B − C on the odd coset, one value per H point.</summary>
    public static Scalar[] QuotientOnCoset(ProvingKey key, Scalar[] witness)
    {
        var (a, b, c) = QapEvaluations(key, witness);
        var shift = Fft.Root(key.Log2Domain + 1);
        Parallel.Invoke(
            () => ToOddCoset(a, shift),
            () => ToOddCoset(b, shift),
            () => ToOddCoset(c, shift));
        for (var i = 0; i < a.Length; i++)
            a[i] = a[i] * b[i] - c[i];
        return a;
    }

    /// <summary>A·w, B·w and their product on the domain's points.</summary>
    public static (Scalar[] A, Scalar[] B, Scalar[] C) QapEvaluations(ProvingKey key, Scalar[] witness)
    {
        var n = key.DomainSize;
        var a = new Scalar[n];
        var b = new Scalar[n];
        foreach (var coef in key.Coefficients)
        {
            var target = coef.Matrix == 0 ? a : b;
            target[coef.Constraint] += coef.Value * witness[coef.Signal];
        }
        var c = new Scalar[n];
        for (var i = 0; i < n; i++)
            c[i] = a[i] * b[i];
        return (a, b, c);
    }

    /// <summary>Evaluations on the domain → evaluations on shift·domain (in place).</summary>
    public static void ToOddCoset(Scalar[] values, Scalar shift) => Fft.ToCoset(values, shift);

    /// <summary>Step 4 from the five MSM results and the blinding scalars.</summary>
    public static Proof Combine(ProvingKey key, G1 a, G1 b1, G2 b2, G1 c, G1 h, Scalar r, Scalar s)
    {
        var delta1 = G1.From(key.Delta1);
        var (rb, sb) = (r.ToBigInteger(), s.ToBigInteger());
        var piA = a + G1.From(key.Alpha1) + delta1.Multiply(rb);
        var piB = b2 + G2.From(key.Beta2) + G2.From(key.Delta2).Multiply(sb);
        var piB1 = b1 + G1.From(key.Beta1) + delta1.Multiply(sb);
        var piC = c + h + piA.Multiply(sb) + piB1.Multiply(rb) + delta1.Multiply((-(r * s)).ToBigInteger());
        return new Proof(piA, piB, piC);
    }

    /// <summary>A uniform scalar from the OS's CSPRNG (the proof's zero knowledge rests on r and s).</summary>
    public static Scalar RandomScalar()
    {
        Span<byte> bytes = stackalloc byte[48]; // 384 bits reduced mod r: bias below 2⁻¹²⁸
        RandomNumberGenerator.Fill(bytes);
        return Scalar.From(new BigInteger(bytes, isUnsigned: true));
    }
}
