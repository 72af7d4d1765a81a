namespace DrBot.Bot.Tests.Support;

/// <summary>The tests that share one <see cref="LiveServersFixture"/> (PostgreSQL pairs and Redis from tests/Support).</summary>
[CollectionDefinition(Name)]
public sealed class LiveServersCollection : ICollectionFixture<LiveServersFixture>
{
    public const string Name = "live servers";
}
