using System.ComponentModel.DataAnnotations;

namespace DrBot.Bot.Channels.Slack;

/// <summary>
/// <c>DrBot:Slack</c>. The signing secret and bot token come from the Slack app's settings (see
/// manifests/slack/README.md); without a signing secret every inbound request is refused.
/// </summary>
public sealed class SlackOptions
{
    public const string Section = "DrBot:Slack";

    /// <summary>Basic Information → Signing Secret. Empty = every inbound request is refused (fail closed).</summary>
    public string SigningSecret { get; set; } = "";

    /// <summary>OAuth &amp; Permissions → Bot User OAuth Token (<c>xoxb-…</c>). Never logged.</summary>
    public string BotToken { get; set; } = "";

    /// <summary>The incident channel's id (<c>C…</c>): where posts to conversation "" go.</summary>
    public string ChannelId { get; set; } = "";

    /// <summary>Web API base URL; a local stand-in in tests, another host for GovSlack.</summary>
    [Required]
    public string ApiBaseUrl { get; set; } = "https://slack.com/api/";

    /// <summary>Hosts a slash command's or click's <c>response_url</c> may point at (the API host is allowed too).</summary>
    public List<string> ResponseUrlHosts { get; set; } = ["hooks.slack.com"];

    /// <summary>How long a command or click may take before it is acknowledged and answered later (Slack allows 3 s).</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:00:02.800")]
    public TimeSpan AcknowledgeBudget { get; set; } = TimeSpan.FromMilliseconds(2000);

    /// <summary>Minimum spacing of chat.postMessage calls per channel (Slack allows about one per second).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan PostInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Replay window for signed requests (Slack: 5 minutes).</summary>
    public TimeSpan SignatureMaxAge { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Slack deliveries (commands, clicks, mentions) handled at once at most (256). Beyond that a delivery
    /// is refused before it is recorded, so Slack's retry or the person's next try is accepted: events and
    /// clicks get 503 with Retry-After, a slash command a private "busy, try again" answer.
    /// </summary>
    [Range(1, 100_000)]
    public int MaxInFlight { get; set; } = 256;

    /// <summary>War rooms are created private (needs <c>groups:write</c>) when true.</summary>
    public bool PrivateWarRooms { get; set; }

    internal Uri ApiBase => new(ApiBaseUrl.EndsWith('/') ? ApiBaseUrl : ApiBaseUrl + "/", UriKind.Absolute);
}
