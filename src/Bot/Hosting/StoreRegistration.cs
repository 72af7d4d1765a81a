using DrBot.Runbooks.Engine;

namespace DrBot.Bot.Hosting;

/// <summary>The store named by <c>DrBot:Store:Provider</c>, and the engine's replica settings (<c>DrBot:Engine</c>).</summary>
public static class StoreRegistration
{
    /// <summary>How often a replica looks for runs a dead replica left, unless DrBot:Engine:TakeoverPoll says otherwise.</summary>
    public static readonly TimeSpan DefaultTakeoverPoll = TimeSpan.FromSeconds(5);

    public static IServiceCollection AddDrBotStore(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<RunbookEngineOptions>(configuration.GetSection("DrBot:Engine"));
        var provider = configuration["DrBot:Store:Provider"] ?? "LiteDb";
        if (string.Equals(provider, "LiteDb", StringComparison.OrdinalIgnoreCase))
            return services.AddLiteDbStore();
        if (string.Equals(provider, "Postgres", StringComparison.OrdinalIgnoreCase))
        {
            // Several replicas share the store: each looks for runs another replica stopped advancing.
            services.PostConfigure<RunbookEngineOptions>(o => o.TakeoverPoll ??= DefaultTakeoverPoll);
            return services.AddPostgresStore();
        }
        throw new InvalidOperationException(
            $"DrBot:Store:Provider is '{provider}', which this build does not provide. Valid: LiteDb, Postgres.");
    }
}
