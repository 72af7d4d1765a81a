using System.Diagnostics;
using System.Globalization;

namespace DrBot.Bench.Bot.Anchors;

/// <summary>
/// The anchor for alert intake: Debian's <c>prometheus-alertmanager</c> on a free loopback port with a
/// route to a receiver that sends nothing, gossip off, a fresh data folder. It takes alerts on
/// <c>POST /api/v2/alerts</c> and keeps them in memory (snapshots to disk every 15 minutes).
/// </summary>
internal static class AlertmanagerAnchor
{
    public const string Binary = "/usr/bin/prometheus-alertmanager";

    public static async Task<AnchorProcess> StartAsync(CancellationToken cancellationToken)
    {
        if (!File.Exists(Binary))
            throw new FileNotFoundException($"{Binary} is missing: sudo apt-get install prometheus-alertmanager (./test.sh installs it)");
        var folder = Path.Combine(Path.GetTempPath(), "drbot-bench-alertmanager-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var config = Path.Combine(folder, "alertmanager.yml");
        await File.WriteAllTextAsync(config, """
            route:
              receiver: discard
              group_by: ['batch']
            receivers:
              - name: discard
            """, cancellationToken);
        var port = ChildProcess.FreePort();
        var info = new ProcessStartInfo(Binary);
        foreach (var argument in new[]
        {
            $"--config.file={config}", $"--storage.path={Path.Combine(folder, "data")}",
            $"--web.listen-address=127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}", "--cluster.listen-address=", "--log.level=warn",
        })
            info.ArgumentList.Add(argument);
        var anchor = AnchorProcess.Start("Alertmanager", info, new Uri($"http://127.0.0.1:{port}/"), folder);
        await anchor.WaitReadyAsync("-/ready", cancellationToken);
        return anchor;
    }

    public static async Task<string> VersionAsync()
    {
        using var process = Process.Start(new ProcessStartInfo(Binary, "--version") { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var text = await process.StandardOutput.ReadToEndAsync() + await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        // "alertmanager, version 0.25.0 (branch: …)" → "Alertmanager 0.25.0"
        var words = text.Split([' ', ',', '\n'], StringSplitOptions.RemoveEmptyEntries);
        var at = Array.IndexOf(words, "version");
        return at >= 0 && at + 1 < words.Length ? $"Alertmanager {words[at + 1]}" : "Alertmanager";
    }
}
