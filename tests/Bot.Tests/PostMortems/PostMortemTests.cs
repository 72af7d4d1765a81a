using DrBot.Bot.PostMortems;
using DrBot.Bot.Tests.Support;
using DrBot.Runbooks.Engine;

namespace DrBot.Bot.Tests.PostMortems;

/// <summary>The strategy's "post-mortem published within 48 hours": draft on closing, reminder at 24 h, escalation at 48 h, on a fake clock.</summary>
public sealed class PostMortemTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task Closing_a_P1_writes_a_draft_from_the_record_with_timeline_approvals_and_RTO_against_the_target()
    {
        await using var bot = InProcessBot.Create();
        var chat = new Rehearsal(bot);
        await chat.SayAsync("carol", "drill region-down east-us");
        var run = await chat.FailoverAsync("alice", "bob", "west-us");
        Assert.Equal(RunOutcome.Succeeded, run.Outcome);
        await chat.SayAsync("bob", "incident commander @carol INC-0001");
        await chat.SayAsync("carol", "update traffic is on west-us");
        await chat.SayAsync("carol", "incident resolve INC-0001");
        Assert.Null(await bot.Get<PostMortemService>().RenderAsync("INC-0001", None));

        var closed = await chat.SayAsync("carol", "incident close INC-0001");
        Assert.False(closed.IsError, closed.Text);

        var markdown = await bot.Get<PostMortemService>().RenderAsync("INC-0001", None);
        Assert.NotNull(markdown);
        Assert.StartsWith("# Post-mortem INC-0001", markdown, StringComparison.Ordinal);
        Assert.Contains("commander: carol", markdown, StringComparison.Ordinal);
        Assert.Contains("| RTO |", markdown, StringComparison.Ordinal);
        Assert.Matches(@"\| RTO \| [^|]+ \| 15 min 00 s \| met \|", markdown);
        Assert.Contains("traffic is on west-us", markdown, StringComparison.Ordinal);   // a human status update
        Assert.Contains($"{run.Id} step", markdown, StringComparison.Ordinal);           // runbook steps
        Assert.Matches(@"\| " + run.Id + @" \| [^|]+ \| approved \| Bob \(bob\) \|", markdown); // who approved
        Assert.Contains("## Action items", markdown, StringComparison.Ordinal);
        var card = Assert.Single(await bot.LocalPostsAsync(), m => m.PostKey == "postmortem:INC-0001:draft");
        Assert.Contains("/incidents/INC-0001/postmortem.md", card.Payload, StringComparison.Ordinal);
        Assert.Equal("incident:INC-0001", card.ThreadKey);
    }

    [Fact]
    public async Task A_missed_RTO_becomes_an_action_item()
    {
        await using var bot = InProcessBot.Create();
        var chat = new Rehearsal(bot);
        await chat.SayAsync("carol", "drill region-down east-us");
        await chat.FailoverAsync("alice", "bob", "west-us", waitBeforeApproval: TimeSpan.FromMinutes(20));
        await chat.SayAsync("bob", "incident resolve INC-0001");
        await chat.SayAsync("bob", "incident close INC-0001");
        var markdown = (await bot.Get<PostMortemService>().RenderAsync("INC-0001", None))!;
        Assert.Matches(@"\| RTO \| 2\d min \d\d s \| 15 min 00 s \| missed \|", markdown);
        Assert.Contains("- [ ] Find why recovery took", markdown, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unpublished_the_commander_is_reminded_at_24_hours_and_the_engineering_lead_escalated_at_48()
    {
        await using var bot = InProcessBot.Create();
        var chat = new Rehearsal(bot);
        await CloseP2Async(chat);

        await chat.AdvanceAsync(TimeSpan.FromHours(23), TimeSpan.FromMinutes(30));
        Assert.Empty(await chat.PostKeysAsync("postmortem:INC-0001:reminder"));
        await chat.AdvanceAsync(TimeSpan.FromHours(1), TimeSpan.FromMinutes(30));
        var reminder = Assert.Single(await bot.LocalPostsAsync(), m => m.PostKey == "postmortem:INC-0001:reminder");
        Assert.Contains("\"carol\"", reminder.Payload, StringComparison.Ordinal);  // the commander is mentioned

        await chat.AdvanceAsync(TimeSpan.FromHours(23), TimeSpan.FromMinutes(30));
        Assert.Empty(await chat.PostKeysAsync("postmortem:INC-0001:overdue"));
        await chat.AdvanceAsync(TimeSpan.FromHours(1), TimeSpan.FromMinutes(30));
        var overdue = Assert.Single(await bot.LocalPostsAsync(), m => m.PostKey.StartsWith("postmortem:INC-0001:overdue", StringComparison.Ordinal));
        Assert.Contains("\"erin\"", overdue.Payload, StringComparison.Ordinal);    // the engineering lead
        await chat.AdvanceAsync(TimeSpan.FromHours(24), TimeSpan.FromMinutes(30));
        Assert.Equal(2, (await chat.PostKeysAsync("postmortem:INC-0001:overdue")).Count); // repeated daily until published
    }

    [Fact]
    public async Task Publishing_stops_the_reminder_and_the_escalation()
    {
        await using var bot = InProcessBot.Create();
        var chat = new Rehearsal(bot);
        await CloseP2Async(chat);
        await chat.AdvanceAsync(TimeSpan.FromHours(2), TimeSpan.FromMinutes(30));

        var refused = await chat.SayAsync("carol", "postmortem published INC-0001 wiki/pm-1");
        Assert.True(refused.IsError);
        Assert.Contains("http", refused.Text, StringComparison.Ordinal);
        var published = await chat.SayAsync("carol", "postmortem published INC-0001 https://wiki.example.com/pm/INC-0001");
        Assert.False(published.IsError, published.Text);

        await chat.AdvanceAsync(TimeSpan.FromHours(72), TimeSpan.FromMinutes(30));
        Assert.Empty(await chat.PostKeysAsync("postmortem:INC-0001:reminder"));
        Assert.Empty(await chat.PostKeysAsync("postmortem:INC-0001:overdue"));
        var record = (await bot.Get<PostMortemService>().GetRecordAsync("INC-0001", None))!;
        Assert.Equal("https://wiki.example.com/pm/INC-0001", record.PublishedUrl);
        Assert.True(record.PublishedOnTime);
        Assert.True((await chat.SayAsync("carol", "postmortem published INC-0001 https://wiki.example.com/other")).IsError);
    }

    [Fact]
    public async Task A_P3_owes_no_post_mortem_and_publishing_one_is_refused_with_the_reason()
    {
        await using var bot = InProcessBot.Create();
        var chat = new Rehearsal(bot);
        await chat.SayAsync("alice", "incident open P3 Slow reports");
        await chat.SayAsync("alice", "incident resolve INC-0001");
        await chat.SayAsync("alice", "incident close INC-0001");
        Assert.Null(await bot.Get<PostMortemService>().GetRecordAsync("INC-0001", None));
        var refused = await chat.SayAsync("alice", "postmortem published INC-0001 https://wiki.example.com/pm/1");
        Assert.True(refused.IsError);
        Assert.Contains("owes no post-mortem", refused.Text, StringComparison.Ordinal);
    }

    private static async Task CloseP2Async(Rehearsal chat)
    {
        Assert.False((await chat.SayAsync("alice", "incident open P2 Replication lag on west-us")).IsError);
        await chat.SayAsync("alice", "incident commander @carol INC-0001");
        await chat.SayAsync("carol", "incident resolve INC-0001");
        Assert.False((await chat.SayAsync("carol", "incident close INC-0001")).IsError);
    }
}
