using DrBot.Bot.Alerts.Rules;
using DrBot.Bot.Outbox;
using DrBot.Runbooks.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace DrBot.Bot.Alerts.Intake;

public static class AlertIntakeRegistration
{
    private static readonly string[] Severities = ["P1", "P2", "P3", "P4"];

    /// <summary>
    /// Registers the alert webhooks' options (<c>DrBot:Alerts</c>, <c>DrBot:Alerts:Rules</c>, checked
    /// at start), the rules and the intake. The host registers <see cref="IDrBotStore"/>,
    /// <see cref="IAlertSink"/> and (optionally) <see cref="TimeProvider"/>; the intake wakes the
    /// outbox dispatcher through <see cref="OutboxSignal"/> when it commits card posts.
    /// </summary>
    public static IServiceCollection AddAlertIntake(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AlertIntakeOptions>()
            .Bind(configuration.GetSection(AlertIntakeOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddOptions<AlertRulesOptions>()
            .Bind(configuration.GetSection(AlertRulesOptions.Section))
            .ValidateDataAnnotations()
            .Validate(o => o.ReplicationLag.CriticalSeconds >= o.ReplicationLag.WarningSeconds,
                $"{AlertRulesOptions.Section}:ReplicationLag:CriticalSeconds must be at least WarningSeconds")
            .Validate(o => new[] { o.ReplicationLag.CriticalSeverity, o.ReplicationLag.WarningSeverity, o.BackupFailure.Severity, o.BackupLate.Severity, o.RegionDown.Severity }.All(s => Severities.Contains(s)),
                $"{AlertRulesOptions.Section}:*:Severity values must be P1, P2, P3 or P4")
            .Validate(o => !string.IsNullOrWhiteSpace(o.RegionDown.Runbook),
                $"{AlertRulesOptions.Section}:RegionDown:Runbook must name the runbook to propose")
            .ValidateOnStart();

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new AlertWebhookAuth(sp.GetRequiredService<IOptions<AlertIntakeOptions>>().Value.Token));
        services.TryAddSingleton(sp => new AlertRules(sp.GetRequiredService<IOptions<AlertRulesOptions>>(), sp.GetRequiredService<IDrBotStore>()));
        services.TryAddSingleton<OutboxSignal>();
        services.TryAddSingleton<AlertIntake>();
        return services;
    }
}
