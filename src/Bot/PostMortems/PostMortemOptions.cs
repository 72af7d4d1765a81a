using System.ComponentModel.DataAnnotations;

namespace DrBot.Bot.PostMortems;

/// <summary><c>DrBot:PostMortems</c>: which incidents owe a post-mortem and when people are chased for it.</summary>
public sealed class PostMortemOptions
{
    public const string Section = "DrBot:PostMortems";

    /// <summary>Severities whose closing creates a draft (the strategy: P1 and P2).</summary>
    [MinLength(1)]
    public List<string> Severities { get; set; } = ["P1", "P2"];

    /// <summary>After closing, the commander is reminded (24 h).</summary>
    [Range(typeof(TimeSpan), "00:01:00", "30.00:00:00")]
    public TimeSpan RemindAfter { get; set; } = TimeSpan.FromHours(24);

    /// <summary>After closing, the post-mortem is due and the escalation role is told (48 h).</summary>
    [Range(typeof(TimeSpan), "00:01:00", "60.00:00:00")]
    public TimeSpan DueAfter { get; set; } = TimeSpan.FromHours(48);

    /// <summary>While still unpublished after the due time, the escalation repeats this often (24 h).</summary>
    [Range(typeof(TimeSpan), "00:10:00", "30.00:00:00")]
    public TimeSpan RepeatEscalationEvery { get; set; } = TimeSpan.FromHours(24);

    /// <summary>The role told when the post-mortem is overdue.</summary>
    [Required]
    public string EscalationRole { get; set; } = "engineering-lead";
}
