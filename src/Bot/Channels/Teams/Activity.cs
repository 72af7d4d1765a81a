using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace DrBot.Bot.Channels.Teams;

/// <summary>
/// The parts of a Bot Framework activity DrBot reads and writes (camelCase JSON). Unknown fields
/// are ignored on the way in; null fields are left out on the way out.
/// </summary>
public sealed class Activity
{
    public string? Type { get; set; }
    public string? Id { get; set; }
    public string? Name { get; set; }
    public string? ChannelId { get; set; }
    public string? ServiceUrl { get; set; }
    public string? Text { get; set; }
    public string? TextFormat { get; set; }
    public string? ReplyToId { get; set; }
    public ChannelAccount? From { get; set; }
    public ChannelAccount? Recipient { get; set; }
    public ConversationAccount? Conversation { get; set; }
    public List<ChannelAccount>? MembersAdded { get; set; }
    public List<ActivityEntity>? Entities { get; set; }
    public List<ActivityAttachment>? Attachments { get; set; }
    public JsonElement? Value { get; set; }
    public TeamsChannelData? ChannelData { get; set; }
}

public sealed class ChannelAccount
{
    public string? Id { get; set; }
    public string? Name { get; set; }
    public string? AadObjectId { get; set; }
}

public sealed class ConversationAccount
{
    public string? Id { get; set; }
    public string? ConversationType { get; set; }
    public bool? IsGroup { get; set; }
    public string? TenantId { get; set; }
}

/// <summary>A <c>mention</c> entity: <see cref="Text"/> is the <c>&lt;at&gt;Name&lt;/at&gt;</c> span in the activity text.</summary>
public sealed class ActivityEntity
{
    public string? Type { get; set; }
    public ChannelAccount? Mentioned { get; set; }
    public string? Text { get; set; }
}

public sealed class ActivityAttachment
{
    public string? ContentType { get; set; }
    public JsonNode? Content { get; set; }
}

public sealed class TeamsChannelData
{
    public IdName? Tenant { get; set; }
    public IdName? Team { get; set; }
    public IdName? Channel { get; set; }
    public string? EventType { get; set; }
}

public sealed class IdName
{
    public string? Id { get; set; }
    public string? Name { get; set; }
}

internal static class TeamsJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };
}
