using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using CsCheck;
using DrBot.Bot.Tests.EndToEnd;
using DrBot.Bot.Tests.Support;
using DrBot.Bot.Tests.Teams.Support;

namespace DrBot.Bot.Tests.Fuzzing;

/// <summary>
/// Fuzzing over real HTTP: signed Slack bodies, alert bodies with the token, local chat posts (bot
/// process) and signed Teams activities (the Teams pipeline): never a 5xx, every refusal a 4xx that
/// says why. Cases: 600 + 1,000 Teams activities, × DRBOT_FUZZ_SCALE.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class EndpointFuzzTests
{
    private static void AssertAnswered(HttpStatusCode status, string body, string what)
    {
        Assert.True((int)status < 500, $"{(int)status} for {what}: {body}");
        if ((int)status >= 400)
            Assert.True(body.Trim().Length > 2, $"{(int)status} without a reason for {what}");
    }

    [Fact]
    public async Task Slack_alert_and_local_endpoints_answer_every_body_without_a_5xx()
    {
        await using var slack = await SlackProcessBot.StartAsync("fuzz", new Dictionary<string, string>
        {
            ["DrBot__RateLimits__PerIpPerSecond"] = "100000",
            ["DrBot__RateLimits__CommandsPerMinute"] = "100000",
        });
        var http = slack.Bot.Http;
        var seeds = new[]
        {
            slack.CommandBody("/drbot", "help", SlackProcessBot.Alice, "t-1"),
            "payload=" + Uri.EscapeDataString("""{"type":"block_actions","user":{"id":"U0BOB"},"container":{"channel_id":"C1"},"actions":[{"value":"{\"verb\":\"refresh\",\"runId\":\"run-1\"}"}]}"""),
            """{"type":"event_callback","event_id":"Ev1","event":{"type":"app_mention","user":"U0ALICE","text":"<@UBOT> help","channel":"C1","ts":"1.2"}}""",
        };
        var paths = new[] { "/api/slack/commands", "/api/slack/interactions", "/api/slack/events", "api/alerts/alertmanager", "api/alerts/azure-monitor", "api/alerts/generic", "api/local/messages" };
        var cases = Gen.Select(Gen.Int[0, paths.Length - 1], Gen.OneOf(FuzzInputs.Mutations(seeds), FuzzInputs.Json(2), FuzzInputs.Commands.Select(c => $$"""{"user":"bob","text":{{System.Text.Json.JsonSerializer.Serialize(c)}}}""")));
        var failures = new List<string>();
        await cases.SampleAsync(async c =>
        {
            var (index, body) = c;
            var path = paths[index];
            HttpResponseMessage response;
            if (path.StartsWith("/api/slack", StringComparison.Ordinal))
            {
                response = await slack.PostSignedAsync(path, body);
            }
            else
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "test-alert-token");
                response = await http.SendAsync(request);
            }
            using (response)
                AssertAnswered(response.StatusCode, await response.Content.ReadAsStringAsync(), $"{path} {body}");
        }, iter: FuzzInputs.Cases(600), threads: 1);
        Assert.DoesNotContain("Unhandled exception", slack.Bot.Output, StringComparison.OrdinalIgnoreCase);
    }
}

/// <summary>Signed Teams activities with random JSON through the real Teams pipeline.</summary>
public sealed class TeamsActivityFuzzTests : IClassFixture<TeamsBotFixture>
{
    private readonly TeamsBotFixture _bot;

    public TeamsActivityFuzzTests(TeamsBotFixture bot)
    {
        _bot = bot;
        _bot.Reset();
    }

    [Fact]
    public async Task Every_signed_activity_is_answered_without_a_5xx()
    {
        var token = _bot.ValidToken();
        var message = _bot.Message("<at>DrBot</at> failover west-us", TeamsBotFixture.BobAad);
        var invoke = _bot.Message("", TeamsBotFixture.BobAad);
        invoke["type"] = "invoke";
        invoke["name"] = "adaptiveCard/action";
        invoke["value"] = new JsonObject { ["action"] = new JsonObject { ["verb"] = "approve", ["data"] = new JsonObject { ["runId"] = "run-1" } } };
        var serviceUrl = System.Text.Json.JsonSerializer.Serialize(_bot.StandIn.ServiceUrl);
        var cases = Gen.OneOf(FuzzInputs.Mutations(message.ToJsonString(), invoke.ToJsonString()), FuzzInputs.Json(3));
        await cases.SampleAsync(async body =>
        {
            // The serviceUrl must match the token's claim for the body to get past authentication.
            var withUrl = body.StartsWith('{') && !body.Contains("\"serviceUrl\"", StringComparison.Ordinal) ? "{\"serviceUrl\":" + serviceUrl + "," + body[1..] : body;
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/messages") { Content = new StringContent(withUrl, Encoding.UTF8, "application/json") };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var response = await _bot.Client.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            Assert.True((int)response.StatusCode < 500, $"{(int)response.StatusCode} for {withUrl}: {text}");
            if ((int)response.StatusCode >= 400)
                Assert.True(text.Trim().Length > 2, $"{(int)response.StatusCode} without a reason for {withUrl}");
        }, iter: FuzzInputs.Cases(1000), threads: 1);
    }

    [Fact]
    public async Task A_signed_message_without_an_id_is_refused_with_400_not_500()
    {
        var message = _bot.Message("<at>DrBot</at> help", TeamsBotFixture.BobAad);
        message.Remove("id");

        using var response = await _bot.PostActivityAsync(message, _bot.ValidToken());

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("needs an id and a conversation.id", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
