using System.CommandLine;
using System.Diagnostics;
using System.Numerics;
using Nexus.Crypto.Bn254;

namespace Nexus.Bench.Bn254;

/// <summary>
/// BN254 arithmetic (no infrastructure): Fq multiplication, G1 addition, and G1 MSM throughput at
/// several sizes, against one-by-one double-and-add scalar multiplications measured in the same run.
/// </summary>
public static class Bn254Bench
{
    public static Command Command()
    {
        var log2 = new Option<int[]>("--log2") { Description = "MSM sizes as powers of two", DefaultValueFactory = _ => [12, 14, 16], AllowMultipleArgumentsPerToken = true };
        var cmd = new Command("bn254", "BN254 field, G1 and MSM throughput (SIMD and scalar) vs one-by-one scalar multiplication") { log2 };
        cmd.SetAction(p => Run(p.GetValue(log2)!));
        return cmd;
    }

    private static int Run(int[] sizes)
    {
        var cores = Environment.ProcessorCount;
        Console.WriteLine($"nexus-bench bn254: {cores} cores, 64-bit limbs (Math.BigMul); MSM batches on AVX-512: {(Msm.UseSimd ? "yes" : "not on this CPU")}");
        var random = new Random(1);
        var a = Element<Fq>.From(new BigInteger(RandomBytes(random), isUnsigned: true));
        var b = Element<Fq>.From(new BigInteger(RandomBytes(random), isUnsigned: true));
        const int mulRounds = 5_000_000;
        var acc = a;
        var mulMs = Timing.BestMs(3, () =>
        {
            for (var i = 0; i < mulRounds; i++)
                acc *= b;
        });
        Console.WriteLine($"  Fq mul             {mulMs * 1e6 / mulRounds,8:F1} ns  (checksum {acc.ToBigInteger() % 1000})");

        var p = G1.Generator.Multiply(12345);
        var q = G1.Generator.Multiply(67890);
        const int addRounds = 200_000;
        var sum = p;
        var addMs = Timing.BestMs(3, () =>
        {
            for (var i = 0; i < addRounds; i++)
                sum += q;
        });
        Console.WriteLine($"  G1 add (Jacobian)  {addMs * 1e6 / addRounds,8:F1} ns");

        foreach (var log in sizes)
        {
            var n = 1 << log;
            var points = new G1[n];
            var scalars = new Element<Fr>[n];
            var basePoint = G1.Generator;
            for (var i = 0; i < n; i++)
            {
                points[i] = basePoint;
                basePoint += G1.Generator; // distinct points without n scalar multiplications
                scalars[i] = Element<Fr>.From(new BigInteger(RandomBytes(random), isUnsigned: true));
            }
            var sample = Math.Min(n, 64);
            var naiveWatch = Stopwatch.StartNew();
            var naive = G1.Infinity;
            for (var i = 0; i < sample; i++)
                naive += points[i].Multiply(scalars[i].ToBigInteger());
            var naivePerPoint = naiveWatch.Elapsed.TotalMilliseconds / sample;
            var bases = points.Select(p => p.ToAffinePoint()).ToArray();
            var simd = Msm.UseSimd;
            Msm.UseSimd = false;
            var scalarMs = Timing.BestMs(3, () => Msm.Multiply(bases, scalars));
            Msm.UseSimd = simd;
            var msmMs = Timing.BestMs(5, () => Msm.Multiply(bases, scalars));
            var perCore = n / (msmMs / 1000) / cores;
            Console.WriteLine($"  G1 MSM 2^{log,-2}        {msmMs,8:F0} ms  {perCore / 1e6,6:F3} M points/s/core{(simd ? $" (scalar {n / (scalarMs / 1000) / cores / 1e6:F3})" : "")}  ({naivePerPoint * n / msmMs:F1}× one-by-one double-and-add; published gnark-style CPU ≈ 0.31 M/s/core)");
        }
        return 0;
    }

    private static byte[] RandomBytes(Random random)
    {
        var bytes = new byte[32];
        random.NextBytes(bytes);
        bytes[0] &= 0x1f;
        return bytes;
    }
}
