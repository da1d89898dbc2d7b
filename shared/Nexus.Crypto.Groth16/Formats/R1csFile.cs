using Nexus.Crypto.Bn254;

namespace Nexus.Crypto.Groth16.Formats;

/// <summary>One term of a linear combination: coefficient · wire.</summary>
public readonly record struct Term(int Wire, Element<Fr> Coefficient);

/// <summary>A·w × B·w = C·w.</summary>
public sealed record Constraint(Term[] A, Term[] B, Term[] C);

/// <summary>
/// A circuit's rank-1 constraint system as circom writes it (.r1cs, version 1). Wire 0 is the constant
/// one, then the public outputs, the public inputs, the private inputs and the internal wires.
/// </summary>
public sealed record R1cs(int Wires, int PublicOutputs, int PublicInputs, int PrivateInputs, ulong Labels, Constraint[] Constraints)
{
    /// <summary>Public signals (outputs then inputs), not counting the constant one.</summary>
    public int PublicCount => PublicOutputs + PublicInputs;

    private const uint HeaderSection = 1, ConstraintSection = 2;

    public static R1cs Read(string path)
    {
        var file = BinFile.Read(path, "r1cs", 1);
        var header = file.Section(HeaderSection);
        FieldIo.ExpectPrime<Fr>(header, "the circuit's");
        var wires = header.U32();
        var outputs = header.U32();
        var inputs = header.U32();
        var privates = header.U32();
        var labels = header.U64();
        var count = header.U32();
        header.End();
        if (wires is 0 or > int.MaxValue || (ulong)outputs + inputs + privates >= wires)
            throw header.Error($"inconsistent wire counts ({wires} wires, {outputs} outputs, {inputs} public and {privates} private inputs)");

        var body = file.Section(ConstraintSection);
        // Every constraint takes at least three term counts: refuse a count the section cannot hold
        // before allocating for it.
        if ((ulong)count * 12 > (ulong)body.Remaining)
            throw body.Error($"announces {count} constraints but holds {body.Remaining} bytes");
        var constraints = new Constraint[count];
        for (var i = 0; i < count; i++)
            constraints[i] = new Constraint(ReadCombination(body, (int)wires, i), ReadCombination(body, (int)wires, i), ReadCombination(body, (int)wires, i));
        body.End();
        return new R1cs((int)wires, (int)outputs, (int)inputs, (int)privates, labels, constraints);
    }

    private static Term[] ReadCombination(SectionReader reader, int wires, int constraint)
    {
        var n = reader.U32();
        if (n > wires || (ulong)n * (4 + FieldIo.N8) > (ulong)reader.Remaining)
            throw reader.Error($"constraint {constraint} announces {n} terms ({wires} wires, {reader.Remaining} bytes left)");
        var terms = new Term[n];
        for (var i = 0; i < n; i++)
        {
            var wire = reader.U32();
            if (wire >= wires)
                throw reader.Error($"constraint {constraint} names wire {wire}, but the circuit has {wires}");
            terms[i] = new Term((int)wire, FieldIo.Read<Fr>(reader, montgomery: false, "a coefficient of constraint", constraint));
        }
        return terms;
    }

    /// <summary>
    /// The first constraint the witness breaks, or null when all hold. Also checks the witness's length
    /// and that wire 0 is one.
    /// </summary>
    public string? FirstViolation(ReadOnlySpan<Element<Fr>> witness)
    {
        if (witness.Length != Wires)
            return $"the witness has {witness.Length} values but the circuit has {Wires} wires (a witness of another circuit?)";
        if (witness[0] != Element<Fr>.One)
            return "witness[0] (the constant signal) is not 1";
        for (var i = 0; i < Constraints.Length; i++)
        {
            var (a, b, c) = (Evaluate(Constraints[i].A, witness), Evaluate(Constraints[i].B, witness), Evaluate(Constraints[i].C, witness));
            if (a * b != c)
                return $"constraint {i} does not hold: A·w = {a}, B·w = {b}, A·w × B·w ≠ C·w = {c}";
        }
        return null;
    }

    public static Element<Fr> Evaluate(Term[] terms, ReadOnlySpan<Element<Fr>> witness)
    {
        var sum = Element<Fr>.Zero;
        foreach (var t in terms)
            sum += t.Coefficient * witness[t.Wire];
        return sum;
    }
}
