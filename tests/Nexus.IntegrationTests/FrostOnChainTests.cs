using System.Numerics;
using Nethereum.ABI.FunctionEncoding.Attributes;
using Nexus.Crypto.Frost;
using Nexus.LocalDev.Chain;
using Nexus.IntegrationTests.Infrastructure;

namespace Nexus.IntegrationTests;

/// <summary>FROST signatures made in C# checked by FrostVerifier.sol on the dev node (ecrecover and SHA-256 precompiles).</summary>
public sealed class FrostOnChainTests
{
    [FunctionOutput]
    public sealed class VerifyGasOutput : IFunctionOutputDTO
    {
        [Parameter("bool", "ok", 1)] public bool Ok { get; set; }
        [Parameter("uint256", "gasUsed", 2)] public BigInteger GasUsed { get; set; }
    }

    private static BigInteger U(byte[] bigEndian) => new(bigEndian, isUnsigned: true, isBigEndian: true);

    [Fact]
    public async Task Signatures_from_the_CSharp_FROST_verify_on_chain_and_single_bit_flips_do_not()
    {
        var dapp = new DappClient(LocalInfra.RpcUrl, DevAccounts.HardhatAccount0Key, DevAccounts.DevChainId);
        var keys = TrustedDealer.Deal(5, 3);
        var (px, py) = Ciphersuite.Coordinates(keys.GroupPublicKey);
        var address = await dapp.DeployAsync("FrostVerifier", default, U(px), U(py));
        var verifier = dapp.Web3.Eth.GetContract(Nexus.Ethereum.Artifacts.SolidityArtifact.Load("FrostVerifier").Abi, address);

        var random = new Random(3);
        long maxGas = 0;
        (byte[] Message, BigInteger Rx, BigInteger Ry, BigInteger Z) last = default;
        for (var trial = 0; trial < 4; trial++)
        {
            var message = new byte[trial == 3 ? 100 : 32];
            random.NextBytes(message);
            var signers = keys.Packages.OrderBy(_ => random.Next()).Take(3).ToList();
            var nonces = signers.Select(Frost.Commit).ToList();
            var commitments = nonces.Select(n => n.Commitments).ToList();
            var shares = signers.Zip(nonces).Select(p => Frost.Sign(message, p.Second, p.First, commitments)).ToList();
            var signature = Frost.Aggregate(commitments, shares, keys.GroupPublicKey, message, keys.Packages.ToDictionary(p => p.Id, p => p.VerifyingShare));
            var (rx, ry) = Ciphersuite.Coordinates(signature.R);
            var z = U(Ciphersuite.SerializeScalar(signature.Z));
            last = (message, U(rx), U(ry), z);

            // The on-chain challenge is the RFC's.
            var challenge = await verifier.GetFunction("challengeOf").CallAsync<BigInteger>(message, U(rx), U(ry));
            challenge.ShouldBe(U(Ciphersuite.SerializeScalar(Frost.Challenge(signature.R, keys.GroupPublicKey, message))));

            var result = await verifier.GetFunction("verifyGas").CallDeserializingToObjectAsync<VerifyGasOutput>(message, U(rx), U(ry), z);
            result.Ok.ShouldBeTrue();
            maxGas = Math.Max(maxGas, (long)result.GasUsed);

            async Task<bool> Verify(byte[] m, BigInteger x, BigInteger y, BigInteger zz) =>
                await verifier.GetFunction("verify").CallAsync<bool>(m, x, y, zz);
            for (var bit = 0; bit < 256; bit += 37)
            {
                var m = (byte[])message.Clone();
                m[bit / 8 % m.Length] ^= (byte)(1 << (bit % 8));
                (await Verify(m, U(rx), U(ry), z)).ShouldBeFalse();
                (await Verify(message, U(rx) ^ (BigInteger.One << bit), U(ry), z)).ShouldBeFalse();
                (await Verify(message, U(rx), U(ry) ^ (BigInteger.One << bit), z)).ShouldBeFalse();
                (await Verify(message, U(rx), U(ry), z ^ (BigInteger.One << bit))).ShouldBeFalse();
            }
            // An out-of-range z is refused outright (flipped R coordinates above are off the curve).
            (await Verify(message, U(rx), U(ry), BigInteger.Parse("0FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141", System.Globalization.NumberStyles.HexNumber))).ShouldBeFalse();
        }

        // Another key does not accept these signatures; a bad key cannot be installed.
        var other = TrustedDealer.Deal(3, 2);
        var (ox, oy) = Ciphersuite.Coordinates(other.GroupPublicKey);
        await Should.ThrowAsync<Exception>(() => dapp.DeployAsync("FrostVerifier", default, U(ox), U(oy) + 1));
        var otherAddress = await dapp.DeployAsync("FrostVerifier", default, U(ox), U(oy));
        var otherVerifier = dapp.Web3.Eth.GetContract(Nexus.Ethereum.Artifacts.SolidityArtifact.Load("FrostVerifier").Abi, otherAddress);
        (await otherVerifier.GetFunction("verify").CallAsync<bool>(last.Message, last.Rx, last.Ry, last.Z)).ShouldBeFalse();
        // Single-bit flips of the key: off the curve (refused at deployment) or another key (rejects).
        for (var bit = 0; bit < 256; bit += 51)
            foreach (var (kx, ky) in new[] { (U(px) ^ (BigInteger.One << bit), U(py)), (U(px), U(py) ^ (BigInteger.One << bit)) })
            {
                string flipped;
                try
                {
                    flipped = await dapp.DeployAsync("FrostVerifier", default, kx, ky);
                }
                catch (Exception)
                {
                    continue; // refused: not a point on the curve
                }
                var contract = dapp.Web3.Eth.GetContract(Nexus.Ethereum.Artifacts.SolidityArtifact.Load("FrostVerifier").Abi, flipped);
                (await contract.GetFunction("verify").CallAsync<bool>(last.Message, last.Rx, last.Ry, last.Z)).ShouldBeFalse();
            }
        maxGas.ShouldBeGreaterThan(0);
        Console.WriteLine($"FrostVerifier: verification used at most {maxGas} gas (execution of the check, without the transaction base)");
    }
}
