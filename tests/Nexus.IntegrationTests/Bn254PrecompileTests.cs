using System.Numerics;
using Nethereum.RPC.Eth.DTOs;
using Nexus.Crypto.Bn254;
using Nexus.Ethereum;
using Nexus.IntegrationTests.Infrastructure;

namespace Nexus.IntegrationTests;

/// <summary>Our BN254 G1 arithmetic against the EVM's ecAdd (0x06) and ecMul (0x07) precompiles on the dev node.</summary>
public sealed class Bn254PrecompileTests
{
    private static async Task<byte[]> PrecompileAsync(Nethereum.Web3.Web3 web3, int address, byte[] input) =>
        Hex.Decode(await web3.Eth.Transactions.Call.SendRequestAsync(new CallInput { To = "0x" + address.ToString("x40"), Data = Hex.Encode(input) }));

    private static byte[] Word(BigInteger value)
    {
        var bytes = new byte[32];
        value.TryWriteBytes(bytes, out var written, isUnsigned: true, isBigEndian: true);
        return [.. new byte[32 - written], .. bytes[..written]];
    }

    [Fact]
    public async Task G1_addition_and_scalar_multiplication_equal_the_EVM_precompiles()
    {
        var web3 = new Nethereum.Web3.Web3(LocalInfra.RpcUrl);
        var random = new Random(11);
        var r = Element<Fr>.Modulus;
        BigInteger Scalar()
        {
            var bytes = new byte[33];
            random.NextBytes(bytes);
            bytes[32] = 0;
            return new BigInteger(bytes) % r;
        }

        var g = G1.Generator;
        var scalars = new List<BigInteger> { 0, 1, 2, r - 1, r, r + 1, BigInteger.Pow(2, 256) - 1 };
        for (var i = 0; i < 10; i++)
            scalars.Add(Scalar());
        foreach (var k in scalars)
        {
            var p = g.Multiply(Scalar());
            var evm = await PrecompileAsync(web3, 7, [.. p.ToEvmBytes(), .. Word(k)]);
            evm.ShouldBe(p.Multiply(k).ToEvmBytes(), $"ecMul by {k}");
        }
        for (var i = 0; i < 10; i++)
        {
            var (p, q) = (g.Multiply(Scalar()), g.Multiply(Scalar()));
            (await PrecompileAsync(web3, 6, [.. p.ToEvmBytes(), .. q.ToEvmBytes()])).ShouldBe((p + q).ToEvmBytes());
        }
        // Doubling, inverses and the point at infinity through ecAdd.
        var a = g.Multiply(Scalar());
        (await PrecompileAsync(web3, 6, [.. a.ToEvmBytes(), .. a.ToEvmBytes()])).ShouldBe(a.Double().ToEvmBytes());
        (await PrecompileAsync(web3, 6, [.. a.ToEvmBytes(), .. a.Negate().ToEvmBytes()])).ShouldBe(new byte[64]);
        (await PrecompileAsync(web3, 6, [.. a.ToEvmBytes(), .. new byte[64]])).ShouldBe(a.ToEvmBytes());
    }

    [Fact]
    public async Task G2_multiplication_and_encoding_satisfy_the_EVM_pairing_precompile()
    {
        var web3 = new Nethereum.Web3.Web3(LocalInfra.RpcUrl);
        var r = Element<Fr>.Modulus;
        var random = new Random(13);
        for (var i = 0; i < 3; i++)
        {
            var a = new BigInteger(random.NextInt64(2, long.MaxValue)) * random.NextInt64(2, long.MaxValue);
            var b = new BigInteger(random.NextInt64(2, long.MaxValue)) * random.NextInt64(2, long.MaxValue);
            // e(a·G1, b·G2) · e(−ab·G1, G2) = 1 exactly when the points are what they claim to be.
            byte[] input = [.. G1.Generator.Multiply(a).ToEvmBytes(), .. G2.Generator.Multiply(b).ToEvmBytes(),
                .. G1.Generator.Multiply(a * b % r).Negate().ToEvmBytes(), .. G2.Generator.ToEvmBytes()];
            new BigInteger(await PrecompileAsync(web3, 8, input), isUnsigned: true, isBigEndian: true).ShouldBe(BigInteger.One);
            byte[] wrong = [.. G1.Generator.Multiply(a).ToEvmBytes(), .. G2.Generator.Multiply(b + 1).ToEvmBytes(),
                .. G1.Generator.Multiply(a * b % r).Negate().ToEvmBytes(), .. G2.Generator.ToEvmBytes()];
            new BigInteger(await PrecompileAsync(web3, 8, wrong), isUnsigned: true, isBigEndian: true).ShouldBe(BigInteger.Zero);
        }
    }
}
