using System.Globalization;
using System.Text.RegularExpressions;

namespace DrBot.Runbooks.Definitions;

/// <summary>
/// A gate condition over the run's facts, e.g. <c>replication_lag_seconds &gt; 60</c>. A fact that
/// is missing or not comparable makes the condition hold: the gate is asked rather than skipped.
/// </summary>
public sealed partial record StepCondition(string Fact, string Operator, string Value)
{
    public static readonly IReadOnlyList<string> Operators = [">", ">=", "<", "<=", "==", "!="];

    public static bool TryParse(string? text, out StepCondition? condition)
    {
        condition = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }
        var match = ConditionPattern().Match(text);
        if (!match.Success)
        {
            return false;
        }
        condition = new StepCondition(match.Groups["fact"].Value, match.Groups["op"].Value, match.Groups["value"].Value);
        return true;
    }

    public bool IsMet(IReadOnlyDictionary<string, string> facts)
    {
        if (!facts.TryGetValue(Fact, out var actual))
        {
            return true;
        }
        if (double.TryParse(actual, NumberStyles.Float, CultureInfo.InvariantCulture, out var left)
            && double.TryParse(Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var right))
        {
            return Operator switch
            {
                ">" => left > right,
                ">=" => left >= right,
                "<" => left < right,
                "<=" => left <= right,
                "==" => left == right,
                "!=" => left != right,
                _ => true,
            };
        }
        return Operator switch
        {
            "==" => string.Equals(actual, Value, StringComparison.OrdinalIgnoreCase),
            "!=" => !string.Equals(actual, Value, StringComparison.OrdinalIgnoreCase),
            _ => true,
        };
    }

    public override string ToString() => $"{Fact} {Operator} {Value}";

    [GeneratedRegex(@"^\s*(?<fact>[A-Za-z_][A-Za-z0-9_]*)\s*(?<op>>=|<=|==|!=|>|<)\s*(?<value>[^\s]+)\s*$")]
    private static partial Regex ConditionPattern();
}
