namespace DrBot.Bot.Channels.Teams;

/// <summary>
/// The bot registration and the Bot Framework endpoints (<c>DrBot:Teams</c>). Every endpoint the
/// platform fixes is configurable, defaulting to the public cloud, so sovereign clouds and the
/// tests' local stand-ins work the same way. An empty <see cref="AppId"/> refuses every inbound call.
/// </summary>
public sealed class TeamsOptions
{
    public const string Section = "DrBot:Teams";
    public const string DefaultAuthority = "https://login.microsoftonline.com/botframework.com";
    public const string DefaultOpenIdMetadataUrl = "https://login.botframework.com/v1/.well-known/openidconfiguration";

    /// <summary>The bot's Microsoft app id (Entra app registration); the audience of inbound tokens.</summary>
    public string AppId { get; set; } = "";

    /// <summary>How long a message's answer may take before the request is acknowledged and the answer follows through the outbox (Bot Framework gives up after 15 s).</summary>
    public TimeSpan ReplyBudget { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The app's client secret, used only to obtain outbound tokens. Never logged.</summary>
    public string AppPassword { get; set; } = "";

    /// <summary>
    /// The organisation's tenant: only its Teams activities are mapped to the roster and only its
    /// installs are remembered; also used for proactive posts into a channel.
    /// </summary>
    public string TenantId { get; set; } = "";

    public string OpenIdMetadataUrl { get; set; } = DefaultOpenIdMetadataUrl;

    /// <summary>Accepted token issuers (<c>https://api.botframework.com</c>).</summary>
    public List<string> ValidIssuers { get; set; } = [];

    /// <summary>Token authority for the bot's own tokens; a non-default one turns MSAL instance discovery off.</summary>
    public string Authority { get; set; } = DefaultAuthority;

    /// <summary>Where to post proactively before the bot has seen an install event.</summary>
    public string ServiceUrl { get; set; } = "";

    /// <summary>The incident channel's id (<c>19:…@thread.tacv2</c>) for proactive posts; when set, an install never replaces it.</summary>
    public string ChannelId { get; set; } = "";

    /// <summary>When set, only installs into this team (<c>19:…@thread.tacv2</c> of its General channel) are remembered.</summary>
    public string TeamId { get; set; } = "";

    /// <summary>The issuers used when none are configured.</summary>
    public IReadOnlyList<string> EffectiveIssuers =>
        ValidIssuers.Count > 0 ? ValidIssuers : ["https://api.botframework.com"];
}
