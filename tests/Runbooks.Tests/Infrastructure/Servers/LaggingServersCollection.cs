namespace DrBot.Runbooks.Tests.Infrastructure.Servers;

/// <summary>
/// Servers of their own for the test that must wait for real replication lag to build up (over a
/// minute): in a collection of its own it waits alongside the other collections, not before them.
/// </summary>
[CollectionDefinition(Name)]
public sealed class LaggingServersCollection : ICollectionFixture<LiveServersFixture>
{
    public const string Name = "live servers with lag";
}
