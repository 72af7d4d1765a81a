namespace DrBot.Runbooks.Tests.Infrastructure.Servers;

/// <summary>Tests against local HTTP servers (Kubernetes API, ARM, health endpoints); each test starts its own.</summary>
[CollectionDefinition(Name)]
public sealed class HttpFakesCollection
{
    public const string Name = "local http fakes";
}
