using DrBot.Bot.Integrations.Email;
using DrBot.Runbooks.Incidents;
using DrBot.Runbooks.People;

namespace DrBot.Bot.StatusPage;

/// <summary>
/// Public text about an incident, from <c>incident update --public &lt;text&gt;</c> or a runbook's
/// <c>status-page</c> step: it goes on the built-in status page, to Atlassian Statuspage and, for
/// P1/P2, to the customer lists by email, when those are configured. A person's update also counts as
/// the incident's latest human update (for the 15-minute status posts); a step's is a timeline entry.
/// </summary>
public sealed class PublicUpdatePublisher(IncidentService incidents, PublicUpdates updates, CustomerNotices notices, Integrations.Statuspage.StatuspageSync statuspage, TimeProvider time)
{
    public async Task<string> PublishAsync(string incidentId, string text, Actor who, CancellationToken cancellationToken)
    {
        if (text.Length > PublicUpdates.MaxLength)
            return $"A public update may have at most {PublicUpdates.MaxLength} characters (this one has {text.Length}); nothing was published.";
        var result = await incidents.AddHumanUpdateAsync(incidentId, $"[public] {text}", who, cancellationToken);
        if (!result.Ok || result.Incident is not { } incident)
            return result.Message;
        var mailed = await PublishAsync(incident, text, cancellationToken);
        return $"Public update on {incident.Id} published on the status page" + (mailed ? " and sent to the customer lists." : ".");
    }

    /// <summary>The runbook's status-page step: the step's text, published as a person's public update is.</summary>
    public async Task PublishFromRunAsync(string incidentId, string runId, string text, CancellationToken cancellationToken)
    {
        var trimmed = text.Length > PublicUpdates.MaxLength ? text[..PublicUpdates.MaxLength] : text;
        var result = await incidents.AddTimelineAsync(incidentId, "public-update", $"[public] {trimmed}", Actor.System($"run {runId}"), cancellationToken);
        if (result.Ok && result.Incident is { } incident)
            await PublishAsync(incident, trimmed, cancellationToken);
    }

    /// <summary>Returns whether the customer lists were mailed.</summary>
    private async Task<bool> PublishAsync(Incident incident, string text, CancellationToken cancellationToken)
    {
        await updates.AddAsync(incident.Id, new PublicUpdate(time.GetUtcNow(), text), cancellationToken);
        var mailed = await notices.UpdateAsync(incident, text, cancellationToken);
        await statuspage.UpdatedAsync(incident, text, cancellationToken);
        return mailed;
    }
}
