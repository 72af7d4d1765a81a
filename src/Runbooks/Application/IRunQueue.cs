namespace DrBot.Runbooks.Application;

/// <summary>
/// Where a started or decided run is handed to be advanced in the background (the host's run
/// dispatcher), so a command is answered at once and the steps report through the outbox.
/// </summary>
public interface IRunQueue
{
    void Enqueue(string runId);
}
