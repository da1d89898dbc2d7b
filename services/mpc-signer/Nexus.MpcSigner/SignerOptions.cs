using System.ComponentModel.DataAnnotations;

namespace Nexus.MpcSigner;

/// <summary>Section <c>Signer</c>: what this process is and the signature domain both roles agree on.</summary>
public sealed class SignerOptions
{
    public const string Section = "Signer";

    /// <summary><c>replica</c>, <c>coordinator</c>, or both (comma-separated).</summary>
    [Required, RegularExpression("^\\s*(replica|coordinator)\\s*(,\\s*(replica|coordinator)\\s*)?$")]
    public string Roles { get; set; } = "replica";

    /// <summary>The contract named in the signatures' EIP-712 domain (the settlement contract that will verify them).</summary>
    [Required, RegularExpression("^0x[0-9a-fA-F]{40}$")]
    public string SettlementContract { get; set; } = "0x0000000000000000000000000000000000000000";

    /// <summary>Port of the replica's gRPC rounds (HTTP/2, on the service's bind address).</summary>
    [Range(1, 65535)] public int GrpcPort { get; set; } = 5114;

    public bool IsReplica => Roles.Contains("replica", StringComparison.OrdinalIgnoreCase);
    public bool IsCoordinator => Roles.Contains("coordinator", StringComparison.OrdinalIgnoreCase);
}

/// <summary>Section <c>Replica</c>: one committee member's own identity, key, chain node and state store.</summary>
public sealed class ReplicaOptions
{
    public const string Section = "Replica";

    /// <summary>FROST identifier (1..n), fixed at key generation.</summary>
    [Range(1, 65535)] public int Identifier { get; set; }

    /// <summary>The encrypted key-share file (written by <c>nexus signers dkg</c>; absent until then).</summary>
    [Required] public string KeyFile { get; set; } = "";

    /// <summary>Passphrase of the key file; prefer <see cref="PassphraseFile"/> or the env var <c>Replica__Passphrase</c>.</summary>
    public string? Passphrase { get; set; }
    public string? PassphraseFile { get; set; }

    /// <summary>Bearer token callers must present; prefer <see cref="TokenFile"/> or <c>Replica__Token</c>.</summary>
    public string? Token { get; set; }
    public string? TokenFile { get; set; }

    /// <summary>This replica's own Ethereum node, independent of the chain-listener's.</summary>
    [Required, Url] public string RpcUrl { get; set; } = "http://127.0.0.1:8545";

    /// <summary>Blocks required on top of an input's block before this replica accepts it.</summary>
    [Range(0, 10_000)] public int Confirmations { get; set; } = 2;

    /// <summary>PostgreSQL of this replica's own state (state tree, verified headers, used nonces); empty: <c>Postgres:ConnectionString</c>.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>Schema of this replica's own state; empty: <c>signer_&lt;identifier&gt;</c>.</summary>
    [RegularExpression("^[a-z_][a-z0-9_]{0,62}$")] public string? Schema { get; set; }

    /// <summary>Where compiled modules are cached; empty: <c>~/.local/share/nexus/signer-&lt;identifier&gt;-modules</c>.</summary>
    public string? ModuleCacheDirectory { get; set; }

    /// <summary>
    /// Mutual TLS on the gRPC port: this replica's certificate and key (PEM). When set, only clients
    /// presenting a certificate pinned in <see cref="ClientCertificatePins"/> get through (the token is
    /// still required). Without it the port speaks plain HTTP/2: keep it on loopback or a private network.
    /// </summary>
    public string? TlsCertificateFile { get; set; }
    public string? TlsKeyFile { get; set; }

    /// <summary>SHA-256 fingerprints (hex) of the client certificates allowed in (the coordinator's, the operator's).</summary>
    public List<string> ClientCertificatePins { get; set; } = [];

    /// <summary>Unused nonce commitments held at most (older ones are forgotten and can no longer sign).</summary>
    [Range(16, 1_000_000)] public int MaxOutstandingNonces { get; set; } = 4_096;
}

/// <summary>Section <c>Coordinator</c>: the committee it drives.</summary>
public sealed class CoordinatorOptions
{
    public const string Section = "Coordinator";

    /// <summary>The committee's public keys, written by <c>nexus signers dkg</c>.</summary>
    [Required] public string CommitteeFile { get; set; } = "";

    /// <summary>Every replica: identifier, gRPC URL and its token.</summary>
    [MinLength(1)] public List<ReplicaEndpoint> Replicas { get; set; } = [];

    /// <summary>The coordinator's client certificate and key (PEM), for replicas that require mutual TLS.</summary>
    public string? ClientCertificateFile { get; set; }
    public string? ClientKeyFile { get; set; }

    /// <summary>How long a replica may take to check and re-execute one block.</summary>
    [Range(100, 3_600_000)] public int VerifyTimeoutMs { get; set; } = 60_000;

    /// <summary>How long a replica may take to answer a commitment or signing request.</summary>
    [Range(50, 600_000)] public int SignTimeoutMs { get; set; } = 5_000;

    /// <summary>Nonce commitments fetched from a replica at a time (signing is then one round trip).</summary>
    [Range(1, 256)] public int CommitmentBatch { get; set; } = 32;

    /// <summary>How long a replica that sent an invalid share is left out of signing sets.</summary>
    [Range(0, 10_080)] public int ExcludeCheatersMinutes { get; set; } = 60;

    /// <summary>How often every app is checked for executed blocks not yet signed.</summary>
    [Range(50, 600_000)] public int SweepIntervalMs { get; set; } = 2_000;

    /// <summary>Apps signed in parallel.</summary>
    [Range(1, 256)] public int MaxParallelApps { get; set; } = 8;
}

public sealed class ReplicaEndpoint
{
    [Range(1, 65535)] public int Id { get; set; }
    [Required, Url] public string Url { get; set; } = "";
    public string? Token { get; set; }
    public string? TokenFile { get; set; }

    /// <summary>SHA-256 fingerprint of the replica's TLS certificate; set for an https:// replica (mutual TLS).</summary>
    public string? ServerCertificatePin { get; set; }
}

/// <summary>Secrets come from a file (preferred) or the configuration/environment, never from logs.</summary>
public static class Secrets
{
    public static string Read(string? value, string? file, string what)
    {
        if (!string.IsNullOrWhiteSpace(file))
        {
            if (!File.Exists(file))
                throw new InvalidOperationException($"{what}: file '{file}' does not exist");
            var text = File.ReadAllText(file).Trim();
            if (text.Length > 0)
                return text;
            throw new InvalidOperationException($"{what}: file '{file}' is empty");
        }
        return string.IsNullOrWhiteSpace(value) ? throw new InvalidOperationException($"{what} is not configured (set it or its file)") : value;
    }
}
