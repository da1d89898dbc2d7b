using System.ComponentModel.DataAnnotations;

namespace Nexus.Prover;

/// <summary>Section <c>Prover</c>.</summary>
public sealed class ProverOptions
{
    public const string Section = "Prover";

    /// <summary>Where proving keys live, the same on every silo: <c>{Circuit}.zkey</c>, optionally <c>{Circuit}.r1cs</c> to check witnesses.</summary>
    [Required] public string KeysDirectory { get; set; } = "";

    /// <summary>
    /// Where requests may point with <c>WitnessPath</c> (shared storage); empty: only inline witnesses.
    /// A path outside it is refused, so a bus client cannot make the pool read arbitrary files.
    /// </summary>
    public string? WitnessDirectory { get; set; }

    /// <summary><c>Localhost</c> (one machine, dev) or <c>Postgres</c> (silos on many machines find each other in PostgreSQL).</summary>
    [Required, RegularExpression("^(Localhost|Postgres)$")] public string Clustering { get; set; } = "Localhost";

    /// <summary>Silos with the same cluster id form one pool.</summary>
    [Required] public string ClusterId { get; set; } = "nexus-prover";

    /// <summary>Port for silo-to-silo traffic.</summary>
    [Range(1, 65535)] public int SiloPort { get; set; } = 11111;

    /// <summary>
    /// Address the silo listens on and tells the others: loopback unless configured; empty lets Orleans
    /// pick this host's first non-loopback address and listen on all (inside a container).
    /// </summary>
    public string SiloAddress { get; set; } = "127.0.0.1";

    /// <summary>With <c>Localhost</c> clustering: the first silo's port, which keeps the membership.</summary>
    [Range(1, 65535)] public int PrimarySiloPort { get; set; } = 11111;

    /// <summary>Schema of the jobs and (with <c>Postgres</c> clustering) the membership tables.</summary>
    [Required, RegularExpression("^[a-z_][a-z0-9_]{0,62}$")] public string Schema { get; set; } = "prover";

    /// <summary>Points per MSM chunk: the unit of work a silo takes (smaller: finer spread and cheaper re-dispatch).</summary>
    [Range(256, 1 << 24)] public int ChunkPoints { get; set; } = 1 << 14;

    /// <summary>
    /// Bit ranges each chunk's scalars are cut into (ranges of Pippenger's windows, each a work item of
    /// its own): more, smaller items to spread and to re-dispatch, each reading its points again.
    /// </summary>
    [Range(1, 8)] public int BitSplits { get; set; } = 2;

    /// <summary>Chunks in flight per active silo.</summary>
    [Range(1, 64)] public int ChunksPerSilo { get; set; } = 2;

    /// <summary>Tries of one chunk (a silo dying takes its chunks with it; they go to another).</summary>
    [Range(1, 100)] public int MaxAttempts { get; set; } = 6;

    /// <summary>Starts of one job (the first and its resumes) before it is failed as one that cannot finish.</summary>
    [Range(1, 100)] public int MaxResumes { get; set; } = 5;

    /// <summary>A running job whose silo has not reported for this long is resumed elsewhere.</summary>
    [Range(3, 3600)] public int StaleJobSeconds { get; set; } = 20;

    /// <summary>How often each silo looks for stale jobs.</summary>
    [Range(1, 3600)] public int SweepSeconds { get; set; } = 5;

    /// <summary>Membership probe timeout: how fast a dead silo is noticed (Orleans's default is 5 s).</summary>
    [Range(1, 60)] public int ProbeTimeoutSeconds { get; set; } = 2;

    /// <summary>
    /// TLS between silos (both files, PEM): every silo presents this certificate and accepts only peers
    /// whose certificate's SHA-256 is in <see cref="PeerCertificatePins"/> (mutual, pinned; self-signed is
    /// fine, e.g. from <c>nexus signers certs</c>). Unset: plain TCP, for one machine or a private network.
    /// </summary>
    public string? TlsCertificateFile { get; set; }

    public string? TlsKeyFile { get; set; }

    /// <summary>Hex SHA-256 of the certificates the silos present (one shared, or one per silo).</summary>
    public string[] PeerCertificatePins { get; set; } = [];

    /// <summary>Serve the Orleans Dashboard at <c>/dashboard</c> (no authentication: keep the port private).</summary>
    public bool Dashboard { get; set; }
}
