using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace DrBot.Bot.Tests.Support;

/// <summary>
/// A throwaway certificate authority made in code and a server certificate it issued for
/// 127.0.0.1/localhost. A bot process started with <c>SSL_CERT_FILE</c> pointing at
/// <see cref="WriteTrustBundle"/> (the system CAs plus this one) trusts the HTTPS stand-ins the
/// ordinary way: real chain validation, no switch in the bot that loosens it.
/// </summary>
public sealed class TestCertificateAuthority : IDisposable
{
    private const string SystemBundle = "/etc/ssl/certs/ca-certificates.crt";

    private readonly string _rootPem;

    public TestCertificateAuthority()
    {
        var now = TimeProvider.System.GetUtcNow();
        using var rootKey = RSA.Create(2048);
        var rootRequest = new CertificateRequest($"CN=DrBot test CA {Guid.NewGuid():N}", rootKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        rootRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        rootRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        rootRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(rootRequest.PublicKey, false));
        using var root = rootRequest.CreateSelfSigned(now.AddDays(-1), now.AddDays(2));
        _rootPem = root.ExportCertificatePem();

        using var serverKey = RSA.Create(2048);
        var serverRequest = new CertificateRequest("CN=127.0.0.1", serverKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        serverRequest.CertificateExtensions.Add(names.Build());
        serverRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        serverRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        serverRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        serverRequest.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(root, true, false));
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7f;
        using var issued = serverRequest.Create(root, now.AddDays(-1), now.AddDays(1), serial);
        using var withKey = issued.CopyWithPrivateKey(serverKey);
        // Re-import so Kestrel gets a certificate whose private key it can use on every platform.
        ServerCertificate = X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pfx), null);
    }

    /// <summary>The certificate the stand-ins serve: issued by this CA for 127.0.0.1 and localhost.</summary>
    public X509Certificate2 ServerCertificate { get; }

    /// <summary>Writes the system CA bundle plus this CA to a PEM file in the folder; returns its path.</summary>
    public string WriteTrustBundle(string directory)
    {
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, "ca-bundle.pem");
        var system = File.Exists(SystemBundle) ? File.ReadAllText(SystemBundle) : "";
        File.WriteAllText(path, system.TrimEnd() + "\n" + _rootPem + "\n");
        return path;
    }

    public void Dispose() => ServerCertificate.Dispose();
}
