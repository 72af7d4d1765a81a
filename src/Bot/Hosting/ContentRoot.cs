namespace DrBot.Bot.Hosting;

/// <summary>
/// DrBot keeps one configuration file, <c>appsettings.json</c>, at the repository root. Run from a
/// checkout (<c>dotnet run --project src/Bot</c>, from any folder), the root is the folder holding
/// <c>DrBot.sln</c>; deployed, it is the folder of the binaries, where the build copies the file.
/// Relative paths in configuration (<c>data/drbot.db</c>) are relative to that root.
/// </summary>
public static class ContentRoot
{
    public static string Find()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "DrBot.sln")) && File.Exists(Path.Combine(dir.FullName, "appsettings.json")))
                    return dir.FullName;
            }
        }
        return AppContext.BaseDirectory;
    }
}
