using DrBot.Runbooks.Policy;
using Microsoft.Extensions.Options;

namespace DrBot.Runbooks.People;

/// <summary>Looks people up by name or by their id on a platform.</summary>
public sealed class Roster
{
    private readonly IReadOnlyList<Person> _people;

    public Roster(IEnumerable<Person> people) => _people = people.ToList();

    public Roster(IOptions<DrBotOptions> options)
        : this(options.Value.People.Select(p => new Person(
            p.Key,
            string.IsNullOrWhiteSpace(p.Value.DisplayName) ? p.Key : p.Value.DisplayName!,
            p.Value.Roles,
            Person.Ids((Person.Slack, p.Value.Slack), (Person.Teams, p.Value.Teams)))))
    {
    }

    public IReadOnlyList<Person> People => _people;

    public Person? ByName(string? name) =>
        name is null ? null : _people.FirstOrDefault(p => string.Equals(p.Name, name.TrimStart('@'), StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// The person whose id on <paramref name="platform"/> is <paramref name="id"/>. Slack ids are compared
    /// exactly; other platforms' ids (AAD object ids are GUIDs) case-insensitively.
    /// </summary>
    public Person? ByPlatformId(string platform, string? id)
    {
        if (id is null)
        {
            return null;
        }
        var comparison = string.Equals(platform, Person.Slack, StringComparison.OrdinalIgnoreCase) ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase;
        return _people.FirstOrDefault(p => string.Equals(p.IdOn(platform), id, comparison));
    }

    public Person? BySlackId(string? id) => ByPlatformId(Person.Slack, id);

    public Person? ByTeamsId(string? aadObjectId) => ByPlatformId(Person.Teams, aadObjectId);

    public IReadOnlyList<Person> WithRole(string role) => _people.Where(p => p.HasRole(role)).ToList();
}
