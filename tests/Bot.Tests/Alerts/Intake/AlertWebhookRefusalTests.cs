using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace DrBot.Bot.Tests.Alerts.Intake;

/// <summary>Requests the webhooks refuse: no or wrong token, too large, malformed. None of them stores anything.</summary>
public sealed class AlertWebhookRefusalTests : IAsyncLifetime
{
    private const string Alertmanager = "/api/alerts/alertmanager";
    private const int MaxBody = 8 * 1024;
    private AlertWebhookHost _host = null!;

    public async Task InitializeAsync() => _host = await AlertWebhookHost.StartAsync(maxBodyBytes: MaxBody);

    public async Task DisposeAsync() => await _host.DisposeAsync();

    /// <summary>The refused alert was not claimed: sent properly afterwards, it is accepted as new.</summary>
    private async Task AssertNothingWasStoredAsync(string body)
    {
        Assert.Empty(_host.Sink.Batches);
        var response = await _host.PostAsync(Alertmanager, body);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("\"accepted\":1", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("wrong-token")]
    [InlineData("test-alert-token-3f9")]
    [InlineData("test-alert-token-3f9c-and-more")]
    public async Task A_missing_or_wrong_token_is_refused_with_401_and_the_sink_is_not_called(string? token)
    {
        var response = await _host.PostAsync(Alertmanager, AlertSamples.Alertmanager(), token);

        var problem = await AlertWebhookTests.ProblemAsync(response, HttpStatusCode.Unauthorized);
        Assert.DoesNotContain(AlertWebhookHost.Token, problem.GetRawText(), StringComparison.Ordinal);
        await AssertNothingWasStoredAsync(AlertSamples.Alertmanager());
    }

    [Fact]
    public async Task The_token_may_come_as_a_query_parameter()
    {
        var ok = await _host.Client.PostAsync($"{Alertmanager}?token={AlertWebhookHost.Token}", new StringContent(AlertSamples.Alertmanager(), Encoding.UTF8, "application/json"));
        var wrong = await _host.Client.PostAsync($"{Alertmanager}?token=nope", new StringContent(AlertSamples.Alertmanager(fingerprint: "other"), Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        await AlertWebhookTests.ProblemAsync(wrong, HttpStatusCode.Unauthorized);
        Assert.Single(_host.Sink.Items);
    }

    [Fact]
    public async Task Without_a_configured_token_every_request_is_refused_and_the_key_to_set_is_named()
    {
        await using var unconfigured = await AlertWebhookHost.StartAsync(token: "");

        var withBearer = await unconfigured.PostAsync(Alertmanager, AlertSamples.Alertmanager(), token: "anything");
        var empty = await unconfigured.PostAsync("/api/alerts/generic", """{"name":"x","status":"firing","id":"1"}""", token: null);

        var problem = await AlertWebhookTests.ProblemAsync(withBearer, HttpStatusCode.Unauthorized);
        Assert.Contains("DrBot:Alerts:Token", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        await AlertWebhookTests.ProblemAsync(empty, HttpStatusCode.Unauthorized);
        Assert.Empty(unconfigured.Sink.Batches);
    }

    [Fact]
    public async Task An_oversized_body_is_refused_with_413_and_nothing_is_stored()
    {
        var padded = AlertSamples.Alertmanager().Replace("\"receiver\": \"drbot\"", $"\"receiver\": \"{new string('x', MaxBody)}\"", StringComparison.Ordinal);

        var response = await _host.PostAsync(Alertmanager, padded);

        var problem = await AlertWebhookTests.ProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);
        Assert.Contains("DrBot:Alerts:MaxBodyBytes", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        await AssertNothingWasStoredAsync(AlertSamples.Alertmanager());
    }

    [Fact]
    public async Task An_oversized_chunked_body_without_a_length_is_refused_too()
    {
        var padded = AlertSamples.Alertmanager().Replace("\"receiver\": \"drbot\"", $"\"receiver\": \"{new string('x', MaxBody * 4)}\"", StringComparison.Ordinal);
        using var content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(padded)));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, Alertmanager) { Content = content };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AlertWebhookHost.Token);
        request.Headers.TransferEncodingChunked = true;

        var response = await _host.Client.SendAsync(request);

        await AlertWebhookTests.ProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);
        await AssertNothingWasStoredAsync(AlertSamples.Alertmanager());
    }

    [Fact]
    public async Task A_malformed_body_is_refused_with_400_naming_the_problem()
    {
        var response = await _host.PostAsync(Alertmanager, "{\"version\":\"4\", \"alerts\": [");

        var problem = await AlertWebhookTests.ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains("not well-formed JSON", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Empty(_host.Sink.Batches);
    }

    [Fact]
    public async Task A_group_with_one_bad_alert_is_refused_whole_and_its_good_alert_is_not_claimed()
    {
        var good = AlertSamples.Alertmanager();
        var bad = good.Replace("\"alerts\": [", "\"alerts\": [{\"status\":\"firing\",\"labels\":{\"alertname\":\"X\"},\"startsAt\":\"2026-01-01T00:00:00Z\"},", StringComparison.Ordinal);
        var mixed = bad; // the bad alert (no fingerprint) comes first, the good one second

        var response = await _host.PostAsync(Alertmanager, mixed);

        var problem = await AlertWebhookTests.ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal("$.alerts[0].fingerprint", problem.GetProperty("field").GetString());
        Assert.Contains("$.alerts[0].fingerprint is missing", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        await AssertNothingWasStoredAsync(good);
    }

    [Theory]
    [InlineData("/api/alerts/azure-monitor", "{\"schemaId\":\"Microsoft.Insights/activityLogs\"}", "$.schemaId")]
    [InlineData("/api/alerts/generic", "{\"name\":\"x\",\"status\":\"maybe\",\"id\":\"1\"}", "$.status")]
    [InlineData(Alertmanager, "{\"version\":\"3\"}", "$.version")]
    public async Task Each_endpoint_names_the_field_it_refused(string path, string body, string field)
    {
        var response = await _host.PostAsync(path, body);

        var problem = await AlertWebhookTests.ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal(field, problem.GetProperty("field").GetString());
        Assert.Empty(_host.Sink.Batches);
    }

    [Fact]
    public async Task When_the_store_is_unavailable_the_answer_is_503_and_the_sink_is_not_called()
    {
        ((IDisposable)_host.Store).Dispose();

        var response = await _host.PostAsync(Alertmanager, AlertSamples.Alertmanager());

        var problem = await AlertWebhookTests.ProblemAsync(response, HttpStatusCode.ServiceUnavailable);
        Assert.Contains("retry later", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Empty(_host.Sink.Batches);
    }
}
