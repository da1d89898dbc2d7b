using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace Nexus.Hosting.Grpc;

/// <summary>
/// Mutual TLS for gRPC between our own services, by pinning: each side holds a certificate (self-signed
/// is fine) and accepts the other's only if its SHA-256 fingerprint is configured. No CA to run, no
/// hostnames to get right; rotating a certificate means updating the pin on the other side.
/// </summary>
public static class MutualTls
{
    /// <summary>The pin of a certificate: SHA-256 of its DER encoding, lowercase hex.</summary>
    public static string Pin(X509Certificate cert) => Convert.ToHexStringLower(SHA256.HashData(cert.GetRawCertData()));

    public static X509Certificate2 Load(string certificateFile, string keyFile)
    {
        if (!File.Exists(certificateFile))
            throw new InvalidOperationException($"TLS certificate '{certificateFile}' does not exist");
        if (!File.Exists(keyFile))
            throw new InvalidOperationException($"TLS key '{keyFile}' does not exist");
        using var pem = X509Certificate2.CreateFromPemFile(certificateFile, keyFile);
        // Re-imported so the private key is usable by SslStream on every platform.
        return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
    }

    /// <summary>A self-signed ECDSA P-256 certificate for <paramref name="name"/> (also valid for 127.0.0.1 and localhost), for two years.</summary>
    public static X509Certificate2 CreateSelfSigned(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("localhost");
        san.AddDnsName(name);
        san.AddIpAddress(System.Net.IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], critical: false)); // server and client auth
        var now = DateTimeOffset.UtcNow;
        return request.CreateSelfSigned(now.AddMinutes(-5), now.AddYears(2));
    }

    /// <summary>Writes the certificate (public) and its private key (PKCS#8, readable by this user only) as PEM.</summary>
    public static void WritePem(X509Certificate2 cert, string certificateFile, string keyFile)
    {
        File.WriteAllText(certificateFile, cert.ExportCertificatePem());
        var key = cert.GetECDsaPrivateKey() ?? throw new InvalidOperationException("the certificate has no ECDSA private key");
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using var writer = new StreamWriter(new FileStream(keyFile, options));
        writer.Write(key.ExportPkcs8PrivateKeyPem());
    }

    /// <summary>Serve TLS with <paramref name="certificate"/> and require a client certificate whose pin is in <paramref name="clientPins"/>.</summary>
    public static void RequireClientCertificates(ListenOptions listen, X509Certificate2 certificate, IReadOnlyCollection<string> clientPins)
    {
        var pins = clientPins.Select(p => p.Trim().ToLowerInvariant()).ToHashSet();
        listen.UseHttps(certificate, https =>
        {
            https.ClientCertificateMode = ClientCertificateMode.RequireCertificate;
            https.ClientCertificateValidation = (client, _, _) => pins.Contains(Pin(client));
        });
    }

    /// <summary>A channel that presents <paramref name="clientCertificate"/> and accepts only the server whose pin is <paramref name="serverPin"/>.</summary>
    public static GrpcChannel Channel(string url, X509Certificate2 clientCertificate, string serverPin)
    {
        var expected = serverPin.Trim().ToLowerInvariant();
        var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                ClientCertificates = [clientCertificate],
                RemoteCertificateValidationCallback = (_, server, _, _) => server is not null && Pin(server) == expected,
            },
            EnableMultipleHttp2Connections = true,
        };
        return GrpcChannel.ForAddress(url, new GrpcChannelOptions { HttpHandler = handler, DisposeHttpClient = true });
    }
}
