using Nexus.Crypto.Groth16.Formats;

namespace Nexus.Crypto.Groth16;

/// <summary>
/// A one-party Groth16 setup for development circuits: draws τ, α, β, γ, δ from the OS's CSPRNG,
/// builds the proving key snarkjs's <c>groth16 setup</c> + contributions would (same layout, same QAP
/// rows, same Lagrange basis and odd-coset H points), and forgets the secrets. Seconds instead of the
/// powers-of-tau preparation. <b>Not for production</b>: whoever ran it could have kept the toxic
/// waste and forge proofs. Production keys come from a public ceremony (see the prover's README).
/// </summary>
public static class DevCeremony
{
    public static ProvingKey Setup(R1cs r1cs, IProgress<string>? progress = null)
    {
        var (tau, alpha, beta, gamma, delta) = (Secret(), Secret(), Secret(), Secret(), Secret());
        return Setup(r1cs, tau, alpha, beta, gamma, delta, progress);
    }

    /// <summary>With given toxic waste (tests and cross-checks only).</summary>
    internal static ProvingKey Setup(R1cs r1cs, Scalar tau, Scalar alpha, Scalar beta, Scalar gamma, Scalar delta, IProgress<string>? progress)
    {
        var m = r1cs.Constraints.Length;
        var nPublic = r1cs.PublicCount;
        // As snarkjs: the smallest power of two above the constraints plus the public rows.
        var log2 = System.Numerics.BitOperations.Log2((uint)(m + nPublic)) + 1;
        if (log2 >= Fft.MaxLog2)
            throw new ArgumentException($"{m} constraints need a domain of 2^{log2}; BN254's FFTs go to 2^{Fft.MaxLog2 - 1} here");
        var n = 1 << log2;

        progress?.Report($"Lagrange basis at τ (domain 2^{log2})");
        var lagrange = LagrangeAt(tau, log2);

        progress?.Report("QAP polynomials at τ");
        var au = new Scalar[r1cs.Wires];
        var bu = new Scalar[r1cs.Wires];
        var cu = new Scalar[r1cs.Wires];
        var coefficients = new List<Coefficient>();
        for (var row = 0; row < m; row++)
        {
            var constraint = r1cs.Constraints[row];
            foreach (var t in constraint.A)
            {
                au[t.Wire] += t.Coefficient * lagrange[row];
                coefficients.Add(new Coefficient(0, row, t.Wire, t.Coefficient));
            }
            foreach (var t in constraint.B)
            {
                bu[t.Wire] += t.Coefficient * lagrange[row];
                coefficients.Add(new Coefficient(1, row, t.Wire, t.Coefficient));
            }
            foreach (var t in constraint.C)
                cu[t.Wire] += t.Coefficient * lagrange[row];
        }
        // One row per public signal (and the constant): A_s += L_{m+s}, so the public inputs' IC points
        // are linearly independent (else a proof could shift weight between public inputs).
        for (var s = 0; s <= nPublic; s++)
        {
            au[s] += lagrange[m + s];
            coefficients.Add(new Coefficient(0, m + s, s, Scalar.One));
        }

        var gammaInv = gamma.Inverse();
        var deltaInv = delta.Inverse();
        var ic = new Scalar[nPublic + 1];
        var c = new Scalar[r1cs.Wires - nPublic - 1];
        for (var i = 0; i < r1cs.Wires; i++)
        {
            var combined = beta * au[i] + alpha * bu[i] + cu[i];
            if (i <= nPublic)
                ic[i] = combined * gammaInv;
            else
                c[i - nPublic - 1] = combined * deltaInv;
        }

        // H[k] = L²ⁿ_{2k+1}(τ)/δ: Lagrange points of the doubled domain at the odd coset.
        var lagrange2 = LagrangeAt(tau, log2 + 1);
        var h = new Scalar[n];
        for (var k = 0; k < n; k++)
            h[k] = lagrange2[2 * k + 1] * deltaInv;

        progress?.Report("fixed-base tables");
        var g1 = new FixedBase<Element<Fq>>(G1.Generator.ToAffinePoint());
        var g2 = new FixedBase<Fq2>(G2.Generator.ToAffinePoint());
        progress?.Report($"A, B1, C, IC: {2 * r1cs.Wires + c.Length + ic.Length} G1 points");
        var aPoints = g1.MultiplyAll(au);
        var b1Points = g1.MultiplyAll(bu);
        var cPoints = g1.MultiplyAll(c);
        var icPoints = g1.MultiplyAll(ic);
        progress?.Report($"B2: {r1cs.Wires} G2 points");
        var b2Points = g2.MultiplyAll(bu);
        progress?.Report($"H: {n} G1 points");
        var hPoints = g1.MultiplyAll(h);

        return new ProvingKey
        {
            Vars = r1cs.Wires, Public = nPublic, DomainSize = n,
            Alpha1 = g1.Multiply(alpha), Beta1 = g1.Multiply(beta), Beta2 = g2.Multiply(beta),
            Gamma2 = g2.Multiply(gamma), Delta1 = g1.Multiply(delta), Delta2 = g2.Multiply(delta),
            IC = icPoints, Coefficients = [.. coefficients],
            A = aPoints, B1 = b1Points, B2 = b2Points, C = cPoints, H = hPoints,
            // snarkjs's section 10: a 64-byte circuit hash and the contribution count. No transcript
            // here (one party, nothing to verify): zeros, and no contributions.
            Contributions = new byte[68],
        };
    }

    /// <summary>Lᵢ(τ) for the 2^log2 roots of unity: (τⁿ − 1)/n · ωⁱ/(τ − ωⁱ).</summary>
    internal static Scalar[] LagrangeAt(Scalar tau, int log2)
    {
        var n = 1 << log2;
        var omega = Fft.Root(log2);
        var zOverN = (tau.Pow(n) - Scalar.One) * Scalar.From((ulong)n).Inverse();
        var powers = new Scalar[n];
        var denominators = new Scalar[n];
        var w = Scalar.One;
        for (var i = 0; i < n; i++)
        {
            powers[i] = w;
            denominators[i] = tau - w;
            w *= omega;
        }
        if (denominators.Any(d => d.IsZero))
            throw new ArgumentException("τ is a root of unity of the domain");
        Scalar.BatchInverse(denominators);
        for (var i = 0; i < n; i++)
            powers[i] = zOverN * powers[i] * denominators[i];
        return powers;
    }

    private static Scalar Secret()
    {
        while (true)
        {
            var s = Groth16Prover.RandomScalar();
            if (!s.IsZero)
                return s;
        }
    }
}
