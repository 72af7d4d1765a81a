using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace DrBot.Bench.Bot.Anchors;

/// <summary>
/// The anchor for acknowledgements: a bare Kestrel POST endpoint that reads the JSON body and answers
/// a small JSON object, nothing else. It runs as its own process (this program with <c>serve-anchor</c>),
/// as the bot does, so both pay the same loopback and process costs.
/// </summary>
internal static class KestrelAnchor
{
    public const string Mode = "serve-anchor";

    /// <summary>The anchor's own main: serves until killed.</summary>
    public static async Task<int> ServeAsync(int port)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        var app = builder.Build();
        app.MapPost("/ack", async (HttpRequest request) =>
        {
            using var body = await System.Text.Json.JsonDocument.ParseAsync(request.Body);
            return Results.Json(new { ok = true, text = body.RootElement.TryGetProperty("text", out var text) ? text.GetString() : null });
        });
        app.MapGet("/ready", () => "ready");
        await app.RunAsync();
        return 0;
    }

    /// <summary>Starts this program again in anchor mode on a free port and waits until it answers.</summary>
    public static async Task<AnchorProcess> StartAsync(CancellationToken cancellationToken)
    {
        var port = ChildProcess.FreePort();
        var self = Environment.ProcessPath ?? "dotnet";
        var info = new ProcessStartInfo(self);
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
            info.ArgumentList.Add(typeof(KestrelAnchor).Assembly.Location);
        info.ArgumentList.Add(Mode);
        info.ArgumentList.Add(port.ToString(CultureInfo.InvariantCulture));
        info.Environment["DOTNET_gcServer"] = "0";
        var anchor = AnchorProcess.Start("bare Kestrel", info, new Uri($"http://127.0.0.1:{port}/"));
        await anchor.WaitReadyAsync("ready", cancellationToken);
        return anchor;
    }
}
