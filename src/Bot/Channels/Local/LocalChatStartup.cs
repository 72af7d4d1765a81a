namespace DrBot.Bot.Channels.Local;

/// <summary>Start-time checks of the local web chat: a warning when it runs against live systems, a refusal to listen beyond loopback.</summary>
public static partial class LocalChatStartup
{
    public static void Check(WebApplication app)
    {
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(LocalChatStartup));
        if (LocalChatSettings.IsLive(app.Configuration))
            LogLiveWarning(logger);
        if (LocalChatSettings.AllowRemote(app.Configuration))
        {
            LogRemoteWarning(logger);
            return;
        }
        var remote = LocalChatSettings.NonLoopbackBindings(app.Configuration);
        if (remote.Count > 0)
            throw new InvalidOperationException(
                $"The local web chat lets anyone who reaches it act as anyone on the roster, so DrBot refuses to listen on {string.Join(", ", remote)}. " +
                "Listen on localhost or 127.0.0.1 only (Urls), or turn the local chat off (DrBot:Local:Enabled=false), " +
                "or accept the risk explicitly with DrBot:Local:AllowRemote=true.");
    }

    [LoggerMessage(EventId = HostLogEvents.LocalChatOnInLiveMode, Level = LogLevel.Warning,
        Message = "The local web chat is enabled in Live mode (DrBot:Local:Enabled=true): whoever reaches it on this machine can approve real failovers as anyone on the roster")]
    private static partial void LogLiveWarning(ILogger logger);

    [LoggerMessage(EventId = HostLogEvents.LocalChatRemoteAllowed, Level = LogLevel.Warning,
        Message = "The local web chat accepts remote connections (DrBot:Local:AllowRemote=true): anyone who reaches it can act as anyone on the roster")]
    private static partial void LogRemoteWarning(ILogger logger);
}
