using Azure;
using Azure.Identity;

namespace DrBot.Runbooks.Infrastructure.Azure;

/// <summary>Exceptions of the ARM pipeline turned into step outcomes.</summary>
internal static class ArmFailures
{
    public static bool IsArmFailure(Exception e) =>
        e is RequestFailedException or AuthenticationFailedException or CredentialUnavailableException or IOException
            or HttpRequestException or InvalidOperationException;

    public static InfraActionResult From(string what, Exception e) => e switch
    {
        CredentialUnavailableException or AuthenticationFailedException =>
            InfraActionResult.Failed($"{what}: no Azure token ({e.GetType().Name}); configure a managed identity, workload identity or service principal for DefaultAzureCredential."),
        RequestFailedException { Status: 401 or 403 or 404 } r => new ArmResult(r.Status, null, r.ErrorCode, r.Message).ToFailure(what),
        InvalidOperationException => InfraActionResult.Failed($"{what}: {e.Message}"),
        _ => InfraActionResult.Failed($"{what}: Azure Resource Manager unreachable ({e.Message}).", transient: true),
    };
}
