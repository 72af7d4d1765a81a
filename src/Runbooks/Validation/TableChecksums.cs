using Npgsql;

namespace DrBot.Runbooks.Validation;

/// <summary>A table's row count and content checksum (md5 over its rows as text, in a fixed order).</summary>
public sealed record TableChecksum(string Table, long Rows, string Checksum);

public static class TableChecksums
{
    /// <summary>Checksums of <paramref name="tables"/> on one connection (callers open a REPEATABLE READ transaction for one snapshot).</summary>
    public static async Task<IReadOnlyList<TableChecksum>> ComputeAsync(NpgsqlConnection connection, IReadOnlyList<string> tables, CancellationToken cancellationToken)
    {
        var results = new List<TableChecksum>();
        foreach (var table in tables)
        {
            var name = Quote(table);
            await using var command = new NpgsqlCommand($"SELECT count(*), coalesce(md5(string_agg(t::text, E'\\n' ORDER BY t::text)), '') FROM {name} t", connection);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            results.Add(new TableChecksum(table, reader.GetInt64(0), reader.GetString(1)));
        }
        return results;
    }

    /// <summary><c>schema.table</c> as quoted identifiers; anything else is refused (the names come from configuration).</summary>
    public static string Quote(string table)
    {
        var parts = table.Split('.');
        if (parts.Length is < 1 or > 2 || parts.Any(p => p.Length == 0 || !p.All(c => char.IsLetterOrDigit(c) || c == '_')))
            throw new ArgumentException($"'{table}' is not a table name (schema.table, letters, digits and _ only).", nameof(table));
        return string.Join('.', parts.Select(p => $"\"{p}\""));
    }
}
