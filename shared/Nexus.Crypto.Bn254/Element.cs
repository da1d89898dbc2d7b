using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Nexus.Crypto.Bn254;

/// <summary>
/// An element of the prime field of <typeparamref name="M"/>, held in Montgomery form (a·R mod p) on
/// four 64-bit limbs. Multiplication is CIOS Montgomery with <see cref="Math.BigMul(ulong, ulong, out ulong)"/>;
/// addition and subtraction are branch-light. Arithmetic is not constant-time where noted: this field
/// serves proving (public or prover-private data on the prover's own machine), not long-term keys.
/// </summary>
public readonly struct Element<M> : IField<Element<M>> where M : struct, IModulus
{
    internal readonly ulong L0, L1, L2, L3;

    internal Element(ulong l0, ulong l1, ulong l2, ulong l3)
    {
        L0 = l0; L1 = l1; L2 = l2; L3 = l3;
    }

    public static Element<M> Zero => default;
    public static Element<M> One => new(M.R0, M.R1, M.R2, M.R3);

    /// <summary>The modulus.</summary>
    public static BigInteger Modulus => ToBig(M.P0, M.P1, M.P2, M.P3);

    public bool IsZero => (L0 | L1 | L2 | L3) == 0;

    /// <summary>From a canonical integer (reduced mod p first).</summary>
    public static Element<M> From(BigInteger value)
    {
        var v = BigInteger.Remainder(value, Modulus);
        if (v.Sign < 0)
            v += Modulus;
        Span<byte> b = stackalloc byte[32];
        b.Clear(); // TryWriteBytes writes only the bytes the value needs (and locals are not zeroed here)
        v.TryWriteBytes(b, out _, isUnsigned: true, isBigEndian: false);
        return ToMontgomery(BinaryPrimitives.ReadUInt64LittleEndian(b), BinaryPrimitives.ReadUInt64LittleEndian(b[8..]),
            BinaryPrimitives.ReadUInt64LittleEndian(b[16..]), BinaryPrimitives.ReadUInt64LittleEndian(b[24..]));
    }

    public static Element<M> From(ulong value) => ToMontgomery(value, 0, 0, 0);

    /// <summary>From 32 big-endian bytes that must be below p (the EVM's and snarkjs's canonical form).</summary>
    public static bool TryRead(ReadOnlySpan<byte> bigEndian32, out Element<M> value)
    {
        value = default;
        if (bigEndian32.Length != 32)
            return false;
        var l3 = BinaryPrimitives.ReadUInt64BigEndian(bigEndian32);
        var l2 = BinaryPrimitives.ReadUInt64BigEndian(bigEndian32[8..]);
        var l1 = BinaryPrimitives.ReadUInt64BigEndian(bigEndian32[16..]);
        var l0 = BinaryPrimitives.ReadUInt64BigEndian(bigEndian32[24..]);
        if (!LessThanP(l0, l1, l2, l3))
            return false;
        value = ToMontgomery(l0, l1, l2, l3);
        return true;
    }

    public static Element<M> Read(ReadOnlySpan<byte> bigEndian32) => TryRead(bigEndian32, out var v)
        ? v
        : throw new FormatException($"not a canonical element of the field mod {Modulus} (32 big-endian bytes below the modulus)");

    /// <summary>The canonical value as 32 big-endian bytes.</summary>
    public void Write(Span<byte> bigEndian32)
    {
        var (l0, l1, l2, l3) = FromMontgomery();
        BinaryPrimitives.WriteUInt64BigEndian(bigEndian32, l3);
        BinaryPrimitives.WriteUInt64BigEndian(bigEndian32[8..], l2);
        BinaryPrimitives.WriteUInt64BigEndian(bigEndian32[16..], l1);
        BinaryPrimitives.WriteUInt64BigEndian(bigEndian32[24..], l0);
    }

    public byte[] ToBytes()
    {
        var b = new byte[32];
        Write(b);
        return b;
    }

    /// <summary>
    /// From 32 little-endian bytes, in normal form (<paramref name="montgomery"/> false: circom's .r1cs and
    /// .wtns) or already in Montgomery form (true: snarkjs's .zkey points); either way below p.
    /// </summary>
    public static bool TryReadLittleEndian(ReadOnlySpan<byte> littleEndian32, bool montgomery, out Element<M> value)
    {
        value = default;
        if (littleEndian32.Length != 32)
            return false;
        var l0 = BinaryPrimitives.ReadUInt64LittleEndian(littleEndian32);
        var l1 = BinaryPrimitives.ReadUInt64LittleEndian(littleEndian32[8..]);
        var l2 = BinaryPrimitives.ReadUInt64LittleEndian(littleEndian32[16..]);
        var l3 = BinaryPrimitives.ReadUInt64LittleEndian(littleEndian32[24..]);
        if (!LessThanP(l0, l1, l2, l3))
            return false;
        value = montgomery ? new Element<M>(l0, l1, l2, l3) : ToMontgomery(l0, l1, l2, l3);
        return true;
    }

    /// <summary>32 little-endian bytes, in normal or in Montgomery form (see <see cref="TryReadLittleEndian"/>).</summary>
    public void WriteLittleEndian(Span<byte> littleEndian32, bool montgomery)
    {
        var (l0, l1, l2, l3) = montgomery ? (L0, L1, L2, L3) : FromMontgomery();
        BinaryPrimitives.WriteUInt64LittleEndian(littleEndian32, l0);
        BinaryPrimitives.WriteUInt64LittleEndian(littleEndian32[8..], l1);
        BinaryPrimitives.WriteUInt64LittleEndian(littleEndian32[16..], l2);
        BinaryPrimitives.WriteUInt64LittleEndian(littleEndian32[24..], l3);
    }

    /// <summary>
    /// The element whose Montgomery limbs are <paramref name="value"/> itself (below p): a constant that
    /// multiplication uses as it stands (conversion factors, the inversion's correction table).
    /// </summary>
    internal static Element<M> Raw(BigInteger value)
    {
        Span<byte> b = stackalloc byte[32];
        b.Clear(); // TryWriteBytes writes only the bytes the value needs (and locals are not zeroed here)
        value.TryWriteBytes(b, out _, isUnsigned: true, isBigEndian: false);
        return TryReadLittleEndian(b, montgomery: true, out var e)
            ? e
            : throw new ArgumentOutOfRangeException(nameof(value), "a raw constant must be below the modulus");
    }

    /// <summary>The canonical value's four little-endian limbs (for scalar decomposition).</summary>
    internal (ulong L0, ulong L1, ulong L2, ulong L3) Canonical() => FromMontgomery();

    /// <summary>
    /// Bits [<paramref name="from"/>, from + <paramref name="count"/>) of the canonical value, as an element
    /// (v = Σ 2^from·BitRange(from, count) over ranges that tile the bits: how a scalar is split so that
    /// parts of one multi-scalar multiplication can run apart).
    /// </summary>
    public Element<M> BitRange(int from, int count)
    {
        if (from < 0 || count < 0 || from + count > 256)
            throw new ArgumentOutOfRangeException(nameof(count), $"bits [{from}, {from + count}) are not within 0..256");
        var (l0, l1, l2, l3) = FromMontgomery();
        Span<ulong> limbs = [l0, l1, l2, l3];
        Span<ulong> shifted = stackalloc ulong[4];
        var (word, bit) = (from >> 6, from & 63);
        for (var i = 0; i < 4; i++)
        {
            var lo = i + word < 4 ? limbs[i + word] : 0;
            var hi = i + word + 1 < 4 ? limbs[i + word + 1] : 0;
            shifted[i] = bit == 0 ? lo : (lo >> bit) | (hi << (64 - bit));
        }
        for (var i = 0; i < 4; i++)
        {
            var keep = Math.Clamp(count - 64 * i, 0, 64);
            shifted[i] &= keep == 64 ? ulong.MaxValue : (1UL << keep) - 1;
        }
        return ToMontgomery(shifted[0], shifted[1], shifted[2], shifted[3]);
    }

    public BigInteger ToBigInteger()
    {
        var (l0, l1, l2, l3) = FromMontgomery();
        return ToBig(l0, l1, l2, l3);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Element<M> operator +(Element<M> a, Element<M> b)
    {
        ulong c;
        var t0 = AddC(a.L0, b.L0, 0, out c);
        var t1 = AddC(a.L1, b.L1, c, out c);
        var t2 = AddC(a.L2, b.L2, c, out c);
        var t3 = AddC(a.L3, b.L3, c, out c);
        return Reduce(t0, t1, t2, t3, c);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Element<M> operator -(Element<M> a, Element<M> b)
    {
        ulong borrow;
        var t0 = SubB(a.L0, b.L0, 0, out borrow);
        var t1 = SubB(a.L1, b.L1, borrow, out borrow);
        var t2 = SubB(a.L2, b.L2, borrow, out borrow);
        var t3 = SubB(a.L3, b.L3, borrow, out borrow);
        // Add p back when it went negative (mask instead of a branch).
        var mask = 0UL - borrow;
        ulong c;
        t0 = AddC(t0, M.P0 & mask, 0, out c);
        t1 = AddC(t1, M.P1 & mask, c, out c);
        t2 = AddC(t2, M.P2 & mask, c, out c);
        t3 = AddC(t3, M.P3 & mask, c, out _);
        return new Element<M>(t0, t1, t2, t3);
    }

    public static Element<M> operator -(Element<M> a) => Zero - a;

    // Compiled once per field, not inlined: inlined, its 2.4 KB of code made every curve formula huge and
    // the JIT took about 0.1 s more per proof process, for no measurable gain in speed.
    [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.NoInlining)]
    public static Element<M> operator *(Element<M> a, Element<M> b) => MontMul(a.L0, a.L1, a.L2, a.L3, b.L0, b.L1, b.L2, b.L3);

    public Element<M> Square() => this * this;

    public Element<M> Double() => this + this;

    /// <summary>this^e for a non-negative exponent (square-and-multiply; variable time in e).</summary>
    public Element<M> Pow(BigInteger e)
    {
        if (e.Sign < 0)
            throw new ArgumentOutOfRangeException(nameof(e));
        var result = One;
        var x = this;
        for (var i = (int)e.GetBitLength() - 1; i >= 0; i--)
        {
            result = result.Square();
            if (!(e >> i).IsEven)
                result *= x;
        }
        return result;
    }

    /// <summary>A square root (either of the two; Tonelli–Shanks), or false when this is not a square.</summary>
    public bool TrySqrt(out Element<M> root) => SquareRoot<M>.TrySqrt(this, out root);

    /// <summary>The inverse (a binary extended GCD, <see cref="Inversion{M}"/>); zero has none.</summary>
    public Element<M> Inverse() => IsZero ? throw new DivideByZeroException("zero has no inverse") : Inversion<M>.Invert(this);

    /// <summary>The inverse by Fermat (a^(p−2)): the reference the binary inversion is tested against.</summary>
    // Hot loops are compiled optimized at once: on a machine whose cores all prove, the tiered JIT's
    // background recompilation starves and the first (unoptimized) code would run for seconds.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal Element<M> InverseByFermat()
    {
        if (IsZero)
            throw new DivideByZeroException("zero has no inverse");
        // p − 2 by its limbs (p is odd and > 2, so only the lowest limb changes), square-and-multiply.
        ReadOnlySpan<ulong> e = [M.P0 - 2, M.P1, M.P2, M.P3];
        var result = One;
        for (var limb = 3; limb >= 0; limb--)
            for (var bit = 63; bit >= 0; bit--)
            {
                result = result.Square();
                if (((e[limb] >> bit) & 1) != 0)
                    result *= this;
            }
        return result;
    }

    /// <summary>Inverts every element in place with one inversion (Montgomery's trick); none may be zero.</summary>
    public static void BatchInverse(Span<Element<M>> values) => FieldBatch.Invert(values);

    public bool Equals(Element<M> other) => L0 == other.L0 && L1 == other.L1 && L2 == other.L2 && L3 == other.L3;
    public override bool Equals(object? obj) => obj is Element<M> e && Equals(e);
    public override int GetHashCode() => HashCode.Combine(L0, L1, L2, L3);
    public static bool operator ==(Element<M> a, Element<M> b) => a.Equals(b);
    public static bool operator !=(Element<M> a, Element<M> b) => !a.Equals(b);
    public override string ToString() => ToBigInteger().ToString();

    private static Element<M> ToMontgomery(ulong l0, ulong l1, ulong l2, ulong l3) =>
        MontMul(l0, l1, l2, l3, M.RR0, M.RR1, M.RR2, M.RR3);

    private (ulong, ulong, ulong, ulong) FromMontgomery()
    {
        var e = MontMul(L0, L1, L2, L3, 1, 0, 0, 0);
        return (e.L0, e.L1, e.L2, e.L3);
    }

    /// <summary>
    /// CIOS Montgomery multiplication: a·b·R⁻¹ mod p, inputs below p. The "no-carry" form (as gnark-crypto
    /// uses it): p's top limb is below 2⁶³ − 1 for both BN254 fields, so each round's sums fit four limbs
    /// and the fifth and sixth limbs of plain CIOS, and their carries, are never needed (measured 20%
    /// fewer instructions per multiplication).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Element<M> MontMul(ulong a0, ulong a1, ulong a2, ulong a3, ulong b0, ulong b1, ulong b2, ulong b3)
    {
        ulong t0 = 0, t1 = 0, t2 = 0, t3 = 0;
        Round(ref t0, ref t1, ref t2, ref t3, a0, a1, a2, a3, b0);
        Round(ref t0, ref t1, ref t2, ref t3, a0, a1, a2, a3, b1);
        Round(ref t0, ref t1, ref t2, ref t3, a0, a1, a2, a3, b2);
        Round(ref t0, ref t1, ref t2, ref t3, a0, a1, a2, a3, b3);
        return Reduce(t0, t1, t2, t3, 0);
    }

    /// <summary>t = (t + a·bi + m·p) / 2⁶⁴, m making the low limb zero; the a·bi and m·p carry chains interleaved.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Round(ref ulong t0, ref ulong t1, ref ulong t2, ref ulong t3,
        ulong a0, ulong a1, ulong a2, ulong a3, ulong bi)
    {
        t0 = MulAdd(a0, bi, t0, 0, out var a);
        var m = t0 * M.Inv;
        MulAdd(m, M.P0, t0, 0, out var c);
        t1 = MulAdd(a1, bi, t1, a, out a);
        t0 = MulAdd(m, M.P1, t1, c, out c);
        t2 = MulAdd(a2, bi, t2, a, out a);
        t1 = MulAdd(m, M.P2, t2, c, out c);
        t3 = MulAdd(a3, bi, t3, a, out a);
        t2 = MulAdd(m, M.P3, t3, c, out c);
        t3 = c + a;
    }

    /// <summary>(t4:t3:t2:t1:t0) − p when it is ≥ p (the input is below 2p).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Element<M> Reduce(ulong t0, ulong t1, ulong t2, ulong t3, ulong t4)
    {
        ulong borrow;
        var s0 = SubB(t0, M.P0, 0, out borrow);
        var s1 = SubB(t1, M.P1, borrow, out borrow);
        var s2 = SubB(t2, M.P2, borrow, out borrow);
        var s3 = SubB(t3, M.P3, borrow, out borrow);
        SubB(t4, 0, borrow, out borrow);
        // borrow = 1: t < p, keep t.
        var keep = 0UL - borrow;
        return new Element<M>((t0 & keep) | (s0 & ~keep), (t1 & keep) | (s1 & ~keep), (t2 & keep) | (s2 & ~keep), (t3 & keep) | (s3 & ~keep));
    }

    private static bool LessThanP(ulong l0, ulong l1, ulong l2, ulong l3)
    {
        ulong borrow;
        SubB(l0, M.P0, 0, out borrow);
        SubB(l1, M.P1, borrow, out borrow);
        SubB(l2, M.P2, borrow, out borrow);
        SubB(l3, M.P3, borrow, out borrow);
        return borrow == 1;
    }

    // 64×64→128 with Math.BigMul (one MUL/MULX): UInt128's operator * multiplies 128×128 and was 3× slower here.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong MulAdd(ulong a, ulong b, ulong add, ulong carry, out ulong hi)
    {
        hi = Math.BigMul(a, b, out var lo);
        lo += add;
        hi += lo < add ? 1UL : 0UL;
        lo += carry;
        hi += lo < carry ? 1UL : 0UL;
        return lo;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong AddC(ulong a, ulong b, ulong carryIn, out ulong carryOut)
    {
        var sum = a + b;
        var c1 = sum < a ? 1UL : 0UL;
        var result = sum + carryIn;
        carryOut = c1 + (result < sum ? 1UL : 0UL);
        return result;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong SubB(ulong a, ulong b, ulong borrowIn, out ulong borrowOut)
    {
        var diff = a - b - borrowIn;
        borrowOut = ((~a & b) | (~(a ^ b) & diff)) >> 63;
        return diff;
    }

    private static BigInteger ToBig(ulong l0, ulong l1, ulong l2, ulong l3)
    {
        Span<byte> b = stackalloc byte[32];
        BinaryPrimitives.WriteUInt64LittleEndian(b, l0);
        BinaryPrimitives.WriteUInt64LittleEndian(b[8..], l1);
        BinaryPrimitives.WriteUInt64LittleEndian(b[16..], l2);
        BinaryPrimitives.WriteUInt64LittleEndian(b[24..], l3);
        return new BigInteger(b, isUnsigned: true, isBigEndian: false);
    }
}
