using System.IO.Compression;
using System.Text.Json.Nodes;
using DrBot.Bot.Channels.Teams.Package;
using DrBot.Bot.Tests.Support;
using NJsonSchema;

namespace DrBot.Bot.Tests.Teams;

/// <summary>The Teams app manifest against the official v1.17 schema, and the package the project builds.</summary>
public sealed class TeamsManifestTests
{
    private static readonly string ManifestDirectory = Path.GetDirectoryName(RepoPaths.Existing(Path.Combine("manifests", "teams", "manifest.json")))!;

    [Fact]
    public async Task The_manifest_validates_against_the_Teams_schema_of_its_declared_version()
    {
        var manifestText = await File.ReadAllTextAsync(Path.Combine(ManifestDirectory, "manifest.json"));
        var manifest = JsonNode.Parse(manifestText)!;
        Assert.Equal("1.17", (string?)manifest["manifestVersion"]);
        Assert.Equal("https://developer.microsoft.com/json-schemas/teams/v1.17/MicrosoftTeams.schema.json", (string?)manifest["$schema"]);

        var schemaPath = RepoPaths.Schema("teams-manifest-v1.17.schema.json");
        var schema = await JsonSchema.FromFileAsync(schemaPath);
        var errors = schema.Validate(manifestText);

        Assert.True(errors.Count == 0, string.Join(Environment.NewLine, errors.Select(e => $"{e.Path}: {e.Kind}")));
    }

    [Fact]
    public async Task The_schema_check_really_rejects_a_broken_manifest()
    {
        var manifest = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(ManifestDirectory, "manifest.json")))!;
        manifest["accentColor"] = "red";
        manifest["bots"]![0]!["scopes"] = new JsonArray("everywhere");

        var schema = await JsonSchema.FromFileAsync(RepoPaths.Schema("teams-manifest-v1.17.schema.json"));

        Assert.NotEmpty(schema.Validate(manifest.ToJsonString()));
    }

    [Fact]
    public async Task The_bot_offers_its_commands_in_team_personal_and_group_chat_scopes()
    {
        var bot = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(ManifestDirectory, "manifest.json")))!["bots"]![0]!;
        var scopes = bot["scopes"]!.AsArray().Select(s => (string?)s).ToList();
        var commands = bot["commandLists"]![0]!["commands"]!.AsArray().Select(c => (string?)c!["title"]).ToList();

        Assert.Equal(["team", "personal", "groupChat"], scopes);
        Assert.Subset(commands.ToHashSet(), new HashSet<string?> { "failover", "incident", "runbook", "runbooks", "approve", "help" });
        Assert.Equal(TeamsAppPackage.PlaceholderBotId, (string?)bot["botId"]);
    }

    [Fact]
    public void The_package_holds_exactly_the_manifest_and_two_icons_of_the_right_sizes()
    {
        var zipPath = Path.Combine(Path.GetTempPath(), $"drbot-teams-{Guid.NewGuid():N}.zip");
        const string appId = "6b1f3c2e-8d4a-4b7e-9c1a-2f5d7e9a0b3c";
        try
        {
            TeamsAppPackage.Create(ManifestDirectory, zipPath, appId);

            using var zip = ZipFile.OpenRead(zipPath);
            Assert.Equal(["color.png", "manifest.json", "outline.png"], zip.Entries.Select(e => e.FullName).Order(StringComparer.Ordinal));
            Assert.Equal((192, 192), PngEncoder.ReadSize(Read(zip, "color.png")));
            Assert.Equal((32, 32), PngEncoder.ReadSize(Read(zip, "outline.png")));
            var manifest = JsonNode.Parse(Read(zip, "manifest.json"))!;
            Assert.Equal(appId, (string?)manifest["bots"]![0]!["botId"]);
        }
        finally
        {
            File.Delete(zipPath);
        }
    }

    [Fact]
    public void A_bot_app_id_that_is_not_a_guid_is_refused_with_a_clear_message()
    {
        var zipPath = Path.Combine(Path.GetTempPath(), $"drbot-teams-{Guid.NewGuid():N}.zip");

        var error = Assert.Throws<ArgumentException>(() => TeamsAppPackage.Create(ManifestDirectory, zipPath, "my-bot"));

        Assert.Contains("not a GUID", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(zipPath));
    }

    [Fact]
    public void The_outline_icon_is_only_white_on_transparency_and_the_color_icon_is_opaque()
    {
        var outline = Pixels(TeamsIcons.Outline(), 32);
        var color = Pixels(TeamsIcons.Color(), 192);

        for (var i = 0; i < outline.Length; i += 4)
        {
            Assert.True(outline[i + 3] == 0 || (outline[i] == 255 && outline[i + 1] == 255 && outline[i + 2] == 255), $"outline pixel {i / 4} is coloured");
        }

        Assert.Contains(outline.Where((_, i) => i % 4 == 3), a => a == 255);
        Assert.All(color.Where((_, i) => i % 4 == 3), a => Assert.Equal(255, a));
    }

    [Fact]
    public void The_committed_icons_are_the_sizes_Teams_requires()
    {
        Assert.Equal((192, 192), PngEncoder.ReadSize(File.ReadAllBytes(Path.Combine(ManifestDirectory, "color.png"))));
        Assert.Equal((32, 32), PngEncoder.ReadSize(File.ReadAllBytes(Path.Combine(ManifestDirectory, "outline.png"))));
    }

    /// <summary>Decodes the single IDAT of an unfiltered RGBA PNG written by <see cref="PngEncoder"/>.</summary>
    private static byte[] Pixels(byte[] png, int size)
    {
        var offset = 8;
        using var idat = new MemoryStream();
        while (offset < png.Length)
        {
            var length = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(offset));
            var type = System.Text.Encoding.ASCII.GetString(png, offset + 4, 4);
            if (type == "IDAT")
            {
                idat.Write(png, offset + 8, length);
            }

            offset += 12 + length;
        }

        idat.Position = 0;
        using var zlib = new ZLibStream(idat, CompressionMode.Decompress);
        using var raw = new MemoryStream();
        zlib.CopyTo(raw);
        var rows = raw.ToArray();
        var pixels = new byte[size * size * 4];
        for (var y = 0; y < size; y++)
        {
            Assert.Equal(0, rows[y * (size * 4 + 1)]);
            Array.Copy(rows, y * (size * 4 + 1) + 1, pixels, y * size * 4, size * 4);
        }

        return pixels;
    }

    private static byte[] Read(ZipArchive zip, string name)
    {
        using var stream = zip.GetEntry(name)!.Open();
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
