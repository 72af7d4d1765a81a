using DrBot.Runbooks.People;

namespace DrBot.Bot.Channels;

/// <summary>
/// One chat platform as the host sees it: its name (the channel name of outbox messages and the key of
/// a person's id in <see cref="Person.PlatformIds"/>), whether it is configured, the adapter that
/// delivers to it, and who its users are on the roster. The outbox posts only to enabled platforms.
/// </summary>
public interface IChatPlatform
{
    string Name { get; }

    /// <summary>Configured (Slack: a bot token; Teams: an app id; local: not turned off). An unconfigured platform gets no posts.</summary>
    bool IsEnabled { get; }

    IChannelAdapter Adapter { get; }

    /// <summary>The roster person with this user id on the platform, or null.</summary>
    Person? FindPerson(string? platformUserId);
}

/// <summary>A platform from its name, its enabled check, its adapter and the roster.</summary>
public sealed class ChatPlatform(string name, Func<bool> isEnabled, IChannelAdapter adapter, Roster roster) : IChatPlatform
{
    public string Name => name;

    public bool IsEnabled => isEnabled();

    public IChannelAdapter Adapter => adapter;

    public Person? FindPerson(string? platformUserId) => roster.ByPlatformId(name, platformUserId);
}

public static class ChatPlatformRegistration
{
    /// <summary>
    /// Registers a platform's adapter (as an <see cref="IChannelAdapter"/> too) and the platform itself:
    /// the one line a platform's registration needs to take part in the outbox.
    /// </summary>
    public static IServiceCollection AddChatPlatform<TAdapter>(this IServiceCollection services, string name, Func<IConfiguration, bool> isEnabled)
        where TAdapter : class, IChannelAdapter
    {
        services.AddSingleton<IChannelAdapter>(sp => sp.GetRequiredService<TAdapter>());
        services.AddSingleton<IChatPlatform>(sp => new ChatPlatform(name,
            () => isEnabled(sp.GetRequiredService<IConfiguration>()), sp.GetRequiredService<TAdapter>(), sp.GetRequiredService<Roster>()));
        return services;
    }
}
