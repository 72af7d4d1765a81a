using DrBot.Runbooks.Policy;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace DrBot.Runbooks.Tests.Policy;

/// <summary>A bad configuration stops the host at start with a message naming the key.</summary>
public sealed class DrBotOptionsValidationTests
{
    private static DrBotOptions Resolve(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        using var provider = new ServiceCollection().AddDrBotOptions(configuration).BuildServiceProvider();
        return provider.GetRequiredService<IOptions<DrBotOptions>>().Value;
    }

    private static string Rejection(Dictionary<string, string?> settings) =>
        Assert.Throws<OptionsValidationException>(() => Resolve(settings)).Message;

    [Fact]
    public void An_empty_configuration_gets_the_strategy_defaults_and_passes()
    {
        var options = Resolve([]);

        Assert.Equal(["P1", "P2", "P3", "P4"], options.Severities.Keys.Order());
        Assert.Equal(TimeSpan.FromMinutes(15), options.Severities["P1"].ResponseTime);
        Assert.Equal(["oncall", "lead"], options.Severities["p1"].Team);
        Assert.Equal(("cto", TimeSpan.FromMinutes(30), true), (options.Severities["P1"].EscalationTarget, options.Severities["P1"].EscalationDelay, options.Severities["P1"].WarRoom));
        Assert.Equal("engineering-lead", options.Severities["P2"].EscalationTarget);
        Assert.Equal(TimeSpan.FromHours(2), options.Severities["P3"].ResponseTime);
        Assert.Null(options.Severities["P4"].EscalationTarget);
        Assert.Equal((TimeSpan.FromMinutes(15), TimeSpan.FromMinutes(5)), (options.Tiers["critical"].Rto, options.Tiers["critical"].Rpo));
        Assert.Contains("frontend", options.Tiers["important"].Services);
        Assert.Equal(TimeSpan.FromHours(4), options.Tiers["non-critical"].Rto);
        Assert.Equal(("primary", "secondary", "backup"), (options.Regions["east-us"].Role, options.Regions["west-us"].Role, options.Regions["north-europe"].Role));
    }

    [Fact]
    public void The_shipped_appsettings_file_passes_validation()
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "appsettings.json")))
        {
            root = Path.GetDirectoryName(root) ?? throw new InvalidOperationException("appsettings.json not found above the test folder");
        }
        var configuration = new ConfigurationBuilder().AddJsonFile(Path.Combine(root, "appsettings.json")).Build();
        using var provider = new ServiceCollection().AddDrBotOptions(configuration).BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<DrBotOptions>>().Value;

        Assert.Equal(["lead"], options.People["bob"].Roles);
    }

    [Theory]
    [InlineData("DrBot:Severities:P2:Label", "High", "DrBot:Severities:P2:ResponseTime is missing")]
    [InlineData("DrBot:Severities:P1:ResponseTime", "-00:05:00", "DrBot:Severities:P1:ResponseTime must be greater than zero")]
    [InlineData("DrBot:Severities:P1:EscalationTarget", "ceo", "DrBot:Severities:P1:EscalationTarget: unknown role 'ceo'")]
    [InlineData("DrBot:Severities:P3:Team:0", "everyone", "DrBot:Severities:P3:Team:0: unknown role 'everyone'")]
    [InlineData("DrBot:Severities:Sev1:ResponseTime", "00:10:00", "DrBot:Severities:Sev1: 'Sev1' is not a severity name")]
    [InlineData("DrBot:People:bob:Roles:0", "leed", "DrBot:People:bob:Roles: unknown role 'leed' (valid: oncall, lead, cto, engineering-lead, primary-team)")]
    [InlineData("DrBot:Store:Provider", "Mongo", "DrBot:Store:Provider: unknown provider 'Mongo' (valid: LiteDb, Postgres)")]
    [InlineData("DrBot:Store:Provider", "Postgres", "DrBot:Store:Postgres:ConnectionString is missing")]
    [InlineData("DrBot:Store:LiteDb:Path", "", "DrBot:Store:LiteDb:Path is missing")]
    [InlineData("DrBot:Infrastructure:Mode", "Cloud", "DrBot:Infrastructure:Mode: unknown mode 'Cloud' (valid: Simulated, Live)")]
    [InlineData("DrBot:Infrastructure:SimulatedDelayFactor", "-1", "DrBot:Infrastructure:SimulatedDelayFactor must be between 0")]
    [InlineData("DrBot:Tiers:critical:Rpo", "00:00:00", "DrBot:Tiers:critical:Rpo is missing or not greater than zero")]
    [InlineData("DrBot:Regions:west-us:Database:ApplicationUrl", "Host=db-west;Database=app", "DrBot:Regions:west-us:Database:ApplicationUrl is not a PostgreSQL URL")]
    public void A_bad_value_is_rejected_naming_its_key(string key, string value, string expected)
    {
        var settings = new Dictionary<string, string?>
        {
            ["DrBot:Tiers:critical:Rto"] = "00:15:00",
            ["DrBot:Tiers:critical:Rpo"] = "00:05:00",
            ["DrBot:People:bob:Roles:0"] = "lead",
            [key] = value,
        };

        Assert.Contains(expected, Rejection(settings), StringComparison.Ordinal);
    }

    [Fact]
    public void Two_primaries_are_rejected_naming_both()
    {
        var message = Rejection(new()
        {
            ["DrBot:Regions:east-us:Role"] = "primary",
            ["DrBot:Regions:west-us:Role"] = "primary",
        });

        Assert.Contains("DrBot:Regions: 2 regions have Role primary (east-us, west-us)", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Regions_without_a_primary_or_with_an_unknown_role_are_rejected()
    {
        var message = Rejection(new()
        {
            ["DrBot:Regions:east-us:Role"] = "secondary",
            ["DrBot:Regions:west-us:Role"] = "standby",
        });

        Assert.Contains("DrBot:Regions: no region has Role primary", message, StringComparison.Ordinal);
        Assert.Contains("DrBot:Regions:west-us:Role: unknown role 'standby' (valid: primary, secondary, backup)", message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_region_named_twice_is_rejected_whatever_the_case()
    {
        var message = Rejection(new()
        {
            ["DrBot:Regions:east-us:Role"] = "primary",
            ["DrBot:Regions:east-us:DisplayName"] = "East US",
            ["DrBot:Regions:east-us-2:Role"] = "secondary",
            ["DrBot:Regions:east-us-2:DisplayName"] = "EAST us",
        });
        Assert.Contains("DrBot:Regions:east-us-2:DisplayName: 'EAST us' is already the display name of region 'east-us'", message, StringComparison.Ordinal);

        // Options built in code can hold keys that differ only in case.
        var options = DrBotOptionsDefaults.Create();
        options.Regions = new Dictionary<string, RegionOptions>(StringComparer.Ordinal)
        {
            ["east-us"] = new() { Role = "primary" },
            ["East-US"] = new() { Role = "secondary" },
        };
        var result = new DrBotOptionsValidator().Validate(null, options);
        Assert.True(result.Failed);
        Assert.Contains("DrBot:Regions:East-US: region 'East-US' is named twice (also as 'east-us')", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void One_platform_id_given_to_two_people_is_rejected()
    {
        var message = Rejection(new()
        {
            ["DrBot:People:bob:Roles:0"] = "lead",
            ["DrBot:People:bob:Slack"] = "U123",
            ["DrBot:People:mallory:Roles:0"] = "oncall",
            ["DrBot:People:mallory:Slack"] = "U123",
        });

        Assert.Contains("DrBot:People:mallory:Slack: user id 'U123' is also bob's", message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_service_in_two_tiers_is_rejected()
    {
        var message = Rejection(new()
        {
            ["DrBot:Tiers:critical:Rto"] = "00:15:00",
            ["DrBot:Tiers:critical:Rpo"] = "00:05:00",
            ["DrBot:Tiers:critical:Services:0"] = "core-api",
            ["DrBot:Tiers:important:Rto"] = "01:00:00",
            ["DrBot:Tiers:important:Rpo"] = "00:15:00",
            ["DrBot:Tiers:important:Services:0"] = "core-api",
        });

        Assert.Contains("DrBot:Tiers:important:Services: 'core-api' is already in tier 'critical'", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Status_interval_and_approval_expiry_out_of_range_are_rejected()
    {
        var message = Rejection(new()
        {
            ["DrBot:StatusUpdates:Interval"] = "00:00:00",
            ["DrBot:Approvals:Expiry"] = "30.00:00:00",
        });

        Assert.Contains("DrBot:StatusUpdates:Interval must be between 00:00:01 and 1.00:00:00 (got 00:00:00)", message, StringComparison.Ordinal);
        Assert.Contains("DrBot:Approvals:Expiry must be between", message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bad_configuration_stops_the_host_at_start()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["DrBot:Store:Provider"] = "Mongo" }).Build();
        using var provider = new ServiceCollection().AddDrBotOptions(configuration).BuildServiceProvider();

        // ValidateOnStart registers a startup validator that the host runs before it starts.
        var startup = provider.GetRequiredService<IStartupValidator>();

        var error = Assert.Throws<OptionsValidationException>(startup.Validate);
        Assert.Contains("DrBot:Store:Provider", error.Message, StringComparison.Ordinal);
    }
}
