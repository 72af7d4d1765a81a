using System.Diagnostics;
using System.Globalization;

namespace DrBot.Tests.Support;

/// <summary>A <c>redis-server</c> child process on a free loopback port, without persistence.</summary>
public sealed class RedisServer : IDisposable
{
    private readonly Process _process;

    private RedisServer(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }
    public string Endpoint => $"127.0.0.1:{Port}";

    /// <summary>
    /// One command over a plain socket, its first reply line back (<c>+OK</c>, <c>-READONLY …</c>): what any
    /// client that does not check the role first would get (StackExchange.Redis refuses to send a write to a replica).
    /// </summary>
    public async Task<string> CommandAsync(params string[] words)
    {
        using var client = new System.Net.Sockets.TcpClient();
        await client.ConnectAsync("127.0.0.1", Port);
        await using var stream = client.GetStream();
        var request = new System.Text.StringBuilder($"*{words.Length}\r\n");
        foreach (var word in words)
            request.Append(CultureInfo.InvariantCulture, $"${System.Text.Encoding.UTF8.GetByteCount(word)}\r\n{word}\r\n");
        await stream.WriteAsync(System.Text.Encoding.UTF8.GetBytes(request.ToString()));
        using var reader = new StreamReader(stream, System.Text.Encoding.UTF8);
        return await reader.ReadLineAsync() ?? "";
    }

    public static async Task<RedisServer> StartAsync(string dir, RedisServer? replicaOf = null)
    {
        var port = ChildProcess.FreePort();
        var psi = new ProcessStartInfo("redis-server") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir, "--daemonize", "no" })
            psi.ArgumentList.Add(a);
        if (replicaOf is not null)
        {
            psi.ArgumentList.Add("--replicaof");
            psi.ArgumentList.Add($"127.0.0.1 {replicaOf.Port}");
        }
        var process = Process.Start(psi) ?? throw new InvalidOperationException("redis-server is not installed: apt-get install -y redis-server");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new RedisServer(process, port);
        for (var i = 0; i < 100; i++)
        {
            try
            {
                using var client = new System.Net.Sockets.TcpClient();
                await client.ConnectAsync("127.0.0.1", port);
                return server;
            }
            catch (System.Net.Sockets.SocketException)
            {
                await Task.Delay(50);
            }
        }
        server.Dispose();
        throw new InvalidOperationException("redis-server did not start listening");
    }

    private bool _disposed;

    /// <summary>Kills the server (a host lost); a second call does nothing.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        if (!_process.HasExited) _process.Kill();
        _process.Dispose();
    }
}
