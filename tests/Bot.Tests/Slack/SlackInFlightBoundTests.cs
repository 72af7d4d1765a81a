using System.Net;
using System.Text.Json.Nodes;
using DrBot.Bot.Channels;
using DrBot.Bot.Channels.Slack;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace DrBot.Bot.Tests.Slack;

/// <summary>
/// Slack deliveries handled at once are bounded (DrBot:Slack:MaxInFlight). With the bound reached, a
/// further delivery is refused before anything is recorded: events and clicks with 503 and Retry-After,
/// a slash command with a private "busy" answer. Slack's retry of the refused event is then accepted,
/// and the delivery that was accepted is still answered.
/// </summary>
public sealed class SlackInFlightBoundTests : IAsyncLifetime
{
    private SlackApiStub _stub = null!;
    private SlackBotHost _bot = null!;
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async Task InitializeAsync()
    {
        _stub = await SlackApiStub.StartAsync();
        _bot = await SlackBotHost.StartAsync(_stub, configure: b => b.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["DrBot:Slack:MaxInFlight"] = "1" }));
        _bot.Handler.Respond = async (input, ct) =>
        {
            if (input.Text == "status slow")
            {
                await _release.Task.WaitAsync(ct);
            }
            return ChatReply.Public($"ok: {input.Text}");
        };
    }

    public async Task DisposeAsync()
    {
        _release.TrySetResult();
        await _bot.DisposeAsync();
        await _stub.DisposeAsync();
    }

    private static string Mention(string eventId, string text) =>
        $$$"""{"type":"event_callback","event_id":"{{{eventId}}}","event":{"type":"app_mention","user":"U0ALICE","channel":"C0INCIDENT","text":"<@U0DRBOT> {{{text}}}","ts":"1700000010.000100"}}""";

    [Fact]
    public async Task Past_the_bound_deliveries_are_refused_unrecorded_with_Retry_After_and_the_accepted_one_is_still_answered()
    {
        using var accepted = await _bot.PostSignedAsync("/api/slack/events", Mention("Ev0SLOW", "status slow"), "application/json");
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        Assert.Equal(1, _bot.Services.GetRequiredService<SlackDispatcher>().InFlight);

        using var refusedEvent = await _bot.PostSignedAsync("/api/slack/events", Mention("Ev0BUSY", "status"), "application/json");
        var click = SlackInboundParsingTests.ClickPayload("U0BOB", "1700000006.000300", """{"verb":"approve","runId":"R-7"}""", null);
        using var refusedClick = await _bot.PostSignedAsync("/api/slack/interactions", SlackBotHost.Form(new Dictionary<string, string> { ["payload"] = click }));
        using var refusedCommand = await _bot.PostSignedAsync("/api/slack/commands",
            SlackBotHost.CommandBody("/incident", "status", "U0ALICE", "alice", "trig-busy", _stub.ResponseUrl("trig-busy")));

        foreach (var refused in new[] { refusedEvent, refusedClick })
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(1), refused.Headers.RetryAfter?.Delta);
            Assert.Contains("DrBot:Slack:MaxInFlight", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        Assert.Equal(HttpStatusCode.OK, refusedCommand.StatusCode);
        Assert.NotNull(refusedCommand.Headers.RetryAfter);
        var answer = JsonNode.Parse(await refusedCommand.Content.ReadAsStringAsync())!;
        Assert.Equal("ephemeral", (string?)answer["response_type"]);
        Assert.Contains("nothing was done or recorded", (string?)answer["text"], StringComparison.Ordinal);
        Assert.Equal(["status slow"], _bot.Handler.Inputs.Select(i => i.Text));

        _release.SetResult();
        await _stub.WaitForAsync(c => c.Method == "chat.postMessage" && ((string?)c.Json["text"])?.Contains("ok: status slow", StringComparison.Ordinal) == true, TimeSpan.FromSeconds(10));
        await WaitUntilAsync(() => _bot.Services.GetRequiredService<SlackDispatcher>().InFlight == 0);

        // Slack retries the refused event: nothing of it was recorded, so the retry is handled.
        using var retried = await _bot.PostSignedAsync("/api/slack/events", Mention("Ev0BUSY", "status"), "application/json",
            tweak: r => r.Headers.Add("X-Slack-Retry-Num", "1"));
        Assert.Equal(HttpStatusCode.OK, retried.StatusCode);
        await WaitUntilAsync(() => _bot.Handler.Inputs.Count == 2);
        Assert.Equal(["status slow", "status"], _bot.Handler.Inputs.Select(i => i.Text));
    }

    /// <summary>Waits for background work the test cannot be told about, giving up after a minute.</summary>
    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 6000 && !condition(); i++)
        {
            await Task.Delay(10);
        }
        Assert.True(condition(), "the condition did not hold within a minute");
    }
}
