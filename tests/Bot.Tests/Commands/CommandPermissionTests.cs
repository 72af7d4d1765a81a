using System.Globalization;
using DrBot.Bot.Channels;
using DrBot.Bot.Tests.Support;
using DrBot.Runbooks.Audit;
using DrBot.Runbooks.Engine;
using DrBot.Runbooks.People;
using DrBot.Runbooks.Policy;

namespace DrBot.Bot.Tests.Commands;

/// <summary>
/// The role policy in front of every command, on the bot's real service graph and LiteDB store:
/// defaults from the issue, configuration overrides, refusals audited, strangers answered privately.
/// </summary>
public sealed class CommandPermissionTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    private static ChatInput Say(InProcessBot bot, string who, string text) =>
        new("local", "local", null, new ChatUser(who, who, bot.Get<Roster>().ByName(who)), text, null, null);

    private static async Task<RunRecord> RunAtGateAsync(InProcessBot bot)
    {
        var router = bot.Get<IChatInputHandler>();
        Assert.False((await router.HandleAsync(Say(bot, "bob", "drill region-down east-us"), None)).IsError);
        Assert.False((await router.HandleAsync(Say(bot, "alice", "/failover west-us"), None)).IsError);
        var run = (await bot.Store.ListRunsAsync(unfinishedOnly: true, None)).Single();
        return await bot.Get<RunbookEngine>().AdvanceAsync(run.Id, None);
    }

    [Fact]
    public async Task On_call_may_not_cancel_a_run_a_lead_may_and_the_refusal_is_audited()
    {
        await using var bot = InProcessBot.Create();
        var router = bot.Get<IChatInputHandler>();
        var run = await RunAtGateAsync(bot);

        var refused = await router.HandleAsync(Say(bot, "alice", $"cancel {run.Id}"), None);

        Assert.True(refused.IsError);
        Assert.True(refused.Private);
        Assert.Contains("`cancel` needs lead (DrBot:Permissions:cancel); Alice has oncall", refused.Text, StringComparison.Ordinal);
        Assert.False((await bot.Store.GetRunAsync(run.Id, None))!.IsFinished);
        var audit = await bot.Get<AuditLog>().ReadAsync(None);
        Assert.Contains(audit, e => e is { Action: "permission-refused", Actor: "alice", Subject: "cancel" } && e.Detail.Contains("needs lead", StringComparison.Ordinal));

        var cancelled = await router.HandleAsync(Say(bot, "bob", $"cancel {run.Id}"), None);
        Assert.False(cancelled.IsError, cancelled.Text);
        Assert.True((await bot.Store.GetRunAsync(run.Id, None))!.IsFinished);
    }

    [Fact]
    public async Task Drills_are_for_leads_and_starting_a_runbook_for_on_call_and_leads()
    {
        await using var bot = InProcessBot.Create();
        var router = bot.Get<IChatInputHandler>();

        Assert.Contains("`drill` needs lead", (await router.HandleAsync(Say(bot, "alice", "drill region-down east-us"), None)).Text, StringComparison.Ordinal);
        var cto = await router.HandleAsync(Say(bot, "dana", "/failover west-us"), None);
        Assert.Contains("`failover` needs oncall or lead", cto.Text, StringComparison.Ordinal);
        Assert.Empty(await bot.Store.ListRunsAsync(unfinishedOnly: false, None));
    }

    [Fact]
    public async Task Closing_an_incident_takes_a_lead_or_its_commander()
    {
        await using var bot = InProcessBot.Create();
        var router = bot.Get<IChatInputHandler>();
        await router.HandleAsync(Say(bot, "alice", "incident open P3 Backups are late"), None);
        await router.HandleAsync(Say(bot, "alice", "incident resolve INC-0001"), None);
        Assert.Contains("needs lead or the incident's commander", (await router.HandleAsync(Say(bot, "erin", "incident close INC-0001"), None)).Text, StringComparison.Ordinal);

        await router.HandleAsync(Say(bot, "alice", "incident open P3 Restores are slow"), None);
        Assert.False((await router.HandleAsync(Say(bot, "alice", "incident commander erin INC-0002"), None)).IsError);
        await router.HandleAsync(Say(bot, "alice", "incident resolve INC-0002"), None);
        var closed = await router.HandleAsync(Say(bot, "erin", "incident close INC-0002"), None);

        Assert.False(closed.IsError, closed.Text);
        Assert.Contains("closed", closed.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Configuration_changes_who_may_run_a_command()
    {
        await using var bot = InProcessBot.Create(settings: new Dictionary<string, string?> { ["DrBot:Permissions:cancel"] = "oncall, lead" });
        var run = await RunAtGateAsync(bot);

        var cancelled = await bot.Get<IChatInputHandler>().HandleAsync(Say(bot, "alice", $"cancel {run.Id}"), None);

        Assert.False(cancelled.IsError, cancelled.Text);
    }

    [Theory]
    [InlineData("DrBot:Permissions:launch-missiles", "lead", "DrBot:Permissions:launch-missiles: unknown command")]
    [InlineData("DrBot:Permissions:cancel", "janitor", "DrBot:Permissions:cancel: unknown role(s) janitor")]
    public async Task A_bad_permission_stops_the_bot_naming_the_key(string key, string value, string message)
    {
        await using var bot = InProcessBot.Create(settings: new Dictionary<string, string?> { [key] = value });

        var error = Assert.Throws<InvalidOperationException>(() => bot.Get<CommandPermissions>());

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Someone_not_on_the_roster_gets_only_private_answers_and_cannot_make_the_bot_post()
    {
        await using var bot = InProcessBot.Create();
        var router = bot.Get<IChatInputHandler>();
        await router.HandleAsync(Say(bot, "alice", "incident open P3 Backups are late"), None);
        var posts = (await bot.LocalPostsAsync()).Count;
        var stranger = new ChatUser("U999", "mallory", null);

        var status = await router.HandleAsync(new ChatInput("slack", "C1", null, stranger, "incident status", null, null), None);
        var help = await router.HandleAsync(new ChatInput("slack", "C1", null, stranger, "help", null, null), None);

        Assert.True(status.Private);
        Assert.True(status.IsError);
        Assert.Contains("not on the DrBot roster", status.Text, StringComparison.Ordinal);
        Assert.True(help.Private);
        Assert.Equal(posts, (await bot.LocalPostsAsync()).Count);
        Assert.Contains(await bot.Get<AuditLog>().ReadAsync(None), e => e is { Action: "permission-refused", Subject: "incident-status" });
    }

    [Fact]
    public async Task A_typed_approve_without_the_gate_gets_the_gates_title_and_a_confirm_button_and_decides_nothing()
    {
        await using var bot = InProcessBot.Create();
        var router = bot.Get<IChatInputHandler>();
        var run = await RunAtGateAsync(bot);

        var answer = await router.HandleAsync(Say(bot, "bob", $"approve {run.Id} looks fine"), None);

        Assert.True(answer.Private);
        Assert.Contains($"waits at \"", answer.Text, StringComparison.Ordinal);
        Assert.Contains($"approve {run.Id} {run.State}", answer.Text, StringComparison.Ordinal);
        var confirm = Assert.Single(answer.Card!.Actions);
        Assert.Equal("approve", confirm.Verb);
        Assert.Equal(run.Version.ToString(CultureInfo.InvariantCulture), confirm.Data["version"]);
        Assert.Equal("looks fine", confirm.Data["reason"]);
        Assert.Empty(await bot.Store.GetDecisionsAsync(run.Id, None));

        var click = new CardAction(confirm.Verb, confirm.Data, null);
        var decided = await router.HandleAsync(new ChatInput("local", "local", null, new ChatUser("bob", "bob", bot.Get<Roster>().ByName("bob")), null, click, null), None);
        Assert.False(decided.IsError, decided.Text);
        Assert.Single(await bot.Store.GetDecisionsAsync(run.Id, None));
    }

    [Fact]
    public async Task A_typed_approve_naming_the_gate_decides_it()
    {
        await using var bot = InProcessBot.Create();
        var run = await RunAtGateAsync(bot);

        var decided = await bot.Get<IChatInputHandler>().HandleAsync(Say(bot, "bob", $"approve {run.Id} {run.State} east-us is down"), None);

        Assert.False(decided.IsError, decided.Text);
        var decision = Assert.Single(await bot.Store.GetDecisionsAsync(run.Id, None));
        Assert.Equal("east-us is down", decision.Reason);
    }

    [Fact]
    public async Task A_click_without_a_card_version_is_refused()
    {
        await using var bot = InProcessBot.Create();
        var run = await RunAtGateAsync(bot);
        var click = new CardAction("approve", new Dictionary<string, string> { ["runId"] = run.Id, ["stepId"] = run.State }, null);

        var answer = await bot.Get<IChatInputHandler>().HandleAsync(new ChatInput("local", "local", null, new ChatUser("bob", "bob", bot.Get<Roster>().ByName("bob")), null, click, null), None);

        Assert.True(answer.IsError);
        Assert.Contains("no card version", answer.Text, StringComparison.Ordinal);
        Assert.Empty(await bot.Store.GetDecisionsAsync(run.Id, None));
    }
}
