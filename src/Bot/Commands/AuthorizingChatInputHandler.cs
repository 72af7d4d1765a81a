using System.Threading.RateLimiting;
using DrBot.Bot.Channels;
using DrBot.Bot.Views;
using DrBot.Runbooks.Audit;
using DrBot.Runbooks.Incidents;
using DrBot.Runbooks.Policy;
using DrBot.Runbooks.People;

namespace DrBot.Bot.Commands;

/// <summary>
/// The one place where "may this person do this?" is decided, in front of the command router:
/// every command and card click is named (<see cref="CommandPermissions"/>), checked against the
/// configured roles, and every refusal is audited with who, what and why. People not on the roster
/// get private answers only, so nobody outside the roster can make the bot post in the channel.
/// </summary>
public sealed partial class AuthorizingChatInputHandler(
    Audit.AuditChatCommand router,
    CommandParser parser,
    CommandPermissions permissions,
    IncidentService incidents,
    AuditLog audit,
    IConfiguration configuration,
    ILogger<AuthorizingChatInputHandler> logger) : IChatInputHandler, IDisposable
{
    private readonly int _perMinute = Math.Max(1, configuration.GetValue("DrBot:RateLimits:CommandsPerMinute", 60));
    private PartitionedRateLimiter<string>? _perPerson;

    /// <summary>Per person (or per platform id for strangers): a bucket of N commands refilled at N per minute.</summary>
    private PartitionedRateLimiter<string> PerPerson => _perPerson ??= PartitionedRateLimiter.Create<string, string>(who =>
        RateLimitPartition.GetTokenBucketLimiter(who, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = _perMinute,
            TokensPerPeriod = Math.Max(1, _perMinute / 60),
            ReplenishmentPeriod = TimeSpan.FromSeconds(Math.Max(1, 60 / _perMinute)),
            QueueLimit = 0,
        }));

    public void Dispose() => _perPerson?.Dispose();

    public async Task<ChatReply> HandleAsync(ChatInput input, CancellationToken cancellationToken)
    {
        using (var lease = PerPerson.AttemptAcquire(input.User.Person?.Name ?? $"{input.Channel}:{input.User.PlatformUserId}"))
        {
            if (!lease.IsAcquired)
                return ChatReply.Error($"Slow down: at most {_perMinute} commands and clicks per minute per person (DrBot:RateLimits:CommandsPerMinute). Try again in a few seconds.");
        }

        if (Name(input) is { } request)
        {
            var person = input.User.Person;
            var isCommander = person is not null && permissions.DependsOnCommander(request.Command)
                && await CommandsIncidentAsync(person.Name, request.IncidentId, cancellationToken);
            if (permissions.Refusal(request.Command, person, isCommander) is { } why)
            {
                var actor = input.User.ToActor(input.Channel);
                LogRefused(actor.ToString(), request.Command, why);
                await audit.RecordAsync(actor.ToString(), "permission-refused", request.Command, why, cancellationToken);
                return ChatReply.Error(person is null
                    ? $"{input.User.DisplayName}, you are not on the DrBot roster, so you may read (help, runbooks) but not act. Ask an admin to add your {input.Channel} id ({input.User.PlatformUserId}) under DrBot:People."
                    : $"Refused: {why}.");
            }
        }

        var reply = await router.HandleAsync(input, cancellationToken);
        return input.User.Person is null ? reply with { Private = true } : reply;
    }

    private sealed record NamedCommand(string Command, string? IncidentId);

    /// <summary>The policy name of what the input asks for, or null for what only reads (help, runbooks, refresh, a parse error).</summary>
    private NamedCommand? Name(ChatInput input)
    {
        if (input.Action is { } action)
        {
            string? Get(string key) => action.Data.TryGetValue(key, out var v) && !string.IsNullOrWhiteSpace(v) ? v : null;
            return action.Verb switch
            {
                // Done on a manual task decides it like an approval; the step's own role is the machine's guard.
                CardVerbs.Approve or CardVerbs.Done => new(CommandPermissions.Approve, null),
                CardVerbs.Reject => new(CommandPermissions.Reject, null),
                // Past the point of no return: retry and skip decide like an approval; rolling back anyway is its own command.
                CardVerbs.RetryStep or CardVerbs.SkipStep => new(CommandPermissions.Approve, null),
                CardVerbs.RollBackAnyway => new(CommandPermissions.Rollback, null),
                CardVerbs.StartRunbook => new(StartCommandName(Get(CardVerbs.Runbook) ?? ""), null),
                // Deciding not to fail over is the same decision as deciding to: the same people.
                CardVerbs.DismissFailover => new(StartCommandName(Get(CardVerbs.Runbook) ?? ""), null),
                CardVerbs.Acknowledge => new(CommandPermissions.IncidentAck, Get(CardVerbs.IncidentId)),
                _ => null,
            };
        }

        return parser.Parse(input.Text).Command switch
        {
            StartRunbookCommand start => new(StartCommandName(start.Runbook), null),
            OpenIncidentCommand => new(CommandPermissions.IncidentOpen, null),
            IncidentActionCommand act => new(act.Verb switch
            {
                IncidentVerb.Ack => CommandPermissions.IncidentAck,
                IncidentVerb.Resolve => CommandPermissions.IncidentResolve,
                IncidentVerb.Close => CommandPermissions.IncidentClose,
                _ => CommandPermissions.IncidentStatus,
            }, act.IncidentId),
            SetCommanderCommand commander => new(CommandPermissions.IncidentCommander, commander.IncidentId),
            HumanUpdateCommand or PublicUpdateCommand => new(CommandPermissions.Update, null),
            DecideCommand decide => new(decide.Approve ? CommandPermissions.Approve : CommandPermissions.Reject, null),
            CancelRunCommand => new(CommandPermissions.Cancel, null),
            PointOfNoReturnCommand after => new(after.Choice == Runbooks.Engine.AfterPointOfNoReturn.RollBack ? CommandPermissions.Rollback : CommandPermissions.Approve, null),
            DrillCommand => new(CommandPermissions.Drill, null),
            FreezeCommand => new(CommandPermissions.Freeze, null),
            UnfreezeCommand => new(CommandPermissions.Unfreeze, null),
            AuditVerifyCommand => new(CommandPermissions.AuditVerify, null),
            // Chaos drills and validations inject faults or load the databases: the drill rule.
            Strategy.StartChaosDrillCommand or Strategy.CheckDrillCommand or Strategy.ValidateCommand => new(CommandPermissions.Drill, null),
            _ => null,
        };
    }

    /// <summary>The typed command that starts a runbook (failover for region-failover), else the runbook's own name.</summary>
    public static string StartCommandName(string runbook) =>
        CommandParser.RunbookCommands.FirstOrDefault(c => string.Equals(c.Value, runbook, StringComparison.OrdinalIgnoreCase)).Key ?? runbook;

    private async Task<bool> CommandsIncidentAsync(string person, string? incidentId, CancellationToken cancellationToken)
    {
        var incident = incidentId is not null
            ? await incidents.GetAsync(incidentId, cancellationToken)
            : (await incidents.ListOpenAsync(cancellationToken)).OrderByDescending(i => i.OpenedAt).FirstOrDefault();
        return incident?.Commander is { } commander && string.Equals(commander, person, StringComparison.OrdinalIgnoreCase);
    }

    [LoggerMessage(EventId = HostLogEvents.CommandRefused, Level = LogLevel.Warning, Message = "Refused {Actor} the command {Command}: {Reason}")]
    private partial void LogRefused(string actor, string command, string reason);
}
