using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using DrBot.Bot.Outbox;
using DrBot.Bot.StatusPage;
using DrBot.Runbooks.Incidents;
using DrBot.Runbooks.Outbox;
using DrBot.Runbooks.Policy;
using DrBot.Runbooks.Storage;
using Microsoft.Extensions.Options;

namespace DrBot.Bot.Integrations.Email;

/// <summary>One customer email as stored in the outbox (channel "email").</summary>
public sealed record CustomerNotice(string MessageId, string Subject, string Body);

/// <summary>
/// Customer emails for P1/P2 incidents: opened, each public update, resolved. Only public text:
/// the impact, the affected services and what a person wrote with <c>--public</c>; never the
/// incident title, ids, regions or names. Written to the outbox; nothing when not configured.
/// </summary>
public sealed class CustomerNotices(IOutboxStore outbox, OutboxSignal signal, IOptions<CustomerNoticeOptions> options, IOptions<DrBotOptions> drbot, TimeProvider time)
{
    public const string ChannelName = "email";
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private CustomerNoticeOptions Options => options.Value;

    public Task OpenedAsync(Incident incident, CancellationToken cancellationToken) =>
        SendAsync(incident, "opened", $"We are investigating a {Impact(incident).ToLowerInvariant()} affecting {Affected(incident)}. We will send updates as we learn more.", cancellationToken);

    public Task<bool> UpdateAsync(Incident incident, string publicText, CancellationToken cancellationToken) =>
        SendAsync(incident, $"update-{time.GetUtcNow().UtcTicks}", publicText, cancellationToken);

    public Task ResolvedAsync(Incident incident, CancellationToken cancellationToken) =>
        SendAsync(incident, "resolved", $"The {Impact(incident).ToLowerInvariant()} affecting {Affected(incident)} is resolved. Thank you for your patience.", cancellationToken, resolved: true);

    private async Task<bool> SendAsync(Incident incident, string step, string text, CancellationToken cancellationToken, bool resolved = false)
    {
        if (!Options.IsConfigured || !Options.Severities.Contains(incident.Severity, StringComparer.OrdinalIgnoreCase))
            return false;
        var key = PublicStatus.PublicKey(incident);
        var subject = resolved ? $"[Resolved] {Impact(incident)}" : $"[{Impact(incident)}] {(step == "opened" ? "Investigating" : "Update")}";
        var body = new StringBuilder(text).Append("\n\nAffected: ").Append(Affected(incident));
        if (Options.StatusPageUrl is { } url)
            body.Append("\nStatus page: ").Append(url);
        // One stable Message-Id per notice: a redelivery after a lost answer is recognisable as the same mail.
        var messageId = $"{key}.{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(step)))[..12]}@drbot";
        var notice = new CustomerNotice(messageId, subject, body.ToString());
        await outbox.EnqueueAsync(new OutboxMessage(0, ChannelName, "", OutboxOperation.Post, $"notice:{key}:{step}", JsonSerializer.Serialize(notice, Json), time.GetUtcNow()), cancellationToken);
        signal.Notify();
        return true;
    }

    private static string Impact(Incident incident) => PublicStatus.Title(PublicStatus.Impact(incident.Severity));

    private string Affected(Incident incident)
    {
        var services = incident.Services.Count > 0 ? incident.Services : drbot.Value.Tiers.GetValueOrDefault(incident.Tier)?.Services ?? [];
        return services.Count == 0 ? "some services" : string.Join(", ", services);
    }
}
