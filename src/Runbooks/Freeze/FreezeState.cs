namespace DrBot.Runbooks.Freeze;

/// <summary>
/// An active freeze: who froze and why. Kept in the store's key/value area under
/// <see cref="RunFreeze.Key"/>, so every replica sees it and a restart keeps it.
/// </summary>
public sealed record FreezeState(string By, string DisplayName, string Reason, DateTimeOffset At)
{
    /// <summary>The line every card shows while the freeze holds.</summary>
    public string Banner => $"❄ Frozen by {DisplayName}: {Reason} (since {At:HH:mm} UTC). No run starts or takes its next step until a lead types `unfreeze`.";

    /// <summary>The answer to a start refused by the freeze.</summary>
    public string StartRefusal => $"DrBot is frozen by {DisplayName}: {Reason} (since {At:HH:mm} UTC). No run starts until a lead types `unfreeze`.";
}
