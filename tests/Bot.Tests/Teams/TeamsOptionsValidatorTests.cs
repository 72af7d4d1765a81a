using DrBot.Bot.Channels.Teams;

namespace DrBot.Bot.Tests.Teams;

public sealed class TeamsOptionsValidatorTests
{
    private static readonly TeamsOptionsValidator Validator = new();

    [Fact]
    public void The_defaults_with_no_app_id_are_valid_and_leave_Teams_off()
    {
        Assert.True(Validator.Validate(null, new TeamsOptions()).Succeeded);
    }

    [Fact]
    public void A_plain_http_metadata_url_stops_the_bot_with_the_key_named()
    {
        var result = Validator.Validate(null, new TeamsOptions { OpenIdMetadataUrl = "http://login.botframework.com/v1/.well-known/openidconfiguration" });

        Assert.True(result.Failed);
        Assert.Contains("DrBot:Teams:OpenIdMetadataUrl", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void An_app_id_without_a_password_or_not_a_guid_is_refused()
    {
        var result = Validator.Validate(null, new TeamsOptions { AppId = "drbot" });

        Assert.True(result.Failed);
        Assert.Contains("not a GUID", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("DrBot:Teams:AppPassword", result.FailureMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("00:00:00")]
    [InlineData("00:00:15")]
    [InlineData("-00:00:01")]
    public void A_reply_budget_outside_Bot_Frameworks_wait_stops_the_bot_with_the_key_and_the_valid_range(string budget)
    {
        var result = Validator.Validate(null, new TeamsOptions { ReplyBudget = TimeSpan.Parse(budget, System.Globalization.CultureInfo.InvariantCulture) });

        Assert.True(result.Failed);
        Assert.Contains("DrBot:Teams:ReplyBudget", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("under 15 s", result.FailureMessage, StringComparison.Ordinal);
    }
}
