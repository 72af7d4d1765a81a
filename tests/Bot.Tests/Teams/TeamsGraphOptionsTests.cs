using DrBot.Bot.Channels.Teams;
using DrBot.Bot.Channels.Teams.Graph;
using Microsoft.Extensions.Options;

namespace DrBot.Bot.Tests.Teams;

public sealed class TeamsGraphOptionsTests
{
    private static TeamsGraphOptionsValidator Validator(TeamsOptions teams) => new(Options.Create(teams));

    [Fact]
    public void Graph_off_is_valid_and_on_it_borrows_the_bot_registration()
    {
        Assert.True(Validator(new TeamsOptions()).Validate(null, new TeamsGraphOptions()).Succeeded);
        var teams = new TeamsOptions { AppId = "6b1f3c2e-8d4a-4b7e-9c1a-2f5d7e9a0b3c", AppPassword = "secret", TenantId = "contoso.onmicrosoft.com" };
        var graph = new TeamsGraphOptions { TeamId = "5f2b6a3c-1d4e-4f70-9a8b-7c6d5e4f3a2b" };

        Assert.True(Validator(teams).Validate(null, graph).Succeeded);
        Assert.Equal(("contoso.onmicrosoft.com", teams.AppId, "secret"), GraphTokens.Credentials(graph, teams));
        Assert.Equal("https://graph.microsoft.com/.default", graph.Scope);
    }

    [Fact]
    public void A_team_without_credentials_or_with_a_common_tenant_or_plain_http_stops_the_bot_naming_the_keys()
    {
        var result = Validator(new TeamsOptions { TenantId = "common" }).Validate(null, new TeamsGraphOptions
        {
            TeamId = "5f2b6a3c-1d4e-4f70-9a8b-7c6d5e4f3a2b",
            BaseUrl = new Uri("http://graph.internal/v1.0/"),
        });

        Assert.True(result.Failed);
        foreach (var key in new[] { "DrBot:Teams:Graph:TenantId", "DrBot:Teams:Graph:ClientId", "DrBot:Teams:Graph:ClientSecret", "DrBot:Teams:Graph:BaseUrl" })
            Assert.Contains(key, result.FailureMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("INC-0001", "INC-0001 East US is down", "INC-0001 East US is down")]
    [InlineData("INC-0002", "db/east: 50% errors? \"yes\"", "INC-0002 db east 50 errors yes")]
    [InlineData("INC-0003", "INC-0003 ..a very long title that goes on and on past fifty characters.", "INC-0003 .a very long title that goes on and on pa")]
    public void Channel_names_follow_the_Teams_rules(string incident, string title, string expected)
    {
        var name = TeamsChannelName.For(incident, title);

        Assert.Equal(expected, name);
        Assert.True(name.Length <= TeamsChannelName.MaxLength);
    }
}
