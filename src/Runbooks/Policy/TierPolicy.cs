using Microsoft.Extensions.Options;

namespace DrBot.Runbooks.Policy;

/// <summary>Service tiers (critical, important, non-critical) with their RTO/RPO targets and services.</summary>
public sealed class TierPolicy
{
    private readonly Dictionary<string, TierOptions> _tiers;

    public TierPolicy(IOptions<DrBotOptions> options)
        : this(options.Value)
    {
    }

    public TierPolicy(DrBotOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _tiers = new Dictionary<string, TierOptions>(
            options.Tiers.Count > 0 ? options.Tiers : DrBotOptionsDefaults.Create().Tiers,
            StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>Tier names, most demanding (shortest RTO) first.</summary>
    public IReadOnlyList<string> Names => _tiers.OrderBy(t => t.Value.Rto).Select(t => t.Key).ToList();

    public string ValidList => $"valid: {string.Join(", ", Names)}";

    public string? Normalize(string? tier) =>
        tier is null ? null : _tiers.Keys.FirstOrDefault(k => string.Equals(k, tier.Trim(), StringComparison.OrdinalIgnoreCase));

    public TierOptions? Find(string? tier) => Normalize(tier) is { } name ? _tiers[name] : null;

    public TierOptions Get(string tier) =>
        Find(tier) ?? throw new ArgumentException($"Unknown tier '{tier}' ({ValidList}).", nameof(tier));

    /// <summary>The tier holding <paramref name="service"/>, or null when no tier lists it.</summary>
    public string? TierOf(string service) =>
        _tiers.OrderBy(t => t.Value.Rto)
            .FirstOrDefault(t => t.Value.Services.Contains(service, StringComparer.OrdinalIgnoreCase)).Key;

    /// <summary>The most demanding tier among the services (an outage is measured against its strictest target), or null.</summary>
    public string? TierFor(IEnumerable<string> services) =>
        services.Select(TierOf).OfType<string>().OrderBy(t => _tiers[t].Rto).FirstOrDefault();

    public TimeSpan Rto(string tier) => Get(tier).Rto;

    public TimeSpan Rpo(string tier) => Get(tier).Rpo;
}
