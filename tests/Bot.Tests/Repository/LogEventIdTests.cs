using System.Reflection;
using System.Text.RegularExpressions;
using DrBot.Bot.Tests.Support;

namespace DrBot.Bot.Tests.Repository;

/// <summary>A log event id means one thing: ids are named constants, one file per project, never repeated.</summary>
public sealed partial class LogEventIdTests
{
    [Theory]
    [InlineData(typeof(DrBot.Bot.HostLogEvents))]
    [InlineData(typeof(DrBot.Runbooks.LogEvents))]
    public void No_two_named_events_share_an_id(Type events)
    {
        var ids = events.GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(field => field.IsLiteral && field.FieldType == typeof(int))
            .GroupBy(field => (int)field.GetRawConstantValue()!)
            .Where(group => group.Count() > 1)
            .Select(group => $"{group.Key}: {string.Join(", ", group.Select(f => f.Name))}");
        Assert.Empty(ids);
    }

    [Fact]
    public void No_logger_message_uses_a_literal_id()
    {
        var literals = Directory.EnumerateFiles(Path.Combine(RepoPaths.Root, "src"), "*.cs", SearchOption.AllDirectories)
            .Where(file => !file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(file => LiteralId().Matches(File.ReadAllText(file)).Select(match => $"{Path.GetRelativePath(RepoPaths.Root, file)}: {match.Value}"))
            .ToList();
        Assert.True(literals.Count == 0, "Use a named constant from HostLogEvents / LogEvents:\n" + string.Join('\n', literals));
    }

    [GeneratedRegex(@"LoggerMessage\(\s*EventId\s*=\s*\d+")]
    private static partial Regex LiteralId();
}
