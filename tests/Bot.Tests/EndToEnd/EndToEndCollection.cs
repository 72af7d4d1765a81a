namespace DrBot.Bot.Tests.EndToEnd;

/// <summary>The end-to-end tests start bot processes and a browser: one at a time on a 2-core machine.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class EndToEndCollection
{
    public const string Name = "end-to-end";
}
