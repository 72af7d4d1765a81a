namespace DrBot.Runbooks.Infrastructure;

/// <summary>Whether more pods fit a namespace. <see cref="Fits"/> null: the API tells nothing (no quota set).</summary>
public sealed record ScaleCapacity(bool? Fits, string Detail);

/// <summary>A primary's WAL archiving. <see cref="Healthy"/> null: not known from here (managed service, unreachable).</summary>
public sealed record WalArchiving(bool? Healthy, string Detail);

/// <summary>
/// The read-only facts only the pre-flight needs, beyond what the other ports read: can the standby
/// scale, and does the primary archive its WAL. Nothing here changes any system.
/// </summary>
public interface IStandbyReadiness
{
    /// <summary>Whether <paramref name="extraPods"/> more pods fit the namespace's quota, where the API tells.</summary>
    Task<ScaleCapacity> GetScaleCapacityAsync(string region, string @namespace, int extraPods, CancellationToken cancellationToken);

    Task<WalArchiving> GetWalArchivingAsync(string region, CancellationToken cancellationToken);
}
