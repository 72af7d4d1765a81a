using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace DrBot.Tests.Support;

public sealed record RecordedRequest(string Method, string Path, string Query, IReadOnlyDictionary<string, string> Headers, string Body)
{
    public string? QueryValue(string name) =>
        Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2))
            .Where(p => p[0] == name)
            .Select(p => Uri.UnescapeDataString(p.Length > 1 ? p[1] : ""))
            .FirstOrDefault();
}

public sealed record CannedResponse(int Status, string Body = "", IReadOnlyDictionary<string, string>? Headers = null);

/// <summary>
/// A small HTTP/1.1 server on a loopback port, plain or TLS with a throwaway self-signed certificate,
/// that records every request and answers through a handler. Enough protocol for HttpClient
/// (keep-alive, Content-Length and chunked request bodies); nothing more.
/// </summary>
public sealed class RecordingHttpServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Func<RecordedRequest, CannedResponse> _handler;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;

    public RecordingHttpServer(Func<RecordedRequest, CannedResponse> handler, bool tls = false)
    {
        _handler = handler;
        if (tls) Certificate = CreateCertificate();
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public X509Certificate2? Certificate { get; }
    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();
    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;
    public Uri BaseUri => new($"{(Certificate is null ? "http" : "https")}://127.0.0.1:{Port}/");

    /// <summary>A handler for the client side that trusts exactly this server's certificate.</summary>
    public SocketsHttpHandler TrustingHandler() => new()
    {
        SslOptions = new SslClientAuthenticationOptions
        {
            RemoteCertificateValidationCallback = (_, cert, _, _) =>
                cert is not null && Certificate is not null && cert.GetCertHashString(HashAlgorithmName.SHA256) == Certificate.GetCertHashString(HashAlgorithmName.SHA256),
        },
    };

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await _listener.AcceptTcpClientAsync(_stop.Token); }
            catch (OperationCanceledException) { return; }
            catch (SocketException) { return; }
            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using var _ = client;
        try
        {
            Stream stream = client.GetStream();
            if (Certificate is not null)
            {
                var ssl = new SslStream(stream);
                await ssl.AuthenticateAsServerAsync(Certificate);
                stream = ssl;
            }
            var reader = new BufferedReader(stream);
            while (!_stop.IsCancellationRequested)
            {
                var requestLine = await reader.ReadLineAsync(_stop.Token);
                if (string.IsNullOrEmpty(requestLine)) return;
                var parts = requestLine.Split(' ');
                var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
                for (var line = await reader.ReadLineAsync(_stop.Token); !string.IsNullOrEmpty(line); line = await reader.ReadLineAsync(_stop.Token))
                {
                    var colon = line.IndexOf(':', StringComparison.Ordinal);
                    headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
                }
                var body = await reader.ReadBodyAsync(headers, _stop.Token);
                var target = parts[1];
                var q = target.IndexOf('?', StringComparison.Ordinal);
                var request = new RecordedRequest(parts[0], q < 0 ? target : target[..q], q < 0 ? "" : target[q..], headers, body);
                Requests.Enqueue(request);
                CannedResponse response;
                try { response = _handler(request); }
                catch (Exception e) when (e is InvalidOperationException or KeyNotFoundException or NullReferenceException or FormatException or System.Text.Json.JsonException)
                {
                    response = new CannedResponse(599, $"{{\"fake server bug\":\"{e.Message}\"}}");
                }
                var bytes = Encoding.UTF8.GetBytes(response.Body);
                var head = new StringBuilder($"HTTP/1.1 {response.Status} {(HttpStatusCode)response.Status}\r\n");
                head.Append(CultureInfo.InvariantCulture, $"Content-Length: {bytes.Length}\r\n");
                if (bytes.Length > 0 && response.Headers?.ContainsKey("Content-Type") != true) head.Append("Content-Type: application/json\r\n");
                foreach (var (k, v) in response.Headers ?? new Dictionary<string, string>()) head.Append(CultureInfo.InvariantCulture, $"{k}: {v}\r\n");
                head.Append("\r\n");
                await stream.WriteAsync(Encoding.ASCII.GetBytes(head.ToString()), _stop.Token);
                await stream.WriteAsync(bytes, _stop.Token);
                await stream.FlushAsync(_stop.Token);
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or SocketException or System.Security.Authentication.AuthenticationException or ObjectDisposedException)
        {
            // client went away
        }
    }

    private static X509Certificate2 CreateCertificate()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        san.AddDnsName("localhost");
        request.CertificateExtensions.Add(san.Build());
        var now = TimeProvider.System.GetUtcNow();
        using var cert = request.CreateSelfSigned(now.AddMinutes(-5), now.AddHours(2));
        return X509CertificateLoader.LoadPkcs12(cert.Export(X509ContentType.Pkcs12), null);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        _stop.Dispose();
        Certificate?.Dispose();
    }

    private sealed class BufferedReader(Stream stream)
    {
        private readonly byte[] _buffer = new byte[16384];
        private int _start;
        private int _end;

        public async Task<string?> ReadLineAsync(CancellationToken ct)
        {
            var line = new List<byte>();
            while (true)
            {
                if (_start == _end && !await FillAsync(ct)) return line.Count == 0 ? null : Encoding.ASCII.GetString(line.ToArray());
                var b = _buffer[_start++];
                if (b == '\n') return Encoding.ASCII.GetString(line.ToArray()).TrimEnd('\r');
                line.Add(b);
            }
        }

        public async Task<string> ReadBodyAsync(Dictionary<string, string> headers, CancellationToken ct)
        {
            if (headers.TryGetValue("Content-Length", out var len)) return Encoding.UTF8.GetString(await ReadExactlyAsync(int.Parse(len, CultureInfo.InvariantCulture), ct));
            if (!headers.TryGetValue("Transfer-Encoding", out var te) || !te.Contains("chunked", StringComparison.OrdinalIgnoreCase)) return "";
            var body = new MemoryStream();
            while (true)
            {
                var size = int.Parse((await ReadLineAsync(ct) ?? "0").Split(';')[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                if (size == 0) { await ReadLineAsync(ct); return Encoding.UTF8.GetString(body.ToArray()); }
                body.Write(await ReadExactlyAsync(size, ct));
                await ReadLineAsync(ct);
            }
        }

        private async Task<byte[]> ReadExactlyAsync(int count, CancellationToken ct)
        {
            var result = new byte[count];
            for (var i = 0; i < count;)
            {
                if (_start == _end && !await FillAsync(ct)) throw new IOException("connection closed mid-body");
                var n = Math.Min(count - i, _end - _start);
                Array.Copy(_buffer, _start, result, i, n);
                _start += n;
                i += n;
            }
            return result;
        }

        private async Task<bool> FillAsync(CancellationToken ct)
        {
            _start = 0;
            _end = await stream.ReadAsync(_buffer, ct);
            return _end > 0;
        }
    }
}
