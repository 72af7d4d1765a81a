namespace DrBot.Bot.Integrations;

/// <summary>At start, one line per optional integration: on, or off and what the bot does instead.</summary>
public sealed partial class IntegrationStartupReport(IEnumerable<IIntegrationStatus> integrations, ILogger<IntegrationStartupReport> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var integration in integrations)
            LogIntegration(integration.Name, integration.Describe());
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = HostLogEvents.IntegrationStatus, Level = LogLevel.Information, Message = "Integration {Name}: {Status}")]
    private partial void LogIntegration(string name, string status);
}
