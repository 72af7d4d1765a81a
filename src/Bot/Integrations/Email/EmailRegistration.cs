using Microsoft.Extensions.DependencyInjection.Extensions;

namespace DrBot.Bot.Integrations.Email;

public static class EmailRegistration
{
    public static IServiceCollection AddCustomerNotices(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<CustomerNoticeOptions>().Bind(configuration.GetSection(CustomerNoticeOptions.Section))
            .Validate(o => o.Security is "StartTls" or "SslOnConnect" or "None", "DrBot:CustomerNotices:Security must be StartTls, SslOnConnect or None")
            .Validate(o => o.Subscribers.All(s => MimeKit.MailboxAddress.TryParse(s, out _)) && MimeKit.MailboxAddress.TryParse(o.From, out _),
                "DrBot:CustomerNotices:From and every Subscribers entry must be an email address")
            .ValidateOnStart();
        services.AddSingleton<CustomerNotices>();
        services.AddSingleton<SmtpIntegration>();
        services.AddSingleton<IOutboundIntegration>(sp => sp.GetRequiredService<SmtpIntegration>());
        services.AddSingleton<IIntegrationStatus>(sp => sp.GetRequiredService<SmtpIntegration>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, IntegrationStartupReport>());
        return services;
    }
}
