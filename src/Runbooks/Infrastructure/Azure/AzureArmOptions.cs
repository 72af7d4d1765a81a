namespace DrBot.Runbooks.Infrastructure.Azure;

/// <summary>Azure Resource Manager access, bound from <c>DrBot:Azure</c>.</summary>
public sealed class AzureArmOptions
{
    public const string Section = "DrBot:Azure";

    /// <summary>ARM endpoint (sovereign clouds, or a local test server). Must be https: bearer tokens never travel in clear.</summary>
    public Uri ArmEndpoint { get; set; } = new("https://management.azure.com/");

    /// <summary>
    /// Where tokens are requested (Microsoft Entra authority host): sovereign clouds
    /// (<c>https://login.microsoftonline.us/</c>) or an authority inside an isolated network. Unset: the public cloud.
    /// </summary>
    public Uri? AuthorityHost { get; set; }

    /// <summary>
    /// Isolated network: no instance-discovery call to the public login endpoint, and no developer-tool
    /// credentials (CLI, PowerShell, Visual Studio) tried, so a token comes from the configured authority only
    /// (managed identity, workload identity or the <c>AZURE_*</c> service-principal variables) without stalling.
    /// </summary>
    public bool DisableInstanceDiscovery { get; set; }

    /// <summary>Token audience; the scope requested is <c>{Audience}/.default</c>.</summary>
    public string Audience { get; set; } = "https://management.azure.com/";

    /// <summary>Retries of a request answered 408/429/5xx or not answered (the shared classified retry policy, honouring Retry-After).</summary>
    public int MaxRetries { get; set; } = 4;

    /// <summary>First retry delay, doubled each time unless the server sends Retry-After.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Poll interval of long-running operations when the server does not send Retry-After.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a long-running operation (a replica promotion) may take.</summary>
    public TimeSpan OperationTimeout { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// Azure Database for PostgreSQL promote option: <c>planned</c> (waits for the replica to catch up;
    /// needs a reachable primary) or <c>forced</c> (promotes immediately, for a lost primary region).
    /// </summary>
    public string PostgresPromoteOption { get; set; } = "planned";
}
