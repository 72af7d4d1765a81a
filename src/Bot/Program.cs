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
app.MapDrBot();
app.Run();

/// <summary>Visible to tests that host the bot in-process.</summary>
public partial class Program;
