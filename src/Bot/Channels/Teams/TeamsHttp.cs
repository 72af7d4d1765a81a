namespace DrBot.Bot.Channels.Teams;

/// <summary>The named HttpClient every Teams call uses (metadata, keys, tokens, Connector).</summary>
public static class TeamsHttp
{
    public const string ClientName = "DrBot.Teams";
}
