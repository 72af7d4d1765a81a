using Microsoft.Extensions.Options;

namespace DrBot.Bot.Channels.Teams;

/// <summary>
/// Stops the bot at start when a Teams address is malformed, rather than at the first alert.
/// An empty app id is valid: Teams is then simply off (every inbound call is refused).
/// </summary>
public sealed class TeamsOptionsValidator : IValidateOptions<TeamsOptions>
{
    public ValidateOptionsResult Validate(string? name, TeamsOptions options)
    {
        var errors = new List<string>();
        RequireHttps(errors, "DrBot:Teams:OpenIdMetadataUrl", options.OpenIdMetadataUrl, required: true);
        RequireHttps(errors, "DrBot:Teams:Authority", options.Authority, required: true);
        RequireHttps(errors, "DrBot:Teams:ServiceUrl", options.ServiceUrl, required: false);
        if (!string.IsNullOrWhiteSpace(options.AppId) && !Guid.TryParse(options.AppId, out _))
        {
            errors.Add($"DrBot:Teams:AppId '{options.AppId}' is not a GUID: use the app registration's Application (client) ID.");
        }

        if (!string.IsNullOrWhiteSpace(options.AppId) && string.IsNullOrWhiteSpace(options.AppPassword))
        {
            errors.Add("DrBot:Teams:AppPassword is empty: the bot needs its client secret to post to Teams.");
        }

        if (options.ReplyBudget <= TimeSpan.Zero || options.ReplyBudget >= TimeSpan.FromSeconds(15))
        {
            errors.Add($"DrBot:Teams:ReplyBudget is {options.ReplyBudget}: it must be more than 0 and under 15 s (Bot Framework's wait), e.g. 00:00:10.");
        }

        if (options.ValidIssuers.Any(string.IsNullOrWhiteSpace))
        {
            errors.Add("DrBot:Teams:ValidIssuers holds an empty entry.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void RequireHttps(List<string> errors, string key, string value, bool required)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            if (required)
            {
                errors.Add($"{key} is empty: it must be an absolute https URL.");
            }

            return;
        }

        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttps)
        {
            errors.Add($"{key} '{value}' is not an absolute https URL.");
        }
    }
}
