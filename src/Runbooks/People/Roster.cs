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
            p.Value.Slack,
            p.Value.Teams)))
    {
    }

    public IReadOnlyList<Person> People => _people;

    public Person? ByName(string? name) =>
        name is null ? null : _people.FirstOrDefault(p => string.Equals(p.Name, name.TrimStart('@'), StringComparison.OrdinalIgnoreCase));

    public Person? BySlackId(string? id) =>
        id is null ? null : _people.FirstOrDefault(p => string.Equals(p.SlackUserId, id, StringComparison.Ordinal));

    public Person? ByTeamsId(string? aadObjectId) =>
        aadObjectId is null ? null : _people.FirstOrDefault(p => string.Equals(p.TeamsAadObjectId, aadObjectId, StringComparison.OrdinalIgnoreCase));

    public IReadOnlyList<Person> WithRole(string role) => _people.Where(p => p.HasRole(role)).ToList();
}
