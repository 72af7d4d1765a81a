using System.Globalization;
using Npgsql;

namespace DrBot.Runbooks.Infrastructure.Postgres;

/// <summary>
/// <c>postgresql://user:password@host:port/database?sslmode=require</c> (the libpq URI form applications
/// are given) as an Npgsql connection string, so the bot can connect with exactly what the application gets.
/// </summary>
public static class PostgresUrl
{
    public static string ToConnectionString(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("postgresql" or "postgres"))
            throw new FormatException("expected postgresql://[user[:password]@]host[:port]/database");
        var b = new NpgsqlConnectionStringBuilder
        {
            Host = uri.Host,
            Port = uri.IsDefaultPort || uri.Port <= 0 ? 5432 : uri.Port,
            Database = Uri.UnescapeDataString(uri.AbsolutePath.Trim('/')) is { Length: > 0 } db ? db : "postgres",
            Pooling = false,
            Timeout = 5,
            ApplicationName = "drbot-url-check",
        };
        if (uri.UserInfo.Length > 0)
        {
            var parts = uri.UserInfo.Split(':', 2);
            b.Username = Uri.UnescapeDataString(parts[0]);
            if (parts.Length > 1) b.Password = Uri.UnescapeDataString(parts[1]);
        }
        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var kv = pair.Split('=', 2);
            if (kv[0] == "sslmode" && kv.Length == 2 && Enum.TryParse<SslMode>(kv[1], ignoreCase: true, out var mode)) b.SslMode = mode;
        }
        return b.ConnectionString;
    }

    /// <summary>host:port/database, never the password.</summary>
    public static string Describe(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri)
            ? string.Create(CultureInfo.InvariantCulture, $"{uri.Host}:{(uri.IsDefaultPort || uri.Port <= 0 ? 5432 : uri.Port)}{uri.AbsolutePath}")
            : "(unparsable URL)";
}
