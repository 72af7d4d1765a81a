using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using DrBot.Bot.Tests.Support;

namespace DrBot.Bot.Tests.CardValidation;

/// <summary>
/// Runs validate-cards.js (beside this file) with Node: the official adaptivecards library parses
/// each card and reports every parse and validation event. Installs the folder's npm packages from
/// its lockfile on first use when they are missing.
/// </summary>
public static class NodeCardValidator
{
    private static readonly SemaphoreSlim InstallLock = new(1, 1);

    public static string Folder => Path.Combine(RepoPaths.Root, "tests", "Bot.Tests", "CardValidation");

    /// <summary>The issues per card name; an empty list means the library parsed the card cleanly.</summary>
    public static async Task<IReadOnlyDictionary<string, IReadOnlyList<string>>> ValidateAsync(
        IReadOnlyDictionary<string, JsonObject> cards, CancellationToken cancellationToken)
    {
        await EnsurePackagesAsync(cancellationToken);

        var input = new JsonArray([.. cards.Select(c => (JsonNode)new JsonObject { ["name"] = c.Key, ["card"] = c.Value.DeepClone() })]);
        var output = await RunAsync("node", ["validate-cards.js"], input.ToJsonString(), cancellationToken);

        var report = JsonSerializer.Deserialize<List<CardReport>>(output, JsonSerializerOptions.Web)
            ?? throw new InvalidOperationException($"validate-cards.js printed no report: {output}");
        return report.ToDictionary(r => r.Name, r => (IReadOnlyList<string>)r.Issues);
    }

    private static async Task EnsurePackagesAsync(CancellationToken cancellationToken)
    {
        await InstallLock.WaitAsync(cancellationToken);
        try
        {
            if (!File.Exists(Path.Combine(Folder, "node_modules", "adaptivecards", "package.json")))
            {
                await RunAsync("npm", ["ci", "--no-audit", "--no-fund"], null, cancellationToken);
            }
        }
        finally
        {
            InstallLock.Release();
        }
    }

    private static async Task<string> RunAsync(string program, string[] arguments, string? stdin, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(program)
        {
            WorkingDirectory = Folder,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = StartOrExplain(start);
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin.AsMemory(), cancellationToken);
        }

        process.StandardInput.Close();
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"'{program} {string.Join(' ', arguments)}' in {Folder} exited with {process.ExitCode}: {await stderr}");
        }

        return await stdout;
    }

    private static Process StartOrExplain(ProcessStartInfo start)
    {
        try
        {
            return Process.Start(start) ?? throw new InvalidOperationException($"Could not start {start.FileName}.");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"'{start.FileName}' is needed to check cards with the adaptivecards library; install Node.js (apt-get install nodejs npm).", e);
        }
    }

    private sealed record CardReport(string Name, List<string> Issues);
}
