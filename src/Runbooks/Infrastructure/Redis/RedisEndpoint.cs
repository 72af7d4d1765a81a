using System.Net;

namespace DrBot.Runbooks.Infrastructure.Redis;

/// <summary>Host and port of a StackExchange.Redis endpoint, as REPLICAOF wants them.</summary>
internal static class RedisEndpoint
{
    public static bool TryHostPort(EndPoint endpoint, out string host, out int port)
    {
        (host, port) = endpoint switch
        {
            DnsEndPoint d => (d.Host, d.Port == 0 ? 6379 : d.Port),
            IPEndPoint i => (i.Address.ToString(), i.Port == 0 ? 6379 : i.Port),
            _ => ("", 0),
        };
        return host.Length > 0;
    }
}
