using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.Tokens;

namespace DrBot.Bot.Tests.Teams.Support;

public sealed record RecordedCall(string Method, string RawPath, string? Authorization, string Body)
{
    public JsonObject Json => JsonNode.Parse(Body)!.AsObject();

    /// <summary>The status the stand-in answered (200 unless scripted otherwise).</summary>
    public int Status { get; init; } = 200;

    /// <summary>The body the stand-in answered, when it answered one.</summary>
    public string? Answer { get; init; }
}

/// <summary>
/// One local HTTPS server playing Microsoft's side: the OpenID metadata and key set (with
/// endorsements), the token endpoint, and the Connector (under <c>/connector/</c>). It records every
/// call and can be told to answer the next Connector calls with given statuses.
/// </summary>
public sealed class BotFrameworkStandIn : IAsyncDisposable
{
    public const string Issuer = "https://issuer.drbot.test";
    public const string Tenant = "tenant-under-test";
    public const string ConnectorToken = "connector-access-token";

    private readonly WebApplication _app;
    private readonly ConcurrentQueue<(int Status, string? RetryAfter)> _scripted = new();
    private int _activityCounter;

    private BotFrameworkStandIn(WebApplication app) => _app = app;

    /// <summary>Published keys: "msteams-key" endorsed for msteams, "webchat-key" endorsed for webchat only.</summary>
    public RSA TeamsKey { get; } = RSA.Create(2048);
    public RSA WebChatKey { get; } = RSA.Create(2048);

    /// <summary>A key published only after <see cref="RollOverKeys"/>: the platform's key rollover.</summary>
    public RSA RolledKey { get; } = RSA.Create(2048);

    private volatile bool _rolledOver;

    public void RollOverKeys() => _rolledOver = true;

    public string BaseUrl { get; private set; } = "";
    public string MetadataUrl => BaseUrl + "/openid";
    public string Authority => BaseUrl + "/" + Tenant;
    public string ServiceUrl => BaseUrl + "/connector/";

    public ConcurrentQueue<RecordedCall> ConnectorCalls { get; } = new();
    public ConcurrentQueue<RecordedCall> TokenCalls { get; } = new();
    public int MetadataFetches;

    public static Task<BotFrameworkStandIn> StartAsync(TestCertificate certificate) => StartAsync(certificate.Certificate);

    /// <summary>Serves HTTPS with the given certificate (for example one issued by a test CA the bot process trusts).</summary>
    public static async Task<BotFrameworkStandIn> StartAsync(X509Certificate2 serverCertificate)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.UseHttps(serverCertificate)));
        var app = builder.Build();
        var standIn = new BotFrameworkStandIn(app);
        standIn.Map(app);
        await app.StartAsync();
        standIn.BaseUrl = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single().TrimEnd('/');
        return standIn;
    }

    /// <summary>The next Connector calls answer these statuses (in order) instead of success.</summary>
    public void ScriptConnector(params (int Status, string? RetryAfter)[] answers)
    {
        foreach (var answer in answers)
        {
            _scripted.Enqueue(answer);
        }
    }

    public void Reset()
    {
        ConnectorCalls.Clear();
        TokenCalls.Clear();
        _scripted.Clear();
    }

    private void Map(WebApplication app)
    {
        app.MapGet("/openid", () =>
        {
            Interlocked.Increment(ref MetadataFetches);
            return Results.Json(new JsonObject
            {
                ["issuer"] = Issuer,
                ["jwks_uri"] = BaseUrl + "/keys",
                ["id_token_signing_alg_values_supported"] = new JsonArray("RS256"),
                ["token_endpoint_auth_methods_supported"] = new JsonArray("private_key_jwt"),
            });
        });
        app.MapGet("/keys", () =>
        {
            var keys = new JsonArray(Jwk("msteams-key", TeamsKey, "msteams"), Jwk("webchat-key", WebChatKey, "webchat"));
            if (_rolledOver)
            {
                keys.Add(Jwk("rolled-key", RolledKey, "msteams"));
            }

            return Results.Json(new JsonObject { ["keys"] = keys });
        });
        app.MapPost("/" + Tenant + "/oauth2/v2.0/token", async (HttpContext context) =>
        {
            TokenCalls.Enqueue(await RecordAsync(context));
            return Results.Json(new JsonObject { ["token_type"] = "Bearer", ["expires_in"] = 3600, ["access_token"] = ConnectorToken });
        });
        app.Map("/connector/{**rest}", async (HttpContext context) =>
        {
            var call = await RecordAsync(context);
            if (_scripted.TryDequeue(out var scripted))
            {
                ConnectorCalls.Enqueue(call with { Status = scripted.Status });
                if (scripted.RetryAfter is not null)
                {
                    context.Response.Headers.RetryAfter = scripted.RetryAfter;
                }

                return Results.StatusCode(scripted.Status);
            }

            var id = "activity-" + Interlocked.Increment(ref _activityCounter);
            var answer = call is { Method: "POST", RawPath: "/connector/v3/conversations" }
                ? new JsonObject { ["id"] = call.Json["channelData"]?["channel"]?["id"] + ";messageid=" + id, ["activityId"] = id }
                : new JsonObject { ["id"] = id };
            ConnectorCalls.Enqueue(call with { Answer = answer.ToJsonString() });
            return Results.Json(answer);
        });
    }

    private static async Task<RecordedCall> RecordAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync(context.RequestAborted);
        var raw = context.Features.Get<IHttpRequestFeature>()!.RawTarget;
        return new RecordedCall(context.Request.Method, raw, context.Request.Headers.Authorization.ToString(), body);
    }

    private static JsonObject Jwk(string kid, RSA key, string endorsement)
    {
        var parameters = key.ExportParameters(false);
        return new JsonObject
        {
            ["kty"] = "RSA",
            ["use"] = "sig",
            ["kid"] = kid,
            ["n"] = Base64UrlEncoder.Encode(parameters.Modulus),
            ["e"] = Base64UrlEncoder.Encode(parameters.Exponent),
            ["endorsements"] = new JsonArray(endorsement),
        };
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        TeamsKey.Dispose();
        WebChatKey.Dispose();
        RolledKey.Dispose();
    }
}
