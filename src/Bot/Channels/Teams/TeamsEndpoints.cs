using DrBot.Runbooks.People;
using System.Text.Json;
using DrBot.Bot.Cards;
using DrBot.Bot.Channels.Teams.Auth;
using DrBot.Bot.Channels.Teams.Connector;
using DrBot.Bot.Channels.Teams.Graph;
using DrBot.Runbooks.Storage;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DrBot.Bot.Channels.Teams;

public static class TeamsEndpoints
{
    /// <summary>Inbound activities larger than this are refused before any work (Teams caps cards near 100 KB).</summary>
    private const int MaxBodyBytes = 512 * 1024;

    /// <summary>
    /// Registers the Teams channel: options from <c>DrBot:Teams</c>, the inbound authenticator, the
    /// activity processor and <see cref="TeamsChannelAdapter"/> as an <see cref="IChannelAdapter"/>.
    /// Expects the core to register <see cref="IChatInputHandler"/>, <c>Roster</c>,
    /// <see cref="IDrBotStore"/> and <see cref="IAdaptiveCardRenderer"/>. Every HTTP call goes through
    /// the named client <see cref="TeamsHttp.ClientName"/>.
    /// </summary>
    public static IServiceCollection AddTeamsChannel(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<TeamsOptions>().Bind(configuration.GetSection(TeamsOptions.Section)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TeamsOptions>, TeamsOptionsValidator>());
        services.AddHttpClient(TeamsHttp.ClientName, client => client.Timeout = TimeSpan.FromSeconds(30));
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<AcknowledgeWithinBudget>();
        services.TryAddSingleton<IIdempotencyStore>(sp => sp.GetRequiredService<IDrBotStore>());
        services.TryAddSingleton<SigningKeyEndorsements>();
        services.TryAddSingleton<BotFrameworkAuthenticator>();
        services.TryAddSingleton<IBotTokenProvider, MsalBotTokenProvider>();
        services.TryAddSingleton<ConnectorClient>();
        services.TryAddSingleton<TeamsConversations>();
        services.TryAddSingleton<TeamsTenantPolicy>();
        services.TryAddSingleton<TeamsMessages>();
        services.TryAddScoped<TeamsActivityProcessor>();
        services.AddTeamsGraph(configuration);
        services.TryAddSingleton<TeamsChannelAdapter>();
        services.AddChatPlatform<TeamsChannelAdapter>(Person.Teams, c => !string.IsNullOrWhiteSpace(c["DrBot:Teams:AppId"]));
        return services;
    }

    /// <summary><c>POST /api/messages</c>: read the body, authorise it against the token, then act.</summary>
    public static IEndpointRouteBuilder MapTeamsEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/api/messages", ReceiveAsync);
        return endpoints;
    }

    private static async Task<IResult> ReceiveAsync(
        HttpRequest request,
        BotFrameworkAuthenticator authenticator,
        TeamsActivityProcessor processor,
        ILoggerFactory loggers,
        CancellationToken cancellationToken)
    {
        var logger = loggers.CreateLogger(typeof(TeamsEndpoints));
        if (request.ContentLength > MaxBodyBytes)
        {
            return Refuse(logger, StatusCodes.Status413PayloadTooLarge, $"The activity is larger than {MaxBodyBytes} bytes.");
        }

        Activity? activity;
        try
        {
            activity = await JsonSerializer.DeserializeAsync<Activity>(new LimitedStream(request.Body, MaxBodyBytes), TeamsJson.Options, cancellationToken);
        }
        catch (Exception e) when (e is JsonException or InvalidDataException)
        {
            return Refuse(logger, StatusCodes.Status400BadRequest, "The body is not a Bot Framework activity (JSON object with type, serviceUrl, channelId).");
        }

        // The token must name the activity's serviceUrl and its key must be endorsed for its channel.
        var auth = await authenticator.AuthenticateAsync(request.Headers.Authorization.ToString() is { Length: > 0 } h ? h : null,
            activity?.ServiceUrl, activity?.ChannelId, cancellationToken);
        if (!auth.Succeeded)
        {
            return Refuse(logger, auth.StatusCode, auth.Reason);
        }

        if (activity is null || string.IsNullOrEmpty(activity.Type))
        {
            return Refuse(logger, StatusCodes.Status400BadRequest, "The activity has no type.");
        }

        // Found by fuzzing: a message or invoke is answered in its conversation, as a reply to its id.
        if (activity.Type is "message" or "invoke" && (string.IsNullOrEmpty(activity.Id) || string.IsNullOrEmpty(activity.Conversation?.Id)))
        {
            return Refuse(logger, StatusCodes.Status400BadRequest, $"A {activity.Type} activity needs an id and a conversation.id.");
        }

        try
        {
            return await processor.ProcessAsync(activity, cancellationToken);
        }
        catch (StoreUnavailableException e)
        {
            TeamsLog.StoreUnavailable(logger, e);
            return Refuse(logger, StatusCodes.Status503ServiceUnavailable, "DrBot's store is unavailable; nothing was done. Retry later.");
        }
    }

    private static IResult Refuse(ILogger logger, int statusCode, string reason)
    {
        TeamsLog.Refused(logger, statusCode, reason);
        return Results.Problem(statusCode: statusCode, title: reason);
    }
}
