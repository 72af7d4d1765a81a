using System.IO.Compression;
using System.Text.Json.Nodes;

namespace DrBot.TeamsPackage;

/// <summary>
/// Builds the Teams app package: a zip holding exactly <c>manifest.json</c>, <c>color.png</c> and
/// <c>outline.png</c>, ready to upload in Teams (Apps → Manage your apps → Upload an app). The
/// manifest's placeholder bot id (all zeros) is replaced by the bot's real app id.
/// </summary>
public static class TeamsAppPackage
{
    public const string PlaceholderBotId = "00000000-0000-0000-0000-000000000000";
    public static readonly IReadOnlyList<string> Entries = ["manifest.json", "color.png", "outline.png"];

    /// <summary>Writes freshly drawn icons beside the manifest.</summary>
    public static void WriteIcons(string manifestDirectory)
    {
        File.WriteAllBytes(Path.Combine(manifestDirectory, "color.png"), TeamsIcons.Color());
        File.WriteAllBytes(Path.Combine(manifestDirectory, "outline.png"), TeamsIcons.Outline());
    }

    /// <summary>Zips the manifest (with <paramref name="botAppId"/> filled in when given) and freshly drawn icons.</summary>
    public static void Create(string manifestDirectory, string zipPath, string? botAppId)
    {
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(manifestDirectory, "manifest.json")))?.AsObject()
            ?? throw new InvalidDataException("manifest.json is not a JSON object.");
        if (!string.IsNullOrWhiteSpace(botAppId))
        {
            if (!Guid.TryParse(botAppId, out var appId))
            {
                throw new ArgumentException($"The bot app id '{botAppId}' is not a GUID (Entra app registration → Application (client) ID).", nameof(botAppId));
            }

            foreach (var bot in manifest["bots"]?.AsArray() ?? [])
            {
                bot!["botId"] = appId.ToString("D");
            }
        }

        if (File.Exists(zipPath))
        {
            File.Delete(zipPath);
        }

        using var zip = ZipFile.Open(zipPath, ZipArchiveMode.Create);
        Add(zip, "manifest.json", System.Text.Encoding.UTF8.GetBytes(manifest.ToJsonString(new() { WriteIndented = true })));
        Add(zip, "color.png", TeamsIcons.Color());
        Add(zip, "outline.png", TeamsIcons.Outline());
    }

    private static void Add(ZipArchive zip, string name, byte[] content)
    {
        using var entry = zip.CreateEntry(name, CompressionLevel.Optimal).Open();
        entry.Write(content);
    }
}
