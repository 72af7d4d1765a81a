namespace DrBot.Bot.Outbox;

/// <summary>
/// Which channels get the bot's posts: the registered <see cref="Channels.IChatPlatform"/>s that say
/// they are enabled (the local web chat unless turned off, Slack with a bot token, Teams with an app
/// id). The endpoints of an unconfigured platform stay mapped and refuse every request (fail
/// closed); it just gets no posts.
/// </summary>
public sealed class EnabledChannels(IEnumerable<Channels.IChatPlatform> platforms)
{
    private readonly IReadOnlyList<Channels.IChatPlatform> _platforms = platforms.ToList();

    public bool IsEnabled(string channel) =>
        _platforms.FirstOrDefault(p => string.Equals(p.Name, channel, StringComparison.Ordinal))?.IsEnabled ?? false;
}
