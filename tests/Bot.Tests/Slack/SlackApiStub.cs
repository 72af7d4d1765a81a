using System.Collections.Concurrent;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DrBot.Bot.Tests.Slack;

/// <summary>What the stub answers to one call: status, JSON body, headers, and how long it takes.</summary>
public sealed record StubAnswer(int Status, string Body, IReadOnlyDictionary<string, string>? Headers = null, TimeSpan Delay = default)
{
    public static StubAnswer Ok(JsonObject body) { body["ok"] = true; return new(200, body.ToJsonString()); }
    public static StubAnswer Error(string error) => new(200, new JsonObject { ["ok"] = false, ["error"] = error }.ToJsonString());
}

/// <summary>
/// A local HTTP server standing in for <c>slack.com/api</c> (and for <c>response_url</c>s under
/// <c>/response/</c>). It records every call and answers like Slack unless told otherwise.
/// </summary>
public sealed class SlackApiStub : IAsyncDisposable
{
    public sealed record Call(string Path, string? Authorization, string? ContentType, string Body, int Index)
    {
        public string Method => Path.StartsWith("/api/", StringComparison.Ordinal) ? Path["/api/".Length..] : Path;
        public JsonObject Json => JsonNode.Parse(Body)!.AsObject();
        public Dictionary<string, string> Form => QueryHelpers.ParseQuery(Body).ToDictionary(kv => kv.Key, kv => kv.Value.ToString());
    }

    private readonly WebApplication _app;
    private readonly ConcurrentQueue<Call> _calls = new();
    private int _count;
    private int _ts;

    /// <summary>Overrides the answer for a call; return null to answer like Slack.</summary>
    public Func<Call, StubAnswer?>? Override { get; set; }

    public IReadOnlyList<Call> Calls => _calls.ToList();
    public Uri ApiBase { get; private set; } = null!;
    public string ResponseUrl(string id) => new Uri(ApiBase, $"/response/{id}").ToString();

    private SlackApiStub(WebApplication app) => _app = app;

    public static async Task<SlackApiStub> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var stub = new SlackApiStub(app);
        app.Map("{**path}", stub.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        stub.ApiBase = new Uri(address.TrimEnd('/') + "/api/");
        return stub;
    }

    public async Task<Call> WaitForAsync(Func<Call, bool> match, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (true)
        {
            var found = _calls.FirstOrDefault(match);
            if (found is not null)
            {
                return found;
            }
            if (cts.IsCancellationRequested)
            {
                throw new TimeoutException("The Slack stub did not receive the expected call. Calls: " +
                    string.Join(", ", _calls.Select(c => c.Path)));
            }
            await Task.Delay(20, CancellationToken.None);
        }
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var call = new Call(
            context.Request.Path,
            context.Request.Headers.Authorization.ToString() is { Length: > 0 } auth ? auth : null,
            context.Request.ContentType,
            await reader.ReadToEndAsync(context.RequestAborted),
            Interlocked.Increment(ref _count));
        _calls.Enqueue(call);
        var answer = Override?.Invoke(call) ?? Default(call);
        if (answer.Delay > TimeSpan.Zero)
        {
            await Task.Delay(answer.Delay, context.RequestAborted);
        }
        context.Response.StatusCode = answer.Status;
        foreach (var (name, value) in answer.Headers ?? new Dictionary<string, string>())
        {
            context.Response.Headers[name] = value;
        }
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(answer.Body, context.RequestAborted);
    }

    private StubAnswer Default(Call call)
    {
        if (call.Path.StartsWith("/response/", StringComparison.Ordinal))
        {
            return new StubAnswer(200, "ok");
        }
        var ts = $"1700000000.{Interlocked.Increment(ref _ts):000000}";
        return call.Method switch
        {
            "chat.postMessage" => StubAnswer.Ok(new JsonObject { ["channel"] = (string?)call.Json["channel"], ["ts"] = ts }),
            "chat.update" => StubAnswer.Ok(new JsonObject { ["channel"] = (string?)call.Json["channel"], ["ts"] = (string?)call.Json["ts"] }),
            "chat.postEphemeral" => StubAnswer.Ok(new JsonObject { ["message_ts"] = ts }),
            "conversations.create" => StubAnswer.Ok(new JsonObject { ["channel"] = new JsonObject { ["id"] = "C0WARROOM", ["name"] = (string?)call.Json["name"] } }),
            "conversations.invite" => StubAnswer.Ok(new JsonObject { ["channel"] = new JsonObject { ["id"] = (string?)call.Json["channel"] } }),
            "views.open" => StubAnswer.Ok(new JsonObject { ["view"] = new JsonObject { ["id"] = $"V{ts.Replace(".", "", StringComparison.Ordinal)}", ["callback_id"] = (string?)call.Json["view"]?["callback_id"] } }),
            "users.info" => StubAnswer.Ok(new JsonObject { ["user"] = new JsonObject { ["id"] = call.Form["user"], ["name"] = "bob", ["real_name"] = "Bob Builder", ["profile"] = new JsonObject { ["display_name"] = "bobby" } } }),
            _ => StubAnswer.Error("unknown_method"),
        };
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
