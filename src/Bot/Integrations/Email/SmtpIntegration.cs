using System.Net.Sockets;
using System.Text.Json;
using DrBot.Bot.Channels;
using DrBot.Runbooks.Outbox;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;

namespace DrBot.Bot.Integrations.Email;

/// <summary>
/// Sends the "email" outbox messages through SMTP (MailKit): to the From address, every subscriber
/// list as Bcc. A temporary refusal (4xx), a dropped connection or a timeout is retried by the
/// outbox; a permanent one (5xx: bad sender, relay denied, bad login) is logged and dropped.
/// </summary>
public sealed class SmtpIntegration(IOptions<CustomerNoticeOptions> options) : IOutboundIntegration, IIntegrationStatus
{
    private CustomerNoticeOptions Options => options.Value;

    public string Name => CustomerNotices.ChannelName;

    public string Describe() => Options.IsConfigured
        ? $"on: customer notices for {string.Join("/", Options.Severities)} by SMTP via {Options.SmtpHost}:{Options.SmtpPort} to {Options.Subscribers.Count} list(s)"
        : "not configured (DrBot:CustomerNotices:SmtpHost or Subscribers empty): no customer emails; the team informs customers itself";

    public async Task<DeliveryResult> DeliverAsync(OutboxMessage message, CancellationToken cancellationToken)
    {
        var notice = JsonSerializer.Deserialize<CustomerNotice>(message.Payload, CustomerNotices.Json)
            ?? throw new InvalidOperationException($"outbox message {message.Sequence} has no notice");
        if (!Options.IsConfigured)
            return DeliveryResult.Permanent("customer notices are no longer configured");
        var mail = new MimeMessage { Subject = notice.Subject, MessageId = notice.MessageId, Body = new TextPart("plain") { Text = notice.Body } };
        mail.From.Add(MailboxAddress.Parse(Options.From));
        mail.To.Add(MailboxAddress.Parse(Options.From));
        foreach (var subscriber in Options.Subscribers)
            mail.Bcc.Add(MailboxAddress.Parse(subscriber));
        try
        {
            using var smtp = new SmtpClient { Timeout = 30_000 };
            await smtp.ConnectAsync(Options.SmtpHost!, Options.SmtpPort, Security(), cancellationToken);
            if (!string.IsNullOrEmpty(Options.Username))
                await smtp.AuthenticateAsync(Options.Username, Options.Password ?? "", cancellationToken);
            var answer = await smtp.SendAsync(mail, cancellationToken);
            await smtp.DisconnectAsync(quit: true, cancellationToken);
            return DeliveryResult.Delivered(string.IsNullOrEmpty(answer) ? notice.MessageId : answer);
        }
        catch (SmtpCommandException ex) when ((int)ex.StatusCode >= 500)
        {
            return DeliveryResult.Permanent($"SMTP refused ({(int)ex.StatusCode}): {ex.Message}");
        }
        catch (AuthenticationException ex)
        {
            return DeliveryResult.Permanent($"SMTP login refused: {ex.Message}");
        }
        catch (Exception ex) when (ex is SmtpCommandException or SmtpProtocolException or SocketException or IOException or ServiceNotConnectedException or TimeoutException)
        {
            return DeliveryResult.Retry($"SMTP: {ex.Message}");
        }
    }

    private SecureSocketOptions Security() => Options.Security.ToLowerInvariant() switch
    {
        "none" => SecureSocketOptions.None,
        "sslonconnect" => SecureSocketOptions.SslOnConnect,
        _ => SecureSocketOptions.StartTls,
    };
}
