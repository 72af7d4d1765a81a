using DrBot.Bot.Channels;
using DrBot.Bot.Commands;
using DrBot.Runbooks.Audit;

namespace DrBot.Bot.Audit;

/// <summary>The chat command <c>audit verify</c> (answered privately); everything else goes on to the command router.</summary>
public sealed class AuditChatCommand(CommandRouter router, CommandParser parser, AuditLog audit, AuditCheckpointWriter checkpoints) : IChatInputHandler
{
    public async Task<ChatReply> HandleAsync(ChatInput input, CancellationToken cancellationToken)
    {
        if (input.Action is not null || parser.Parse(input.Text).Command is not AuditVerifyCommand)
            return await router.HandleAsync(input, cancellationToken);
        var checkpoint = await AuditCheckpoints.LatestAsync(checkpoints.FilePath, cancellationToken);
        var result = await audit.VerifyAsync(cancellationToken, checkpoint);
        var text = AuditCli.Describe(result, audit.IsKeyed, checkpoint);
        return result.Valid ? ChatReply.PrivateText(text) : ChatReply.Error(text);
    }
}
