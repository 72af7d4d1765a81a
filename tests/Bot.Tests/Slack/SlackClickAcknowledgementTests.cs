using System.Net;
using System.Text.Json.Nodes;
using DrBot.Bot.Channels;
using DrBot.Bot.Channels.Slack;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace DrBot.Bot.Tests.Slack;

/// <summary>
/// Slack ignores the body of a click's acknowledgement, so a click is acknowledged as soon as it is
/// claimed, however long its handling takes (the acknowledgement budget is for slash commands, whose
/// acknowledgement Slack shows), and the answer follows at the click's response_url.
/// </summary>
public sealed class SlackClickAcknowledgementTests : IAsyncLifetime
{
    private SlackApiStub _stub = null!;
    private SlackBotHost _bot = null!;
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async Task InitializeAsync()
    {
        _stub = await SlackApiStub.StartAsync();
        // The clock stands still: waiting out the acknowledgement budget would never end.
        _bot = await SlackBotHost.StartAsync(_stub, configure: b =>
        {
            b.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["DrBot:Slack:AcknowledgeBudget"] = "00:00:02.8" });
            b.Services.AddSingleton<TimeProvider>(new FakeTimeProvider(TimeProvider.System.GetUtcNow()));
        });
        _bot.Handler.Respond = async (input, ct) =>
        {
            await _release.Task.WaitAsync(ct);
            return ChatReply.Public($"handled {input.Action?.Verb}");
        };
    }

    public async Task DisposeAsync()
    {
        _release.TrySetResult();
        await _bot.DisposeAsync();
        await _stub.DisposeAsync();
    }

    [Fact]
    public async Task A_click_is_acknowledged_while_its_handling_is_still_running_and_answered_at_its_response_url()
    {
        var payload = JsonNode.Parse(SlackInboundParsingTests.ClickPayload("U0BOB", "1700000007.000100", """{"verb":"approve","runId":"R-7"}""", null))!.AsObject();
        payload["response_url"] = _stub.ResponseUrl("click-1");

        // Waited for with a guard only so a regression (waiting for the budget on a clock that stands still) fails instead of hanging.
        using var acknowledged = await _bot.PostSignedAsync("/api/slack/interactions", SlackBotHost.Form(new Dictionary<string, string> { ["payload"] = payload.ToJsonString() }))
            .WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(HttpStatusCode.OK, acknowledged.StatusCode);
        Assert.Equal(1, _bot.Services.GetRequiredService<SlackDispatcher>().InFlight);
        Assert.DoesNotContain(_stub.Calls, c => c.Path == "/response/click-1");
        _release.SetResult();
        var answer = await _stub.WaitForAsync(c => c.Path == "/response/click-1", TimeSpan.FromSeconds(30));
        Assert.Contains("handled approve", answer.Body, StringComparison.Ordinal);
    }
}
