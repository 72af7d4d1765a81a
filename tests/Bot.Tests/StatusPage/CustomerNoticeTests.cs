using DrBot.Bot.Channels;
using DrBot.Bot.Outbox;
using DrBot.Bot.Tests.Deploy.Support;
using DrBot.Bot.Tests.Support;
using DrBot.Runbooks.People;
using MimeKit;

namespace DrBot.Bot.Tests.StatusPage;

/// <summary>Customer emails for P1/P2 through the outbox and MailKit, received by Debian's aiosmtpd into a Maildir.</summary>
public sealed class CustomerNoticeTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task P1_and_p2_notices_carry_only_public_text_and_p3_sends_nothing()
    {
        var maildir = Path.Combine(Directory.CreateTempSubdirectory("drbot-maildir-").FullName, "box"); // aiosmtpd creates it with new/, cur/, tmp/
        var port = ChildProcess.FreePort();
        using var smtp = ServiceProcess.Start("/usr/bin/python3", ["-m", "aiosmtpd", "-n", "-l", $"127.0.0.1:{port}", "-c", "aiosmtpd.handlers.Mailbox", maildir]);
        await WaitListeningAsync(port, smtp);
        await using var bot = InProcessBot.Create(settings: new Dictionary<string, string?>
        {
            ["DrBot:CustomerNotices:SmtpHost"] = "127.0.0.1",
            ["DrBot:CustomerNotices:SmtpPort"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["DrBot:CustomerNotices:Security"] = "None",
            ["DrBot:CustomerNotices:From"] = "status@shop.example",
            ["DrBot:CustomerNotices:Subscribers:0"] = "customers@lists.shop.example",
            ["DrBot:CustomerNotices:StatusPageUrl"] = "https://status.shop.example/status",
        });
        var router = bot.Get<IChatInputHandler>();
        Task<ChatReply> Say(string text) => router.HandleAsync(new ChatInput("local", "local", null, new ChatUser("alice", "alice", bot.Get<Roster>().ByName("alice")), text, null, null), None);
        var dispatcher = bot.New<OutboxDispatcher>();

        await Say("incident open P3 reporting job slow on backup-host-7");
        bot.Time.Advance(TimeSpan.FromMinutes(1)); // the P1 is the latest incident: the one the commands below act on
        await Say("incident open P1 db-east-01 in east-us is down");
        await Say("incident update --public Traffic is moving to our standby site.");
        await Say("incident resolve");
        for (var round = 0; round < 20 && await dispatcher.DeliverDueAsync(None) > 0; round++) { }

        var mails = Directory.GetFiles(Path.Combine(maildir, "new")).Select(f => MimeMessage.Load(f)).OrderBy(m => m.Date).ThenBy(m => m.Subject).ToList();
        var email = (await bot.Store.ListOutboxAsync(undeliveredOnly: false, None)).Where(m => m.Channel == "email").ToList();
        Assert.True(mails.Count == 3, $"P1 opened, public update, resolved; nothing for the P3. Outbox: {string.Join("; ", email.Select(m => $"{m.PostKey} delivered={m.DeliveredAt is not null} error={m.LastError}"))}\n{smtp.Output}");
        Assert.Contains(mails, m => m.Subject == "[Major outage] Investigating");
        Assert.Contains(mails, m => m.Subject == "[Major outage] Update" && m.TextBody!.Contains("Traffic is moving to our standby site.", StringComparison.Ordinal));
        Assert.Contains(mails, m => m.Subject == "[Resolved] Major outage");
        foreach (var mail in mails)
        {
            Assert.Equal("status@shop.example", ((MailboxAddress)mail.From.Single()).Address);
            Assert.Contains("customers@lists.shop.example", mail.Headers["X-RcptTo"], StringComparison.Ordinal); // delivered to the list
            Assert.Empty(mail.Bcc); // the list is not shown to customers
            Assert.Contains("core-api", mail.TextBody, StringComparison.Ordinal);
            Assert.Contains("https://status.shop.example/status", mail.TextBody, StringComparison.Ordinal);
            foreach (var secret in new[] { "db-east-01", "east-us", "alice", "Alice", "INC-", "backup-host-7" })
                Assert.DoesNotContain(secret, mail.Subject + mail.TextBody, StringComparison.Ordinal);
        }
        Assert.Equal(3, mails.Select(m => m.MessageId).Distinct().Count());
    }

    private static async Task WaitListeningAsync(int port, ServiceProcess smtp)
    {
        for (var i = 0; i < 200; i++)
        {
            try
            {
                using var client = new System.Net.Sockets.TcpClient();
                await client.ConnectAsync("127.0.0.1", port);
                return;
            }
            catch (System.Net.Sockets.SocketException)
            {
                await Task.Delay(50);
            }
        }
        throw new TimeoutException($"aiosmtpd did not listen:\n{smtp.Output}");
    }
}
