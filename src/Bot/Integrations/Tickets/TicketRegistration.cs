using System.Text.Json;
using DrBot.Bot.Outbox;
using DrBot.Runbooks.Incidents;
using DrBot.Runbooks.Outbox;
using DrBot.Runbooks.Storage;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace DrBot.Bot.Integrations.Tickets;

/// <summary>Writes ticket calls to the outbox: the runbook's ticket step creates, resolving the incident resolves.</summary>
public sealed class IncidentTickets(IIdempotencyStore store, IOutboxStore outbox, OutboxSignal signal, IOptions<TicketOptions> options, TimeProvider time)
{
    public bool Enabled => options.Value.IsConfigured;

    public Task CreateAsync(Incident incident, string text, CancellationToken cancellationToken) =>
        EnqueueAsync(new TicketEvent(TicketAction.Create, incident.Id, incident.Severity, $"{incident.Id} {incident.Title}", text, TicketEvent.ReferenceFor(incident)), cancellationToken);

    public async Task ResolveAsync(Incident incident, string by, CancellationToken cancellationToken)
    {
        // Only an incident that got a ticket (or whose create is still queued) is resolved there.
        if (Enabled && (await store.GetValueAsync(TicketIntegration.ReferenceKey(incident.Id), cancellationToken) is not null
            || await store.GetValueAsync($"ticket-requested:{incident.Id}", cancellationToken) is not null))
            await EnqueueAsync(new TicketEvent(TicketAction.Resolve, incident.Id, incident.Severity, $"{incident.Id} {incident.Title}", $"Resolved in DrBot by {by}."), cancellationToken);
    }

    private async Task EnqueueAsync(TicketEvent ticket, CancellationToken cancellationToken)
    {
        if (!Enabled)
            return;
        if (ticket.Action == TicketAction.Create)
            await store.SetValueAsync($"ticket-requested:{ticket.IncidentId}", "1", cancellationToken);
        var now = time.GetUtcNow();
        await outbox.EnqueueAsync(new OutboxMessage(0, TicketIntegration.ChannelName, "", OutboxOperation.Post, $"ticket:{ticket.Action}:{ticket.IncidentId}:{now.UtcTicks}",
            JsonSerializer.Serialize(ticket, TicketIntegration.Json), now), cancellationToken);
        signal.Notify();
    }
}

public static class TicketRegistration
{
    public static IServiceCollection AddTickets(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<TicketOptions>().Bind(configuration.GetSection(TicketOptions.Section))
            .Validate(o => !o.IsConfigured || o.Provider is "Jira" or "ServiceNow" or "Webhook", "DrBot:Tickets:Provider must be Jira, ServiceNow or Webhook")
            .Validate(o => !o.IsConfigured || o.BaseUrl is { IsAbsoluteUri: true }, "DrBot:Tickets:BaseUrl must be an absolute URL when DrBot:Tickets:Provider is set")
            .Validate(o => !o.IsConfigured || o.Provider == "Webhook" || (!string.IsNullOrWhiteSpace(o.Username) && !string.IsNullOrWhiteSpace(o.Secret)),
                "DrBot:Tickets:Username and Secret are required for Jira (email + API token) and ServiceNow (user + password)")
            .ValidateOnStart();
        services.AddHttpClient(TicketIntegration.ChannelName, c => c.Timeout = TimeSpan.FromSeconds(20));
        services.AddSingleton<IncidentTickets>();
        services.AddSingleton<TicketIntegration>();
        services.AddSingleton<IOutboundIntegration>(sp => sp.GetRequiredService<TicketIntegration>());
        services.AddSingleton<IIntegrationStatus>(sp => sp.GetRequiredService<TicketIntegration>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, IntegrationStartupReport>());
        return services;
    }
}
