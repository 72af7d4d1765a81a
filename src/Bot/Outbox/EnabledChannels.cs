namespace DrBot.Bot.Outbox;

/// <summary>
/// Which channels get the bot's posts: the local web chat when enabled (see <c>LocalChatSettings</c>), Slack
/// when a bot token is configured, Teams when an app id is. The endpoints of an unconfigured
/// platform stay mapped and refuse every request (fail closed); it just gets no posts.
/// </summary>
public sealed class EnabledChannels(IConfiguration configuration)
{
    public bool IsEnabled(string channel) => channel switch
    {
        "local" => Channels.Local.LocalChatSettings.IsEnabled(configuration),
        "slack" => !string.IsNullOrWhiteSpace(configuration["DrBot:Slack:BotToken"]),
        "teams" => !string.IsNullOrWhiteSpace(configuration["DrBot:Teams:AppId"]),
        _ => false,
    };
}
