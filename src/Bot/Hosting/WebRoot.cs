namespace DrBot.Bot.Hosting;

/// <summary>The local web chat's static files: the source folder in a checkout, the copied folder when deployed.</summary>
public static class WebRoot
{
    public static string Find(string contentRoot)
    {
        var source = Path.Combine(contentRoot, "src", "Bot", "wwwroot");
        return Directory.Exists(source) ? source : Path.Combine(AppContext.BaseDirectory, "wwwroot");
    }
}
