using System.Net;
using System.Text.Json;

namespace DrBot.Bot.Tests.Alerts.Intake;

/// <summary>
/// The alert intake's queue is bounded (DrBot:Alerts:MaxQueuedDeliveries): with the drain loop stuck,
/// deliveries beyond the bound are refused with 503 and Retry-After, keeping nothing, while every
/// delivery already accepted is still handled once the loop moves again.
/// </summary>
public sealed class AlertIntakeBoundTests
{
    private const string Alertmanager = "/api/alerts/alertmanager";

    [Fact]
    public async Task A_full_intake_refuses_with_503_and_Retry_After_and_loses_no_delivery_it_accepted()
    {
        await using var host = await AlertWebhookHost.StartAsync(maxQueuedDeliveries: 2);
        host.Sink.Hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = host.PostAsync(Alertmanager, AlertSamples.Alertmanager(fingerprint: "bound00000001"));
        await host.Sink.Entered.Task; // the drain loop is stuck on the first delivery
        var queued = new[] { "bound00000002", "bound00000003" }
            .Select(f => host.PostAsync(Alertmanager, AlertSamples.Alertmanager(fingerprint: f))).ToList();
        await WaitUntilAsync(() => host.Intake.QueuedDeliveries == 2);

        using var refused = await host.PostAsync(Alertmanager, AlertSamples.Alertmanager(fingerprint: "bound00000004"));

        var problem = await AlertWebhookTests.ProblemAsync(refused, HttpStatusCode.ServiceUnavailable);
        Assert.Contains("DrBot:Alerts:MaxQueuedDeliveries", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(TimeSpan.FromSeconds(5), refused.Headers.RetryAfter?.Delta);

        host.Sink.Hold.SetResult();
        var answers = await Task.WhenAll(queued.Prepend(first));
        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.StatusCode));
        Assert.Equal(3, host.Sink.Items.Count());
        Assert.Equal(3, host.Sink.Items.Select(i => i.Alert.DedupKey).Distinct().Count());

        // The refused delivery kept nothing: its retry is accepted as new.
        using var retried = await host.PostAsync(Alertmanager, AlertSamples.Alertmanager(fingerprint: "bound00000004"));
        Assert.Equal(HttpStatusCode.OK, retried.StatusCode);
        using var summary = JsonDocument.Parse(await retried.Content.ReadAsStringAsync());
        Assert.Equal(1, summary.RootElement.GetProperty("accepted").GetInt32());
        Assert.Equal(4, host.Sink.Items.Count());
    }

    [Fact]
    public async Task A_queue_bound_outside_its_range_stops_the_start_naming_the_setting()
    {
        var error = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(() => AlertWebhookHost.StartAsync(maxQueuedDeliveries: 0));

        Assert.Contains("MaxQueuedDeliveries", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Waits for a condition the test cannot be told about (requests reaching the queue), giving up after a minute.</summary>
    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 6000 && !condition(); i++)
        {
            await Task.Delay(10);
        }
        Assert.True(condition(), "the condition did not hold within a minute");
    }
}
