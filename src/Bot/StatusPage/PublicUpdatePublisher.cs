using DrBot.Bot.Integrations.Email;
using DrBot.Runbooks.Incidents;
using DrBot.Runbooks.People;

namespace DrBot.Bot.StatusPage;

/// <summary>
/// <c>incident update --public &lt;text&gt;</c>: the text goes on the status page, into the incident's
/// timeline as a human update (so the 15-minute status posts count it), and to customers by email
/// for P1/P2 when configured.
/// </summary>
public sealed class PublicUpdatePublisher(IncidentService incidents, PublicUpdates updates, CustomerNotices notices, TimeProvider time)
{
    public async Task<string> PublishAsync(string incidentId, string text, Actor who, CancellationToken cancellationToken)
    {
        if (text.Length > PublicUpdates.MaxLength)
            return $"A public update may have at most {PublicUpdates.MaxLength} characters (this one has {text.Length}); nothing was published.";
        var result = await incidents.AddHumanUpdateAsync(incidentId, $"[public] {text}", who, cancellationToken);
        if (!result.Ok || result.Incident is not { } incident)
            return result.Message;
        await updates.AddAsync(incident.Id, new PublicUpdate(time.GetUtcNow(), text), cancellationToken);
        var mailed = await notices.UpdateAsync(incident, text, cancellationToken);
        return $"Public update on {incident.Id} published on the status page" + (mailed ? " and sent to the customer lists." : ".");
    }
}
