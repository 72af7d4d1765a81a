namespace DrBot.Runbooks.Infrastructure.Live;

/// <summary>A region lacks the configuration key an adapter needs: a permanent failure, never retried.</summary>
public sealed class InfrastructureNotConfiguredException(string message) : InvalidOperationException(message);
