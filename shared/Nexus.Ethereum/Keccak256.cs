using Org.BouncyCastle.Crypto.Digests;

namespace Nexus.Ethereum;

/// <summary>
/// keccak256 with one reused digest per thread (BouncyCastle's, over spans). Inputs roots hash every
/// input on the ingestion path; Nethereum's <c>Sha3Keccack</c> builds a digest per call and was the
/// largest single cost in the sequencer's profile.
/// </summary>
public static class Keccak256
{
    [ThreadStatic] private static KeccakDigest? t_digest;

    public static void Hash(ReadOnlySpan<byte> data, Span<byte> output)
    {
        var digest = t_digest ??= new KeccakDigest(256);
        digest.BlockUpdate(data);
        digest.DoFinal(output);
    }

    public static byte[] Hash(ReadOnlySpan<byte> data)
    {
        var output = new byte[32];
        Hash(data, output);
        return output;
    }
}
