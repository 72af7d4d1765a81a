using DrBot.Runbooks.Definitions;
using DrBot.Runbooks.Executors.Rehearsals;
using DrBot.Runbooks.Preflight;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace DrBot.Runbooks.Tests.Preflight;

public sealed class RehearsalCoverageTests
{
    [Fact]
    public void Every_executor_of_the_failover_runbooks_and_their_compensations_has_a_rehearsal()
    {
        var used = BuiltInRunbooks.All
            .Where(r => !BuiltInRunbooks.Validations.Contains(r.Name))
            .SelectMany(r => r.Steps.SelectMany(s => s.ParallelChecks.Append(s)))
            .SelectMany(s => new[] { s.Executor, s.Compensation })
            .OfType<string>()
            .Distinct(StringComparer.Ordinal);

        var missing = used.Except(StepRehearsalRegistration.BuiltInNames, StringComparer.Ordinal).ToList();

        Assert.Empty(missing);
    }

    [Theory]
    [InlineData("DrBot:Preflight:Interval", "00:00:00", "DrBot:Preflight:Interval must be a positive time span")]
    [InlineData("DrBot:Preflight:StepTimeout", "-00:00:01", "DrBot:Preflight:StepTimeout must be a positive time span")]
    public void A_bad_interval_is_refused_naming_the_key(string key, string value, string expected)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [key] = value }).Build();
        using var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddPreflight().BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<PreflightOptions>>().Value);

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }
}
