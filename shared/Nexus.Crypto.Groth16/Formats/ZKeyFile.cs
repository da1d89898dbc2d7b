namespace Nexus.Crypto.Groth16.Formats;

/// <summary>One non-zero entry of the QAP's A (matrix 0) or B (matrix 1) at a constraint row and signal.</summary>
public readonly record struct Coefficient(byte Matrix, int Constraint, int Signal, Scalar Value);

/// <summary>
/// A Groth16 proving key with snarkjs's layout (.zkey, version 1). Query points are affine over τ's
/// Lagrange basis on the domain: A[i] = [Aᵢ(τ)]₁, B1/B2[i] = [Bᵢ(τ)]₁/₂, C[j] = [(βAᵢ+αBᵢ+Cᵢ)(τ)/δ]₁ for the
/// private signals, IC[i] = [(βAᵢ+αBᵢ+Cᵢ)(τ)/γ]₁ for the constant and the public ones (γ is the
/// generator in snarkjs keys), and H[k] = [L²ⁿ₂ₖ₊₁(τ)/δ]₁, the odd Lagrange points of the doubled domain,
/// which pair with (A·B − C) evaluated on the odd coset. The QAP adds one row per public signal (and
/// the constant), Aₛ += L_{m+s}, so public inputs are linearly independent.
/// </summary>
public sealed class ProvingKey
{
    public required int Vars { get; init; }
    public required int Public { get; init; }
    public required int DomainSize { get; init; }
    public required G1Affine Alpha1 { get; init; }
    public required G1Affine Beta1 { get; init; }
    public required G2Affine Beta2 { get; init; }
    public required G2Affine Gamma2 { get; init; }
    public required G1Affine Delta1 { get; init; }
    public required G2Affine Delta2 { get; init; }
    public required G1Affine[] IC { get; init; }
    public required Coefficient[] Coefficients { get; init; }
    public required G1Affine[] A { get; init; }
    public required G1Affine[] B1 { get; init; }
    public required G2Affine[] B2 { get; init; }
    public required G1Affine[] C { get; init; }
    public required G1Affine[] H { get; init; }

    /// <summary>Section 10 as found (the contributions' hash and list), kept so a rewritten key keeps it.</summary>
    public byte[] Contributions { get; init; } = new byte[68];

    public int Log2Domain => System.Numerics.BitOperations.Log2((uint)DomainSize);
}

/// <summary>Reads and writes snarkjs's Groth16 .zkey; every point is checked to be on its curve.</summary>
public static class ZKeyFile
{
    private const uint ProtocolSection = 1, HeaderSection = 2, ICSection = 3, CoefficientsSection = 4,
        ASection = 5, B1Section = 6, B2Section = 7, CSection = 8, HSection = 9, ContributionsSection = 10;
    private const uint Groth16 = 1;

    // snarkjs stores coefficients as v·R² mod r so that one Montgomery product with a plain witness value
    // gives Montgomery(v·w); reading its bytes as Montgomery gives v·R, so one more R⁻¹ gives v.
    private static readonly Scalar RInverse = Scalar.From(System.Numerics.BigInteger.ModPow(
        System.Numerics.BigInteger.One << 256, Scalar.Modulus - 2, Scalar.Modulus));
    private static readonly Scalar R = Scalar.From((System.Numerics.BigInteger.One << 256) % Scalar.Modulus);

    public static ProvingKey Read(string path) => Parse(File.ReadAllBytes(path), path);

    public static ProvingKey Parse(ReadOnlyMemory<byte> bytes, string path)
    {
        var file = BinFile.Parse(bytes, path, "zkey", 1);
        var protocol = file.Section(ProtocolSection);
        var id = protocol.U32();
        if (id != Groth16)
            throw protocol.Error($"protocol {id} is not Groth16 (1): a PLONK or FFLONK key?");

        var header = file.Section(HeaderSection);
        FieldIo.ExpectPrime<Fq>(header, "the key's base field");
        FieldIo.ExpectPrime<Fr>(header, "the key's scalar field");
        var vars = (int)header.U32();
        var nPublic = (int)header.U32();
        var domain = (int)header.U32();
        if (vars <= 0 || nPublic < 0 || nPublic >= vars || domain <= 0 || (domain & (domain - 1)) != 0 || domain > 1 << Fft.MaxLog2 - 1)
            throw header.Error($"inconsistent sizes ({vars} signals, {nPublic} public, domain {domain})");
        var alpha1 = G1(header, "alpha1");
        var beta1 = G1(header, "beta1");
        var beta2 = G2(header, "beta2");
        var gamma2 = G2(header, "gamma2");
        var delta1 = G1(header, "delta1");
        var delta2 = G2(header, "delta2");
        header.End();

        var coefficients = file.Section(CoefficientsSection);
        var count = coefficients.U32();
        if ((ulong)coefficients.Remaining != count * (12UL + FieldIo.N8))
            throw coefficients.Error($"announces {count} coefficients but holds {coefficients.Remaining} bytes");
        var coefs = new Coefficient[count];
        for (var i = 0; i < count; i++)
        {
            var matrix = coefficients.U32();
            var constraint = coefficients.U32();
            var signal = coefficients.U32();
            if (matrix > 1 || constraint >= domain || signal >= vars)
                throw coefficients.Error($"coefficient {i} (matrix {matrix}, row {constraint}, signal {signal}) is out of range");
            var raw = FieldIo.Read<Fr>(coefficients, montgomery: true, "coefficient", i);
            coefs[i] = new Coefficient((byte)matrix, (int)constraint, (int)signal, raw * RInverse);
        }

        // The five query sections are most of the file: parsed (and curve-checked) side by side.
        G1Affine[] a = [], b1 = [], c = [], h = [];
        G2Affine[] b2 = [];
        try
        {
            Parallel.Invoke(
                () => a = G1Points(file.Section(ASection), vars, "A"),
                () => b1 = G1Points(file.Section(B1Section), vars, "B1"),
                () => b2 = G2Points(file.Section(B2Section), vars, "B2"),
                () => c = G1Points(file.Section(CSection), vars - nPublic - 1, "C"),
                () => h = G1Points(file.Section(HSection), domain, "H"));
        }
        catch (AggregateException e)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e.InnerExceptions[0]);
        }
        return new ProvingKey
        {
            Vars = vars, Public = nPublic, DomainSize = domain,
            Alpha1 = alpha1, Beta1 = beta1, Beta2 = beta2, Gamma2 = gamma2, Delta1 = delta1, Delta2 = delta2,
            IC = G1Points(file.Section(ICSection), nPublic + 1, "IC"),
            Coefficients = coefs,
            A = a, B1 = b1, B2 = b2, C = c, H = h,
            Contributions = Raw(file, ContributionsSection),
        };
    }

    public static void Write(string path, ProvingKey key)
    {
        var writer = new BinFileWriter("zkey", 1);
        writer.Section(ProtocolSection).U32(Groth16);
        var header = writer.Section(HeaderSection);
        FieldIo.WritePrime<Fq>(header);
        FieldIo.WritePrime<Fr>(header);
        header.U32((uint)key.Vars);
        header.U32((uint)key.Public);
        header.U32((uint)key.DomainSize);
        Write(header, key.Alpha1);
        Write(header, key.Beta1);
        Write(header, key.Beta2);
        Write(header, key.Gamma2);
        Write(header, key.Delta1);
        Write(header, key.Delta2);
        WriteAll(writer.Section(ICSection), key.IC);
        var coefficients = writer.Section(CoefficientsSection);
        coefficients.U32((uint)key.Coefficients.Length);
        foreach (var c in key.Coefficients)
        {
            coefficients.U32(c.Matrix);
            coefficients.U32((uint)c.Constraint);
            coefficients.U32((uint)c.Signal);
            FieldIo.Write(coefficients, c.Value * R, montgomery: true);
        }
        WriteAll(writer.Section(ASection), key.A);
        WriteAll(writer.Section(B1Section), key.B1);
        var b2 = writer.Section(B2Section);
        foreach (var p in key.B2)
            Write(b2, p);
        WriteAll(writer.Section(CSection), key.C);
        WriteAll(writer.Section(HSection), key.H);
        writer.Section(ContributionsSection).Bytes(key.Contributions);
        writer.Save(path);
    }

    private static byte[] Raw(BinFile file, uint type)
    {
        var section = file.Section(type);
        return section.Bytes(section.Remaining).ToArray();
    }

    private static G1Affine[] G1Points(SectionReader reader, int count, string name)
    {
        if ((ulong)reader.Remaining != (ulong)count * 64)
            throw reader.Error($"{name} should hold {count} G1 points ({count * 64L} bytes), not {reader.Remaining} bytes");
        var points = new G1Affine[count];
        for (var i = 0; i < count; i++)
            points[i] = G1(reader, name, i);
        return points;
    }

    private static G2Affine[] G2Points(SectionReader reader, int count, string name)
    {
        if ((ulong)reader.Remaining != (ulong)count * 128)
            throw reader.Error($"{name} should hold {count} G2 points ({count * 128L} bytes), not {reader.Remaining} bytes");
        var points = new G2Affine[count];
        for (var i = 0; i < count; i++)
            points[i] = G2(reader, name, i);
        return points;
    }

    /// <summary>x ‖ y in Montgomery form, little-endian; (0, 0) is infinity.</summary>
    private static G1Affine G1(SectionReader reader, string name, long index = -1)
    {
        var x = FieldIo.Read<Fq>(reader, montgomery: true, name, index, ".x");
        var y = FieldIo.Read<Fq>(reader, montgomery: true, name, index, ".y");
        var p = new G1Affine(x, y);
        if (!p.IsInfinity && !Bn254.G1.IsOnCurve(x, y))
            throw reader.Error($"{FieldIo.Name(name, index, "")} is not on the curve");
        return p;
    }

    /// <summary>x.c0 ‖ x.c1 ‖ y.c0 ‖ y.c1, each in Montgomery form, little-endian.</summary>
    private static G2Affine G2(SectionReader reader, string name, long index = -1)
    {
        var x = new Fq2(FieldIo.Read<Fq>(reader, true, name, index, ".x.c0"), FieldIo.Read<Fq>(reader, true, name, index, ".x.c1"));
        var y = new Fq2(FieldIo.Read<Fq>(reader, true, name, index, ".y.c0"), FieldIo.Read<Fq>(reader, true, name, index, ".y.c1"));
        var p = new G2Affine(x, y);
        if (!p.IsInfinity && !Bn254.G2.IsOnCurve(x, y))
            throw reader.Error($"{FieldIo.Name(name, index, "")} is not on the twist");
        return p;
    }

    private static void WriteAll(SectionWriter writer, G1Affine[] points)
    {
        foreach (var p in points)
            Write(writer, p);
    }

    private static void Write(SectionWriter writer, G1Affine p)
    {
        FieldIo.Write(writer, p.X, montgomery: true);
        FieldIo.Write(writer, p.Y, montgomery: true);
    }

    private static void Write(SectionWriter writer, G2Affine p)
    {
        FieldIo.Write(writer, p.X.C0, montgomery: true);
        FieldIo.Write(writer, p.X.C1, montgomery: true);
        FieldIo.Write(writer, p.Y.C0, montgomery: true);
        FieldIo.Write(writer, p.Y.C1, montgomery: true);
    }
}
