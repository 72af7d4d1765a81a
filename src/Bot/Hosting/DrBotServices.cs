using DrBot.Bot.Preflight;
using DrBot.Bot.Retention;
using DrBot.Bot.Alerts;
using DrBot.Bot.Alerts.Intake;
using DrBot.Bot.Channels.Slack;
using DrBot.Bot.Channels.Teams;
using DrBot.Bot.Cards;
using DrBot.Bot.Cards.AdaptiveCards;
using DrBot.Bot.Channels;
using DrBot.Bot.Channels.Local;
using DrBot.Bot.Commands;
using DrBot.Bot.Drills;
using DrBot.Bot.Incidents;
using DrBot.Bot.Integrations.Email;
using DrBot.Bot.Integrations.Paging;
using DrBot.Bot.Integrations.Statuspage;
using DrBot.Bot.Integrations.Tickets;
using DrBot.Bot.StatusPage;
using DrBot.Bot.Monitoring;
using DrBot.Bot.Observability;
using DrBot.Bot.Outbox;
using DrBot.Bot.Runs;
using DrBot.Bot.Schedulers;
using DrBot.Runbooks.Application;
using DrBot.Bot.Strategy;
using DrBot.Runbooks.Definitions;
using DrBot.Runbooks.Engine;
using DrBot.Runbooks.Infrastructure;
using DrBot.Runbooks.Policy;
using DrBot.Runbooks.Storage;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using DrBot.Runbooks.People;

namespace DrBot.Bot.Hosting;

/// <summary>The composition root of the host: the domain (<c>AddDrBotRunbooks</c>) and the chat side, chosen by configuration.</summary>
public static class DrBotServices
{
    public static IServiceCollection AddDrBotHost(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddProblemDetails();
        services.AddInboundRateLimits(configuration);
        services.AddDrBotRunbooks(configuration);
        services.AddSingleton<IRunbookNotifier, ChannelRunbookNotifier>();
        services.AddSingleton<RunCardProjection>();
        services.AddSingleton<IRunProjection>(sp => sp.GetRequiredService<RunCardProjection>());
        services.AddSingleton<DrBot.Bot.Audit.AuditCheckpointWriter>();
        services.AddHostedService(sp => sp.GetRequiredService<DrBot.Bot.Audit.AuditCheckpointWriter>());

        services.AddSingleton<IAdaptiveCardRenderer, AdaptiveCardRenderer>();
        services.AddSingleton<EnabledChannels>();
        services.AddSingleton<OutboxSignal>();
        services.AddSingleton<IOutboxWakeUp>(sp => sp.GetRequiredService<OutboxSignal>());
        services.AddSingleton<CardPublisher>();
        services.AddSingleton<FreezeBanner>();
        services.AddHostedService<OutboxDispatcher>();
        services.AddPaging(configuration);
        services.AddDrBotObservability(configuration);
        services.AddCustomerNotices(configuration);
        services.AddTickets(configuration);
        services.AddStatuspage(configuration);
        services.AddStatusPage(configuration);
        services.AddSingleton<PublicUpdatePublisher>();

        services.AddSingleton<RunDispatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<RunDispatcher>());
        services.AddSingleton<IRunQueue>(sp => sp.GetRequiredService<RunDispatcher>());
        services.AddSingleton<IncidentWorkflow>();
        services.AddSingleton<IncidentCardLinks>();
        services.AddSingleton<DrBot.Bot.Channels.IWarRoomRecorder>(sp => sp.GetRequiredService<IncidentCardLinks>());
        services.AddSingleton<IncidentTimers>();
        services.AddSingleton<TimerService>();
        services.AddHostedService(sp => sp.GetRequiredService<TimerService>());
        services.AddSingleton<DrillService>();
        services.AddSingleton(sp => new CommandParser(
            sp.GetRequiredService<IOptions<DrBotOptions>>().Value.Regions.Keys.ToList(),
            sp.GetRequiredService<RunbookCatalog>().Names));
        services.AddSingleton<CommandRouter>();
        services.AddSingleton<DrBot.Bot.Audit.AuditChatCommand>();
        services.AddSingleton(sp => new CommandPermissions(configuration,
            CommandParser.RunbookCommands.Keys.Concat(sp.GetRequiredService<RunbookCatalog>().Names.Select(AuthorizingChatInputHandler.StartCommandName))));
        services.AddSingleton<IChatInputHandler, AuthorizingChatInputHandler>();

        services.AddSingleton(sp => new LocalChatLog(LocalLogPath(configuration)));
        services.AddSingleton<LocalChannelAdapter>();
        services.AddChatPlatform<LocalChannelAdapter>("local", LocalChatSettings.IsEnabled);
        services.AddSlackChannel(configuration);
        services.AddTeamsChannel(configuration);
        services.AddAlertIntake(configuration);
        services.AddRetention(configuration);
        services.AddSingleton<IAlertSink, IncidentAlertSink>();
        services.AddHealthMonitor(configuration);
        services.AddStrategyFeatures();
        services.AddDrBotPreflight();
        return services;
    }

    public static WebApplication MapDrBot(this WebApplication app)
    {
        // A bad permissions configuration stops the bot here, at start, naming the key.
        app.Services.GetRequiredService<CommandPermissions>();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseRateLimiter();
        app.UseDrBotObservability();
        if (LocalChatSettings.IsEnabled(app.Configuration))
        {
            LocalChatStartup.Check(app);
            app.UseWhen(LocalChatGuard.Covers, guarded => guarded.UseMiddleware<LocalChatGuard>());
            app.UseDefaultFiles();
            app.UseStaticFiles();
            app.MapLocalChat();
        }
        app.MapHealthAndMetrics();
        app.MapDrBotMetrics();
        app.MapStatusPage();
        app.MapSlackEndpoints();
        app.MapTeamsEndpoints();
        app.MapAlertEndpoints();
        app.MapStrategyEndpoints();
        return app;
    }

    private static string LocalLogPath(IConfiguration configuration)
    {
        var configured = configuration["DrBot:Local:LogPath"];
        if (!string.IsNullOrWhiteSpace(configured))
            return Path.GetFullPath(configured);
        var store = configuration["DrBot:Store:LiteDb:Path"] ?? "data/drbot.db";
        return Path.Combine(Path.GetDirectoryName(Path.GetFullPath(store))!, "local-chat.json");
    }
}
