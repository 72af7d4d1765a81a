using DrBot.Runbooks.Storage.LiteDb;

namespace DrBot.Bot.Hosting;

/// <summary>The store named by <c>DrBot:Store:Provider</c>.</summary>
public static class StoreRegistration
{
    public static IServiceCollection AddDrBotStore(this IServiceCollection services, IConfiguration configuration)
    {
        var provider = configuration["DrBot:Store:Provider"] ?? "LiteDb";
        if (string.Equals(provider, "LiteDb", StringComparison.OrdinalIgnoreCase))
            return services.AddLiteDbStore();
        throw new InvalidOperationException(
            $"DrBot:Store:Provider is '{provider}', which this build does not provide. Valid: LiteDb.");
    }
}
