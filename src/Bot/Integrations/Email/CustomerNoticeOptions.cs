namespace DrBot.Bot.Integrations.Email;

/// <summary><c>DrBot:CustomerNotices</c>: email to customer lists for P1/P2 (the strategy's communication plan). Off without <see cref="SmtpHost"/>.</summary>
public sealed class CustomerNoticeOptions
{
    public const string Section = "DrBot:CustomerNotices";

    public string? SmtpHost { get; set; }
    public int SmtpPort { get; set; } = 587;

    /// <summary><c>StartTls</c> (default: STARTTLS required), <c>SslOnConnect</c> (port 465), or <c>None</c> (a relay on localhost only).</summary>
    public string Security { get; set; } = "StartTls";

    public string? Username { get; set; }

    /// <summary>SMTP password (a secret).</summary>
    public string? Password { get; set; }

    public string From { get; set; } = "status@example.com";

    /// <summary>The subscriber lists: addresses (or list addresses) that receive every notice, as Bcc.</summary>
    public List<string> Subscribers { get; set; } = [];

    /// <summary>Severities that notify customers (P1, P2).</summary>
    public List<string> Severities { get; set; } = ["P1", "P2"];

    /// <summary>Link to the status page in every notice (none).</summary>
    public string? StatusPageUrl { get; set; }

    public bool IsConfigured => !string.IsNullOrWhiteSpace(SmtpHost) && Subscribers.Count > 0;
}
