using DrBot.TeamsPackage;

// Usage: TeamsPackage <manifest directory> <output zip> [bot app id]
// Redraws color.png and outline.png beside the manifest, then zips the three files.
if (args.Length is < 2 or > 3)
{
    Console.Error.WriteLine("usage: TeamsPackage <manifest directory> <output zip> [bot app id (GUID)]");
    return 2;
}

var manifestDirectory = Path.GetFullPath(args[0]);
var zipPath = Path.GetFullPath(args[1]);
var appId = args.Length == 3 ? args[2] : null;
try
{
    TeamsAppPackage.WriteIcons(manifestDirectory);
    Directory.CreateDirectory(Path.GetDirectoryName(zipPath)!);
    TeamsAppPackage.Create(manifestDirectory, zipPath, appId);
}
catch (Exception e) when (e is ArgumentException or IOException or InvalidDataException or UnauthorizedAccessException)
{
    Console.Error.WriteLine(e.Message);
    return 1;
}

Console.WriteLine(string.IsNullOrWhiteSpace(appId)
    ? $"Wrote {zipPath} with the placeholder bot id {TeamsAppPackage.PlaceholderBotId}: pass the app id to upload it."
    : $"Wrote {zipPath} for bot {appId}.");
return 0;
