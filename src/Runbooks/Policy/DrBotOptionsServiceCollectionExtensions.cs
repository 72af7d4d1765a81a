using DrBot.Runbooks.Policy;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

public static class DrBotOptionsServiceCollectionExtensions
{
    /// <summary>
    /// Binds the "DrBot" section, fills the strategy's defaults where it is empty, and validates it
    /// (data annotations and <see cref="DrBotOptionsValidator"/>) when the host starts, so a bad
    /// appsettings.json stops the bot with the offending key named.
    /// </summary>
    public static IServiceCollection AddDrBotOptions(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<DrBotOptions>()
            .Bind(configuration.GetSection(DrBotOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<DrBotOptions>, DrBotOptionsDefaults>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DrBotOptions>, DrBotOptionsValidator>());
        return services;
    }
}
