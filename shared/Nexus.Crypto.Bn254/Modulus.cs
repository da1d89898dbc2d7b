namespace Nexus.Crypto.Bn254;

/// <summary>
/// A 254-bit prime modulus for Montgomery arithmetic on four 64-bit limbs (little-endian): the limbs
/// of p, −p⁻¹ mod 2⁶⁴, and R = 2²⁵⁶ mod p, R² mod p. Implemented by empty structs so the JIT
/// specialises <see cref="Element{TModulus}"/> per field with the constants inlined.
/// </summary>
public interface IModulus
{
    static abstract ulong P0 { get; }
    static abstract ulong P1 { get; }
    static abstract ulong P2 { get; }
    static abstract ulong P3 { get; }
    /// <summary>−p⁻¹ mod 2⁶⁴.</summary>
    static abstract ulong Inv { get; }
    static abstract ulong R0 { get; }
    static abstract ulong R1 { get; }
    static abstract ulong R2 { get; }
    static abstract ulong R3 { get; }
    static abstract ulong RR0 { get; }
    static abstract ulong RR1 { get; }
    static abstract ulong RR2 { get; }
    static abstract ulong RR3 { get; }
}

/// <summary>The base field of BN254 (alt_bn128): q = 21888242871839275222246405745257275088696311157297823662689037894645226208583.</summary>
public readonly struct Fq : IModulus
{
    public static ulong P0 => 0x3c208c16d87cfd47;
    public static ulong P1 => 0x97816a916871ca8d;
    public static ulong P2 => 0xb85045b68181585d;
    public static ulong P3 => 0x30644e72e131a029;
    public static ulong Inv => 0x87d20782e4866389;
    public static ulong R0 => 0xd35d438dc58f0d9d;
    public static ulong R1 => 0x0a78eb28f5c70b3d;
    public static ulong R2 => 0x666ea36f7879462c;
    public static ulong R3 => 0x0e0a77c19a07df2f;
    public static ulong RR0 => 0xf32cfc5b538afa89;
    public static ulong RR1 => 0xb5e71911d44501fb;
    public static ulong RR2 => 0x47ab1eff0a417ff6;
    public static ulong RR3 => 0x06d89f71cab8351f;
}

/// <summary>The scalar field of BN254 (the group order): r = 21888242871839275222246405745257275088548364400416034343698204186575808495617.</summary>
public readonly struct Fr : IModulus
{
    public static ulong P0 => 0x43e1f593f0000001;
    public static ulong P1 => 0x2833e84879b97091;
    public static ulong P2 => 0xb85045b68181585d;
    public static ulong P3 => 0x30644e72e131a029;
    public static ulong Inv => 0xc2e1f593efffffff;
    public static ulong R0 => 0xac96341c4ffffffb;
    public static ulong R1 => 0x36fc76959f60cd29;
    public static ulong R2 => 0x666ea36f7879462e;
    public static ulong R3 => 0x0e0a77c19a07df2f;
    public static ulong RR0 => 0x1bb8e645ae216da7;
    public static ulong RR1 => 0x53fe3ab1e35c59e3;
    public static ulong RR2 => 0x8c49833d53bb8085;
    public static ulong RR3 => 0x0216d0b17f4e44a5;
}
