namespace DrBot.Runbooks.Storage.Postgres;

public sealed partial class PostgresStore
{
    /// <summary>
    /// One transaction. The claims go in with <c>ON CONFLICT DO NOTHING</c>: fewer rows back than keys
    /// sent means another writer (or a repeat in the list) holds one, and everything is rolled back.
    /// A concurrent writer of the same key waits on the unique index until this commit ends. Each run
    /// is saved fenced (<see cref="TrySaveRunAsync"/>): a fence that does not hold rolls everything back too.
    /// </summary>
    public Task<bool> TryCommitAsync(StoreCommit commit, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var sent = false;
        var savedAt = SavedAt();
        return Run("commit", async connection =>
        {
            // A retry after the connection broke during COMMIT: if the runs are stored as written, the
            // commit landed, and sending it again would answer false (its claims) or enqueue twice.
            if (sent && commit.Runs.Count > 0 && await RunsStoredAsync(connection, commit.Runs, cancellationToken))
            {
                return true;
            }
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            if (commit.Releases.Count > 0)
            {
                await Execute(connection, cancellationToken, "DELETE FROM drbot_idempotency_keys WHERE key = ANY($1::text[])",
                    [commit.Releases.ToArray()]); // one argument, the array (not the array spread as the arguments)
            }
            if (commit.Claims.Count > 0)
            {
                var inserted = await Query(connection, cancellationToken, r => r.GetString(0), """
                    INSERT INTO drbot_idempotency_keys (key, at) SELECT k, $2 FROM unnest($1::text[]) AS k
                    ON CONFLICT (key) DO NOTHING RETURNING key
                    """, commit.Claims.ToArray(), Ticks(at));
                if (inserted.Count != commit.Claims.Count)
                {
                    await transaction.RollbackAsync(cancellationToken);
                    return false;
                }
            }
            foreach (var run in commit.Runs)
            {
                if (!await TrySaveRunAsync(connection, run, commit.RunOwner, savedAt, cancellationToken))
                {
                    await transaction.RollbackAsync(cancellationToken);
                    return false;
                }
            }
            if (commit.Journal.Count > 0)
            {
                await Execute(connection, cancellationToken, """
                    INSERT INTO drbot_journal (run_id, step_id, attempt, phase, json)
                    SELECT * FROM unnest($1::text[], $2::text[], $3::integer[], $4::text[], $5::text[])
                    ON CONFLICT ON CONSTRAINT drbot_journal_once DO NOTHING
                    """, commit.Journal.Select(j => j.RunId).ToArray(), commit.Journal.Select(j => j.StepId).ToArray(),
                    commit.Journal.Select(j => j.Attempt).ToArray(), commit.Journal.Select(j => j.Phase.ToString()).ToArray(),
                    commit.Journal.Select(StoreJson.Write).ToArray());
            }
            var values = commit.LastValues();
            if (values.Count > 0)
            {
                // DO UPDATE may not touch a row twice in one statement: LastValues has each key once.
                await Execute(connection, cancellationToken, """
                    INSERT INTO drbot_values (key, value, expires_at) SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[])
                    ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, expires_at = EXCLUDED.expires_at
                    """, values.Select(v => v.Key).ToArray(), values.Select(v => v.Value).ToArray(), values.Select(v => commit.ExpiryTicks(v.Key)).ToArray());
            }
            foreach (var message in commit.Messages)
            {
                await InsertOutboxAsync(connection, message, cancellationToken);
            }
            sent = true;
            await transaction.CommitAsync(cancellationToken);
            return true;
        }, cancellationToken);
    }
}
