using System.Text;
using DrBot.Bot.Channels.Slack;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace DrBot.Bot.Tests.Slack;

public class SlackSignatureVerifierTests
{
    // Slack's published example (PROTOCOLS.md).
    private const string Secret = "8f742231b10e8888abcd99yyyzzz85a5";
    private const string Timestamp = "1531420618";
    private const string Signature = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503";
    private const string Body = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";

    private static readonly byte[] RawBody = Encoding.UTF8.GetBytes(Body);

    private static SlackSignatureVerifier Verifier(TimeProvider time, string secret = Secret) =>
        new(Options.Create(new SlackOptions { SigningSecret = secret }), time);

    private static FakeTimeProvider At(long unixSeconds) => new(DateTimeOffset.FromUnixTimeSeconds(unixSeconds));

    [Fact]
    public void Slacks_published_example_is_valid_at_its_own_time()
    {
        Assert.Equal(SlackSignatureCheck.Valid, Verifier(At(1531420618)).Verify(Timestamp, Signature, RawBody));
        Assert.Equal(Signature, SlackSignatureVerifier.Sign(Secret, Timestamp, RawBody));
    }

    [Fact]
    public void Slacks_published_example_is_refused_as_a_replay_today()
    {
        Assert.Equal(SlackSignatureCheck.StaleTimestamp, Verifier(TimeProvider.System).Verify(Timestamp, Signature, RawBody));
    }

    [Theory]
    [InlineData(-300, SlackSignatureCheck.Valid)]
    [InlineData(300, SlackSignatureCheck.Valid)]
    [InlineData(301, SlackSignatureCheck.StaleTimestamp)]
    [InlineData(-301, SlackSignatureCheck.StaleTimestamp)]
    [InlineData(360, SlackSignatureCheck.StaleTimestamp)]
    public void The_timestamp_must_be_within_five_minutes_either_way(long secondsLater, SlackSignatureCheck expected)
    {
        Assert.Equal(expected, Verifier(At(1531420618 + secondsLater)).Verify(Timestamp, Signature, RawBody));
    }

    [Fact]
    public void Another_secret_does_not_match()
    {
        Assert.Equal(SlackSignatureCheck.SignatureMismatch, Verifier(At(1531420618), "another-secret").Verify(Timestamp, Signature, RawBody));
    }

    [Fact]
    public void An_altered_body_does_not_match()
    {
        var altered = Encoding.UTF8.GetBytes(Body.Replace("roadrunner", "wilecoyote", StringComparison.Ordinal));
        Assert.Equal(SlackSignatureCheck.SignatureMismatch, Verifier(At(1531420618)).Verify(Timestamp, Signature, altered));
    }

    [Fact]
    public void No_secret_configured_refuses_even_a_correct_signature()
    {
        Assert.Equal(SlackSignatureCheck.NoSecretConfigured, Verifier(At(1531420618), "").Verify(Timestamp, Signature, RawBody));
    }

    [Theory]
    [InlineData(null, Signature, SlackSignatureCheck.MissingHeaders)]
    [InlineData(Timestamp, null, SlackSignatureCheck.MissingHeaders)]
    [InlineData("", "", SlackSignatureCheck.MissingHeaders)]
    [InlineData("15314206l8", Signature, SlackSignatureCheck.MalformedTimestamp)]
    [InlineData(Timestamp, "v1=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503", SlackSignatureCheck.MalformedSignature)]
    [InlineData(Timestamp, "v0=zz", SlackSignatureCheck.MalformedSignature)]
    [InlineData(Timestamp, "v0=a2114d57", SlackSignatureCheck.SignatureMismatch)]
    public void Missing_or_malformed_headers_are_refused(string? timestamp, string? signature, SlackSignatureCheck expected)
    {
        Assert.Equal(expected, Verifier(At(1531420618)).Verify(timestamp, signature, RawBody));
    }
}
