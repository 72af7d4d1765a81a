using DrBot.Bot.Cards;
using DrBot.Bot.Cards.BlockKit;
using DrBot.Runbooks.People;
using DrBot.Runbooks.Policy;
using DrBot.Runbooks.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace DrBot.Bot.Channels.Slack;

public static class SlackServiceCollectionExtensions
{
    /// <summary>
    /// The Slack channel: options from <c>DrBot:Slack</c>, the inbound pieces behind
    /// <see cref="SlackEndpoints.MapSlackEndpoints"/>, and <see cref="SlackChannelAdapter"/> as an
    /// <see cref="IChannelAdapter"/>. Needs an <see cref="IChatInputHandler"/> and an
    /// <see cref="IDrBotStore"/> (or <see cref="IIdempotencyStore"/>) registered by the host.
    /// </summary>
    public static IServiceCollection AddSlackChannel(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<SlackOptions>()
            .Bind(configuration.GetSection(SlackOptions.Section))
            .ValidateDataAnnotations()
            .Validate(o => Uri.TryCreate(o.ApiBaseUrl, UriKind.Absolute, out _), "DrBot:Slack:ApiBaseUrl must be an absolute URL, e.g. https://slack.com/api/")
            .ValidateOnStart();

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<AcknowledgeWithinBudget>();
        services.TryAddSingleton(sp => new Roster(sp.GetRequiredService<IOptions<DrBotOptions>>()));
        services.TryAddSingleton<IIdempotencyStore>(sp => sp.GetRequiredService<IDrBotStore>());
        services.TryAddSingleton<IBlockKitRenderer, BlockKitRenderer>();

        services.AddHttpClient(SlackWebApi.ClientName, client => client.Timeout = TimeSpan.FromSeconds(30));
        services.AddHttpClient(SlackResponder.ClientName, client => client.Timeout = TimeSpan.FromSeconds(30));

        services.TryAddSingleton<SlackSignatureVerifier>();
        services.TryAddSingleton<SlackRequestReader>();
        services.TryAddSingleton<SlackPostPacer>();
        services.TryAddSingleton<SlackWebApi>();
        services.TryAddSingleton<SlackChannelAdapter>();
        services.AddChatPlatform<SlackChannelAdapter>(Person.Slack, c => !string.IsNullOrWhiteSpace(c["DrBot:Slack:BotToken"]));
        services.TryAddSingleton<SlackResponder>();
        services.TryAddSingleton<SlackDispatcher>();
        services.TryAddSingleton<SlackServices>();
        return services;
    }
}
