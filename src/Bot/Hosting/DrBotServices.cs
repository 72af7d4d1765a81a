using DrBot.Bot.Alerts;
using DrBot.Bot.Alerts.Intake;
using DrBot.Bot.Channels.Slack;
using DrBot.Bot.Channels.Teams;
using DrBot.Runbooks.Infrastructure.Live;
using DrBot.Bot.Cards;
using DrBot.Bot.Cards.AdaptiveCards;
using DrBot.Bot.Channels;
using DrBot.Bot.Channels.Local;
using DrBot.Bot.Commands;
using DrBot.Bot.Drills;
using DrBot.Bot.Incidents;
using DrBot.Bot.Integrations.Email;
using DrBot.Bot.Integrations.Paging;
using DrBot.Bot.Integrations.Tickets;
using DrBot.Bot.StatusPage;
using DrBot.Bot.Monitoring;
using DrBot.Bot.Observability;
using DrBot.Bot.Outbox;
using DrBot.Bot.Runs;
using DrBot.Bot.Schedulers;
using DrBot.Bot.Strategy;
using DrBot.Runbooks.Definitions;
using DrBot.Runbooks.Engine;
using DrBot.Runbooks.Infrastructure;
using DrBot.Runbooks.Infrastructure.Simulated;
using DrBot.Runbooks.Policy;
using DrBot.Runbooks.Storage;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace DrBot.Bot.Hosting;

/// <summary>Everything the bot host registers, in one place, chosen by configuration.</summary>
public static class DrBotServices
{
    public static IServiceCollection AddDrBot(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddProblemDetails();
        services.AddDrBotOptions(configuration);
        services.AddDrBotStore(configuration);
        if (string.Equals(configuration["DrBot:Infrastructure:Mode"], "Live", StringComparison.OrdinalIgnoreCase))
            services.AddLiveInfrastructure();
        else
            services.AddSimulatedInfrastructure();

        services.AddSingleton<IRunbookNotifier, ChannelRunbookNotifier>();
        services.AddSingleton<RunCardObserver>();
        services.AddSingleton<IRunObserver>(sp => sp.GetRequiredService<RunCardObserver>());
        services.AddRunbookEngine();
        services.TryAddSingleton(sp => new DrBot.Runbooks.Audit.AuditLog(sp.GetRequiredService<IDrBotStore>(), sp.GetRequiredService<TimeProvider>()));

        services.AddSingleton<IAdaptiveCardRenderer, AdaptiveCardRenderer>();
        services.AddSingleton<EnabledChannels>();
        services.AddSingleton<OutboxSignal>();
        services.AddSingleton<CardPublisher>();
        services.AddHostedService<OutboxDispatcher>();
        services.AddPaging(configuration);
        services.AddDrBotObservability(configuration);
        services.AddCustomerNotices(configuration);
        services.AddTickets(configuration);
        services.AddStatusPage(configuration);
        services.AddSingleton<PublicUpdatePublisher>();

        services.AddSingleton<RunDispatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<RunDispatcher>());
        services.AddSingleton<IncidentWorkflow>();
        services.AddSingleton<IncidentTimers>();
        services.AddSingleton<TimerService>();
        services.AddHostedService(sp => sp.GetRequiredService<TimerService>());
        services.AddSingleton<DrillService>();
        services.AddSingleton(sp => new CommandParser(
            sp.GetRequiredService<IOptions<DrBotOptions>>().Value.Regions.Keys.ToList(),
            sp.GetRequiredService<RunbookCatalog>().Names));
        services.AddSingleton<CommandRouter>();
        services.AddSingleton(sp => new CommandPermissions(configuration,
            CommandParser.RunbookCommands.Keys.Concat(sp.GetRequiredService<RunbookCatalog>().Names.Select(AuthorizingChatInputHandler.StartCommandName))));
        services.AddSingleton<IChatInputHandler, AuthorizingChatInputHandler>();

        services.AddSingleton(sp => new LocalChatLog(LocalLogPath(configuration)));
        services.AddSingleton<IChannelAdapter, LocalChannelAdapter>();
        services.AddSlackChannel(configuration);
        services.AddTeamsChannel(configuration);
        services.AddAlertIntake(configuration);
        services.AddSingleton<IAlertSink, IncidentAlertSink>();
        services.AddHealthMonitor(configuration);
        services.AddStrategyFeatures();
        return services;
    }

    public static WebApplication MapDrBot(this WebApplication app)
    {
        // A bad permissions configuration stops the bot here, at start, naming the key.
        app.Services.GetRequiredService<CommandPermissions>();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
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
