using System.Text.Json.Serialization;
using DrBot.Runbooks.People;

namespace DrBot.Bot.Cards;

/// <summary>
/// A platform-neutral card: what to show, not how. View models (alert, runbook, status post,
/// escalation, incident summary) build one; the Adaptive Card renderer (Teams, local web chat) and
/// the Block Kit renderer (Slack) turn it into platform JSON. The domain never builds platform JSON.
/// </summary>
public sealed record CardDocument(
    string Title,
    string FallbackText,
    CardTone Tone = CardTone.Default,
    string? Subtitle = null,
    IReadOnlyList<CardBlock>? Blocks = null,
    IReadOnlyList<CardInput>? Inputs = null,
    IReadOnlyList<CardButton>? Buttons = null,
    IReadOnlyList<Person>? Mentions = null,
    CardRefresh? Refresh = null)
{
    public IReadOnlyList<CardBlock> Body => Blocks ?? [];
    public IReadOnlyList<CardInput> InputFields => Inputs ?? [];
    public IReadOnlyList<CardButton> Actions => Buttons ?? [];
    public IReadOnlyList<Person> MentionedPeople => Mentions ?? [];

    /// <summary>A plain text message.</summary>
    public static CardDocument Text(string text) => new(text, text, Blocks: []);
}

public enum CardTone { Default, Good, Warning, Attention, Accent }

[JsonPolymorphic(TypeDiscriminatorPropertyName = "block")]
[JsonDerivedType(typeof(TextBlock), "text")]
[JsonDerivedType(typeof(FactsBlock), "facts")]
[JsonDerivedType(typeof(StepsBlock), "steps")]
[JsonDerivedType(typeof(ContextBlock), "context")]
public abstract record CardBlock;

/// <summary>A paragraph. Markdown-light: <c>**bold**</c> only.</summary>
public sealed record TextBlock(string Text, bool Subtle = false) : CardBlock;

/// <summary>Key/value facts (region, severity, lag …).</summary>
public sealed record FactsBlock(IReadOnlyList<Fact> Facts) : CardBlock;

public sealed record Fact(string Name, string Value);

/// <summary>A runbook's steps with status.</summary>
public sealed record StepsBlock(IReadOnlyList<StepLine> Steps) : CardBlock;

public sealed record StepLine(string Title, StepLineStatus Status, string? Elapsed, string? Detail);

public enum StepLineStatus { Pending, Running, Done, Failed, Skipped, Waiting, Rejected, Cancelled, Compensated }

/// <summary>Small print under the card (who started it, card version, timestamps).</summary>
public sealed record ContextBlock(string Text) : CardBlock;

/// <summary>
/// A free-text input (the optional reason on an approval). <paramref name="AskedInDialog"/>: Slack asks for it in a
/// modal when the button is clicked instead of in the message (a destructive gate's typed confirmation).
/// </summary>
public sealed record CardInput(string Id, string Label, string Placeholder, bool Multiline = false, bool AskedInDialog = false);

/// <summary>
/// A button: <see cref="Verb"/> is what the bot does (approve, reject, start-runbook, ack …) and
/// <see cref="Data"/> carries the run id, step id and card version so a stale click is recognised.
/// </summary>
public sealed record CardButton(
    string Label,
    string Verb,
    IReadOnlyDictionary<string, string> Data,
    ButtonStyle Style = ButtonStyle.Default,
    ButtonConfirm? Confirm = null);

public enum ButtonStyle { Default, Positive, Destructive }

public sealed record ButtonConfirm(string Title, string Text, string ConfirmLabel, string DenyLabel);

/// <summary>Teams: refresh the card for these users (approvers) so only they see the buttons.</summary>
public sealed record CardRefresh(string Verb, IReadOnlyDictionary<string, string> Data, IReadOnlyList<Person> Users);
