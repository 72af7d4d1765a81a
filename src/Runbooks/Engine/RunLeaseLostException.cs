namespace DrBot.Runbooks.Engine;

/// <summary>
/// A save of a run was refused by its fence: another replica took the run's lease over (this one's
/// step outlived it) or saved a newer version. The replica stops executing the run and leaves it to
/// the holder or to recovery; nothing of the refused commit was written.
/// </summary>
public sealed class RunLeaseLostException(string runId, string replica)
    : Exception($"Run {runId}: replica {replica} no longer holds the run's lease (another replica took it over or saved a newer version); nothing was saved and the run is left to the holder.")
{
    public string RunId => runId;
}
