using System.Security.Cryptography;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace DrBot.Bot.Tests.Teams.Support;

/// <summary>Bot Framework style tokens signed with the tests' own RSA keys.</summary>
public static class TestTokens
{
    public static string Create(
        RSA key,
        string kid,
        string audience,
        string serviceUrl,
        string issuer = BotFrameworkStandIn.Issuer,
        TimeSpan? expiresIn = null,
        bool includeServiceUrl = true)
    {
        var now = TimeProvider.System.GetUtcNow();
        var expires = now + (expiresIn ?? TimeSpan.FromHours(1));
        var claims = new Dictionary<string, object> { ["appid"] = audience };
        if (includeServiceUrl)
        {
            claims["serviceurl"] = serviceUrl;
        }

        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            IssuedAt = (expires - TimeSpan.FromHours(1)).UtcDateTime,
            NotBefore = (expires - TimeSpan.FromHours(1)).UtcDateTime,
            Expires = expires.UtcDateTime,
            Claims = claims,
            SigningCredentials = new SigningCredentials(new RsaSecurityKey(key) { KeyId = kid }, SecurityAlgorithms.RsaSha256),
        };
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(descriptor);
    }
}
