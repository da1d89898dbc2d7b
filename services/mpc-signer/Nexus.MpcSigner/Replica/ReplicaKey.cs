using Microsoft.Extensions.Options;
using Nexus.Crypto.Frost;

namespace Nexus.MpcSigner.Replica;

/// <summary>
/// The replica's key share: opened from its encrypted file when present (the passphrase comes from a
/// file or the environment), or installed by the DKG, which writes the file first. Never logged.
/// </summary>
public sealed class ReplicaKey
{
    private readonly ReplicaOptions _options;
    private readonly Lock _lock = new();
    private KeyPackage? _key;

    public ReplicaKey(IOptions<ReplicaOptions> options, ILogger<ReplicaKey> log)
    {
        _options = options.Value;
        if (File.Exists(_options.KeyFile))
        {
            _key = KeyShareFile.Open(File.ReadAllBytes(_options.KeyFile), Passphrase());
            if (_key.Id.Index != _options.Identifier)
                throw new InvalidOperationException($"key file '{_options.KeyFile}' holds the share of participant {_key.Id}, but this replica is {_options.Identifier}");
            log.LogInformation("key share {Id} of a {T}-of-n committee loaded from {File}", _key.Id, _key.MinSigners, _options.KeyFile);
        }
        else
            log.LogWarning("no key file at {File}: this replica cannot sign until `nexus signers dkg` has run", _options.KeyFile);
    }

    public KeyPackage? Current => _key;

    public Identifier Id => new((ushort)_options.Identifier);

    /// <summary>Seals <paramref name="key"/> into the key file (never over an existing one) and starts using it.</summary>
    public void Install(KeyPackage key)
    {
        lock (_lock)
        {
            if (_key is not null || File.Exists(_options.KeyFile))
                throw new InvalidOperationException($"this replica already holds a key share ({_options.KeyFile}); move it away to join a new committee");
            var sealedKey = KeyShareFile.Seal(key, Passphrase());
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(_options.KeyFile))!);
            var fileOptions = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
                fileOptions.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            using (var file = new FileStream(_options.KeyFile, fileOptions))
            {
                file.Write(sealedKey);
                file.Flush(flushToDisk: true);
            }
            _key = key;
        }
    }

    public bool HasKeyFile => File.Exists(_options.KeyFile);

    private string Passphrase() => Secrets.Read(_options.Passphrase, _options.PassphraseFile, "Replica:Passphrase");
}
