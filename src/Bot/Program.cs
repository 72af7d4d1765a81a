using DrBot.Bot.Hosting;

var contentRoot = ContentRoot.Find();
// Relative paths in configuration (data/drbot.db) mean the same thing from any working folder.
Directory.SetCurrentDirectory(contentRoot);
var builder = WebApplication.CreateBuilder(new WebApplicationOptions
{
    Args = args,
    ContentRootPath = contentRoot,
    WebRootPath = WebRoot.Find(contentRoot),
});
builder.Services.AddDrBotHost(builder.Configuration);

var app = builder.Build();
if (DrBot.Bot.Audit.AuditCli.Matches(args))
    return await DrBot.Bot.Audit.AuditCli.RunAsync(args, app.Services, Console.Out, Console.Error, CancellationToken.None);
app.MapDrBot();
await app.RunAsync();
return 0;

/// <summary>Visible to tests that host the bot in-process.</summary>
public partial class Program;
