using System.Net;

namespace DrBot.Bot.Channels.Local;

/// <summary>
/// When the local web chat runs and where it may be reached. It lets whoever reaches it act as
/// anyone on the roster, so it is on by default only with simulated infrastructure, listens on
/// loopback only, and serves only loopback Host names unless the operator says otherwise.
/// </summary>
public static class LocalChatSettings
{
    public const string EnabledKey = "DrBot:Local:Enabled";
    public const string AllowRemoteKey = "DrBot:Local:AllowRemote";
    public const string AllowedHostsKey = "DrBot:Local:AllowedHosts";

    /// <summary>On in Simulated mode unless turned off; in Live mode only when set to true explicitly.</summary>
    public static bool IsEnabled(IConfiguration configuration) =>
        configuration.GetValue<bool?>(EnabledKey) ?? !IsLive(configuration);

    public static bool IsLive(IConfiguration configuration) =>
        string.Equals(configuration["DrBot:Infrastructure:Mode"], "Live", StringComparison.OrdinalIgnoreCase);

    public static bool AllowRemote(IConfiguration configuration) => configuration.GetValue(AllowRemoteKey, false);

    /// <summary>Extra Host names served when remote access is allowed (the name people type in the browser).</summary>
    public static IReadOnlyList<string> AllowedHosts(IConfiguration configuration) =>
        configuration.GetSection(AllowedHostsKey).Get<string[]>() ?? [];

    public static bool IsLoopbackHost(string host)
    {
        var bare = host.Trim('[', ']');
        return string.Equals(bare, "localhost", StringComparison.OrdinalIgnoreCase)
            || IPAddress.TryParse(bare, out var address) && IPAddress.IsLoopback(address);
    }

    /// <summary>
    /// The addresses the host is configured to listen on (<c>Urls</c>, <c>--urls</c>,
    /// <c>ASPNETCORE_URLS</c>, <c>Kestrel:Endpoints:*:Url</c>) that are not loopback.
    /// </summary>
    public static IReadOnlyList<string> NonLoopbackBindings(IConfiguration configuration)
    {
        var urls = (configuration["urls"] ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Concat(configuration.GetSection("Kestrel:Endpoints").GetChildren().Select(e => e["Url"]).OfType<string>());
        return urls.Where(url => !IsLoopbackUrl(url)).ToList();
    }

    private static bool IsLoopbackUrl(string url)
    {
        // Wildcards (http://*:80, http://+:80) and anything unparsable count as "everywhere".
        var schemeEnd = url.IndexOf("://", StringComparison.Ordinal);
        var rest = schemeEnd < 0 ? url : url[(schemeEnd + 3)..];
        var authority = rest.Split('/')[0];
        var host = authority.StartsWith('[') ? authority[..(authority.IndexOf(']') + 1)] : authority.Split(':')[0];
        return host.Length > 0 && IsLoopbackHost(host);
    }
}
