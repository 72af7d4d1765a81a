using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace DrBot.Runbooks.Validation;

/// <summary>Runs PostgreSQL's own programs (pg_basebackup, pg_ctl) for the validations, as the postgres user when the bot is root.</summary>
public sealed class PostgresTools(ValidationOptions options)
{
    public string BinDir { get; } = options.PostgresBinDir ?? FindBinDir();

    private static bool IsRoot => Environment.UserName == "root";

    public async Task<string> RunAsync(string program, IReadOnlyList<string> args, TimeSpan timeout, CancellationToken cancellationToken, IReadOnlyDictionary<string, string>? environment = null)
    {
        var path = Path.Combine(BinDir, program);
        var start = IsRoot
            ? new ProcessStartInfo("runuser", ["-u", options.RunAsUser, "--", path, .. args])
            : new ProcessStartInfo(path, args);
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
            start.Environment[key] = value;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start.");
        var output = new StringBuilder();
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"{program} did not finish within {timeout}.");
        }
        output.Append(await stdout).Append(await stderr);
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{program} {string.Join(' ', args)} failed ({process.ExitCode}): {output.ToString().Trim()}");
        return output.ToString();
    }

    /// <summary>Makes the scratch folder the server's user's (the server refuses a data folder it does not own).</summary>
    public async Task GiveToServerUserAsync(string path, CancellationToken cancellationToken)
    {
        if (!IsRoot)
            return;
        using var chown = Process.Start(new ProcessStartInfo("chown", ["-R", $"{options.RunAsUser}:{options.RunAsUser}", path])) ?? throw new InvalidOperationException("chown did not start.");
        await chown.WaitForExitAsync(cancellationToken);
        if (chown.ExitCode != 0)
            throw new InvalidOperationException($"chown of {path} to {options.RunAsUser} failed.");
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string FindBinDir()
    {
        const string root = "/usr/lib/postgresql";
        var dir = Directory.Exists(root)
            ? Directory.GetDirectories(root).OrderByDescending(d => int.TryParse(Path.GetFileName(d), out var v) ? v : 0).FirstOrDefault()
            : null;
        return dir is null ? throw new InvalidOperationException("PostgreSQL's programs were not found under /usr/lib/postgresql: set DrBot:Validation:PostgresBinDir.") : Path.Combine(dir, "bin");
    }
}
