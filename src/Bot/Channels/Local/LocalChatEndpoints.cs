using System.Text.Json;
using DrBot.Runbooks.People;

namespace DrBot.Bot.Channels.Local;

public sealed record LocalPostRequest(string? User, string? Text);

public sealed record LocalActionRequest(string? User, string? MessageId, string? Verb, Dictionary<string, JsonElement>? Data);

public sealed record LocalReply(string Text, bool Private, System.Text.Json.Nodes.JsonObject? Card, bool IsError);

/// <summary>
/// The JSON API the local web chat page uses, documented in the README so scripts can drive the
/// local channel: people, messages, command posts, card actions and a server-sent event stream.
/// </summary>
public static class LocalChatEndpoints
{
    public static IEndpointRouteBuilder MapLocalChat(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/local");
        api.MapGet("/people", (Roster roster) =>
            TypedResults.Ok(roster.People.Select(p => new { name = p.Name, displayName = p.DisplayName, roles = p.Roles })));
        api.MapGet("/channel", (Microsoft.Extensions.Options.IOptions<DrBot.Runbooks.Policy.DrBotOptions> options) => TypedResults.Ok(new { name = options.Value.Channel }));
        api.MapGet("/messages", (LocalChatLog log) => TypedResults.Ok(log.Snapshot()));
        api.MapPost("/messages", PostMessageAsync);
        api.MapPost("/actions", PostActionAsync);
        api.MapGet("/events", StreamAsync);
        return app;
    }

    private static async Task<IResult> PostMessageAsync(LocalPostRequest request, Roster roster, LocalChatLog log, IChatInputHandler handler,
        Cards.IAdaptiveCardRenderer renderer, TimeProvider time, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(request.Text))
            return TypedResults.Problem("'text' is required: the command to run, e.g. \"/failover west-us\".", statusCode: 400);
        if (Resolve(request.User, roster) is not { } user)
            return UnknownUser(request.User, roster);
        log.Add(user.Person!.Name, time.GetUtcNow(), request.Text, null, null, null);
        var reply = await handler.HandleAsync(new ChatInput(LocalChannelAdapter.ChannelName, "local", null, user, request.Text, null, null), cancellationToken);
        return TypedResults.Ok(new { reply = Answer(reply, renderer) });
    }

    private static async Task<IResult> PostActionAsync(LocalActionRequest request, Roster roster, LocalChatLog log, IChatInputHandler handler,
        Cards.IAdaptiveCardRenderer renderer, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(request.Verb))
            return TypedResults.Problem("'verb' is required: the action of the clicked button (approve, reject, start-runbook, ack).", statusCode: 400);
        if (Resolve(request.User, roster) is not { } user)
            return UnknownUser(request.User, roster);
        if (request.MessageId is not null && log.Find(request.MessageId) is null)
            return TypedResults.Problem($"Message '{request.MessageId}' does not exist in the local channel.", statusCode: 404);
        var data = (request.Data ?? []).ToDictionary(kv => kv.Key, kv => kv.Value.ValueKind == JsonValueKind.String ? kv.Value.GetString() ?? "" : kv.Value.ToString());
        var action = new CardAction(request.Verb, data, request.MessageId);
        var reply = await handler.HandleAsync(new ChatInput(LocalChannelAdapter.ChannelName, "local", null, user, null, action, null), cancellationToken);
        return TypedResults.Ok(new { reply = Answer(reply, renderer) });
    }

    private static async Task StreamAsync(HttpContext context, LocalChatLog log, CancellationToken cancellationToken)
    {
        context.Response.Headers.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        var reader = log.Subscribe(cancellationToken);
        await context.Response.WriteAsync(": connected\n\n", cancellationToken);
        await context.Response.Body.FlushAsync(cancellationToken);
        try
        {
            await foreach (var message in reader.ReadAllAsync(cancellationToken))
            {
                await context.Response.WriteAsync($"event: message\ndata: {JsonSerializer.Serialize(message, JsonSerializerOptions.Web)}\n\n", cancellationToken);
                await context.Response.Body.FlushAsync(cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
            // the page went away
        }
    }

    // The page shows the answer under the command or card it answers. The clicked card itself is
    // updated in place for everyone through the outbox, so a copy of it in the answer only repeats it.
    // A private card (a typed approve's confirm button) is shown to the asker only, so it is no repeat.
    private static LocalReply Answer(ChatReply reply, Cards.IAdaptiveCardRenderer renderer) =>
        new(reply.Text, reply.Private, reply is { Private: true, IsError: false, Card: { } card } ? renderer.Render(card) : null, reply.IsError);

    private static ChatUser? Resolve(string? name, Roster roster) =>
        roster.ByName(name) is { } person ? new ChatUser(person.Name, person.DisplayName, person) : null;

    private static IResult UnknownUser(string? name, Roster roster) =>
        TypedResults.Problem($"Unknown user '{name}'. Act as one of: {string.Join(", ", roster.People.Select(p => p.Name))}.", statusCode: 400);
}
