using System.Numerics;
using Nexus.Crypto.Groth16.Formats;

namespace Nexus.Crypto.Groth16.Tests;

/// <summary>
/// The prover checked without a pairing: with the toxic waste known, every proof element is a known
/// multiple of the generator, so the verification equation can be checked on the scalars and each
/// element compared with its expected point.
/// </summary>
public sealed class ProverPropertyTests
{
    /// <summary>
    /// A random satisfiable circuit: 1 public output, 2 public inputs, 3 private inputs, then wires
    /// w = (Σ random terms)·(Σ random terms), the last one copied to the output.
    /// </summary>
    internal static (R1cs R1cs, Scalar[] Witness) RandomCircuit(Random random, int products)
    {
        const int firstInternal = 1 + 1 + 2 + 3;
        var wires = firstInternal + products;
        var w = new Scalar[wires];
        w[0] = Scalar.One;
        for (var i = 2; i < firstInternal; i++)
            w[i] = R(random);
        var constraints = new List<Constraint>();
        Term[] Combination(int below) => [.. Enumerable.Range(0, random.Next(1, 4))
            .Select(_ => random.Next(below)).Where(x => x != 1).Distinct().Select(x => new Term(x, R(random)))];
        for (var k = 0; k < products; k++)
        {
            var target = firstInternal + k;
            var a = Combination(target);
            var b = Combination(target);
            w[target] = R1cs.Evaluate(a, w) * R1cs.Evaluate(b, w);
            constraints.Add(new Constraint(a, b, [new Term(target, Scalar.One)]));
        }
        w[1] = w[wires - 1];
        constraints.Add(new Constraint([new Term(0, Scalar.One)], [new Term(wires - 1, Scalar.One)], [new Term(1, Scalar.One)]));
        return (new R1cs(wires, 1, 2, 3, (ulong)wires, [.. constraints]), w);
    }

    private static Scalar R(Random random)
    {
        var bytes = new byte[40];
        random.NextBytes(bytes);
        return Scalar.From(new BigInteger(bytes, isUnsigned: true));
    }

    [Theory]
    [InlineData(1, 3)]
    [InlineData(2, 29)]
    [InlineData(3, 61)]
    public void The_proof_satisfies_the_verification_equation_in_the_exponent(int seed, int products)
    {
        var random = new Random(seed);
        var (r1cs, w) = RandomCircuit(random, products);
        r1cs.FirstViolation(w).ShouldBeNull();
        var (tau, alpha, beta, gamma, delta) = (R(random), R(random), R(random), R(random), R(random));
        var key = DevCeremony.Setup(r1cs, tau, alpha, beta, gamma, delta, progress: null);

        // Aᵢ(τ), Bᵢ(τ), Cᵢ(τ) straight from the constraints (plus the public rows) on τ's Lagrange basis.
        var lagrange = DevCeremony.LagrangeAt(tau, key.Log2Domain);
        var (aT, bT, cT) = (AtTau(r1cs, w, lagrange, c => c.A, true), AtTau(r1cs, w, lagrange, c => c.B, false), AtTau(r1cs, w, lagrange, c => c.C, false));

        // The quotient on the odd coset, paired with the H points' scalars, is (A·B − C)(τ) = h(τ)Z(τ).
        var quotient = Groth16Prover.QuotientOnCoset(key, w);
        var lagrange2 = DevCeremony.LagrangeAt(tau, key.Log2Domain + 1);
        var hz = Scalar.Zero;
        for (var k = 0; k < quotient.Length; k++)
            hz += quotient[k] * lagrange2[2 * k + 1];
        hz.ShouldBe(aT * bT - cT);

        // The proof's scalars satisfy A·B = α·β + Σpub·γ + C·δ.
        var (r, s) = (R(random), R(random));
        var aS = alpha + aT + r * delta;
        var bS = beta + bT + s * delta;
        var privateSum = Scalar.Zero;
        var publicSum = Scalar.Zero;
        for (var i = 0; i < r1cs.Wires; i++)
        {
            var single = new Scalar[r1cs.Wires];
            single[i] = w[i];
            // βAᵢ + αBᵢ + Cᵢ at τ, times wᵢ.
            var term = beta * AtTau(r1cs, single, lagrange, c => c.A, i <= r1cs.PublicCount)
                + alpha * AtTau(r1cs, single, lagrange, c => c.B, false) + AtTau(r1cs, single, lagrange, c => c.C, false);
            if (i <= r1cs.PublicCount)
                publicSum += term;
            else
                privateSum += term;
        }
        var cS = (privateSum + hz) * delta.Inverse() + s * aS + r * bS - r * s * delta;
        (aS * bS).ShouldBe(alpha * beta + publicSum + cS * delta);

        // And the prover's MSMs and combination give exactly those points.
        var proof = Groth16Prover.Combine(key,
            Msm.Multiply(key.A, w), Msm.Multiply(key.B1, w), Msm.Multiply(key.B2, w),
            Msm.Multiply(key.C, w.AsMemory(key.Public + 1)), Msm.Multiply(key.H, quotient), r, s);
        proof.A.ShouldBe(G1.Generator.Multiply(aS.ToBigInteger()));
        proof.B.ShouldBe(G2.Generator.Multiply(bS.ToBigInteger()));
        proof.C.ShouldBe(G1.Generator.Multiply(cS.ToBigInteger()));
    }

    private static Scalar AtTau(R1cs r1cs, Scalar[] w, Scalar[] lagrange, Func<Constraint, Term[]> matrix, bool publicRows)
    {
        var sum = Scalar.Zero;
        for (var row = 0; row < r1cs.Constraints.Length; row++)
            sum += R1cs.Evaluate(matrix(r1cs.Constraints[row]), w) * lagrange[row];
        if (publicRows)
            for (var s = 0; s <= r1cs.PublicCount; s++)
                sum += w[s] * lagrange[r1cs.Constraints.Length + s];
        return sum;
    }

    [Fact]
    public void Two_proofs_of_one_statement_differ_and_the_key_survives_a_write_and_read()
    {
        var (r1cs, w) = RandomCircuit(new Random(9), 10);
        var key = DevCeremony.Setup(r1cs);
        var path = Path.Combine(Path.GetTempPath(), $"nexus-prop-{Guid.NewGuid():N}.zkey");
        try
        {
            ZKeyFile.Write(path, key);
            var read = ZKeyFile.Read(path);
            read.Coefficients.ShouldBe(key.Coefficients);
            read.H.ShouldBe(key.H);
            read.B2.ShouldBe(key.B2);
            Groth16Prover.Prove(read, w).ShouldNotBe(Groth16Prover.Prove(read, w)); // fresh r, s each time
        }
        finally
        {
            File.Delete(path);
        }
    }
}
