namespace DrBot.Bot.Strategy;

/// <summary>
/// Absolute links to the bot's own pages for cards (a chat client opens them outside the bot):
/// <c>DrBot:PublicBaseUrl</c>, else the first address of <c>Urls</c>.
/// </summary>
public sealed class PublicLinks(IConfiguration configuration)
{
    public string BaseUrl { get; } = (configuration["DrBot:PublicBaseUrl"] is { Length: > 0 } configured
        ? configured
        : (configuration["Urls"] ?? "http://localhost:5080").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? "http://localhost:5080").TrimEnd('/');

    public string To(string path) => BaseUrl + "/" + path.TrimStart('/');
}
