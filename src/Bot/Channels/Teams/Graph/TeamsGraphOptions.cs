namespace DrBot.Bot.Channels.Teams.Graph;

/// <summary>
/// <c>DrBot:Teams:Graph</c>: Microsoft Graph, used to open a P1's war room as a channel of its own.
/// Off while <see cref="TeamId"/> is empty (the war room is then a thread in the incident channel).
/// The app credentials default to the bot's own registration (<c>DrBot:Teams:AppId</c>,
/// <c>AppPassword</c>, <c>TenantId</c>); the authority host and Graph address are configurable for
/// sovereign clouds and isolated networks, as the ARM credentials are.
/// </summary>
public sealed class TeamsGraphOptions
{
    public const string Section = "DrBot:Teams:Graph";
    public static readonly Uri DefaultAuthorityHost = new("https://login.microsoftonline.com/");
    public static readonly Uri DefaultBaseUrl = new("https://graph.microsoft.com/v1.0/");

    /// <summary>The Graph id of the team (its Microsoft 365 group's object id, a GUID) the war rooms are created in.</summary>
    public string TeamId { get; set; } = "";

    /// <summary>The directory (tenant) id the app gets tokens from; empty = <c>DrBot:Teams:TenantId</c>.</summary>
    public string TenantId { get; set; } = "";

    /// <summary>The app registration's client id; empty = <c>DrBot:Teams:AppId</c>.</summary>
    public string ClientId { get; set; } = "";

    /// <summary>The app's client secret; empty = <c>DrBot:Teams:AppPassword</c>. Never logged.</summary>
    public string ClientSecret { get; set; } = "";

    /// <summary>Token authority host; a non-default one turns MSAL's authority validation and instance discovery off.</summary>
    public Uri AuthorityHost { get; set; } = DefaultAuthorityHost;

    /// <summary>Turns instance discovery off with the default host too (isolated networks).</summary>
    public bool DisableInstanceDiscovery { get; set; }

    /// <summary>Graph's address with its version; the token scope is its origin + <c>/.default</c>.</summary>
    public Uri BaseUrl { get; set; } = DefaultBaseUrl;

    /// <summary>The user (object id) who organises the war room's Teams meeting; empty = no meeting link.</summary>
    public string MeetingOrganizerId { get; set; } = "";

    /// <summary>How long the meeting is booked for (it stays joinable afterwards).</summary>
    public TimeSpan MeetingLength { get; set; } = TimeSpan.FromHours(4);

    public bool IsConfigured => !string.IsNullOrWhiteSpace(TeamId);

    public string Scope => new Uri(BaseUrl, "/.default").ToString();
}
