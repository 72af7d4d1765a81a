using DrBot.Runbooks.Policy;
using Microsoft.Extensions.Options;

namespace DrBot.Runbooks.Definitions;

/// <summary>
/// The runbooks DrBot knows: the built-in ones of the strategy, plus those written in configuration
/// (<c>DrBot:Runbooks:&lt;name&gt;</c>), which add a runbook or replace a built-in one of the same name.
/// </summary>
public sealed class RunbookCatalog
{
    private readonly Dictionary<string, RunbookDefinition> _byName = new(StringComparer.OrdinalIgnoreCase);

    public RunbookCatalog(IOptions<DrBotOptions> options, IEnumerable<StepExecutorName> executors)
        : this(options.Value.Runbooks, executors.Select(e => e.Name), options.Value.Approvals.Required)
    {
    }

    /// <param name="executorNames">Executors configured steps may name (those registered with DI).</param>
    /// <param name="requiredApprovals"><c>DrBot:Approvals:Required</c>: approvers per runbook and gate, overriding the definitions.</param>
    public RunbookCatalog(IReadOnlyDictionary<string, RunbookDefinitionOptions> configured, IEnumerable<string> executorNames,
        IReadOnlyDictionary<string, Dictionary<string, int>>? requiredApprovals = null)
    {
        foreach (var definition in BuiltInRunbooks.All)
        {
            _byName[definition.Name] = definition;
        }
        var errors = new RunbookDefinitionValidator(executorNames).Validate(configured);
        if (errors.Count > 0)
        {
            throw new OptionsValidationException(DrBotOptions.Section, typeof(DrBotOptions), errors);
        }
        foreach (var (name, runbook) in configured)
        {
            _byName[name] = ToDefinition(name, runbook);
        }
        ApplyRequiredApprovals(requiredApprovals ?? new Dictionary<string, Dictionary<string, int>>());
    }

    /// <summary>Sets each named gate's number of approvers; an unknown runbook or gate, or a bad number, stops the host naming the key.</summary>
    private void ApplyRequiredApprovals(IReadOnlyDictionary<string, Dictionary<string, int>> required)
    {
        var errors = new List<string>();
        foreach (var (runbook, gates) in required)
        {
            var key = $"{DrBotOptions.Section}:Approvals:Required:{runbook}";
            if (Find(runbook) is not { } definition)
            {
                errors.Add($"{key}: unknown runbook '{runbook}'; valid: {string.Join(", ", Names)}");
                continue;
            }
            foreach (var (gateId, count) in gates)
            {
                var gate = definition.Step(gateId);
                if (gate is not { Kind: StepKind.Gate })
                    errors.Add($"{key}:{gateId}: '{gateId}' is not a gate of {runbook}; valid: {string.Join(", ", definition.Steps.Where(s => s.Kind == StepKind.Gate).Select(s => s.Id))}");
                else if (count is < 1 or > RunbookDefinitionValidator.MaxApprovals)
                    errors.Add($"{key}:{gateId}: {count} is not a number of approvers; valid: 1 to {RunbookDefinitionValidator.MaxApprovals}");
                else
                    definition = definition with { Steps = [.. definition.Steps.Select(s => s.Id == gate.Id ? s with { Approvals = count } : s)] };
            }
            _byName[definition.Name] = definition;
        }
        if (errors.Count > 0)
        {
            throw new OptionsValidationException(DrBotOptions.Section, typeof(DrBotOptions), errors);
        }
    }

    public IReadOnlyList<RunbookDefinition> All => [.. _byName.Values.OrderBy(d => d.Name, StringComparer.Ordinal)];

    public IReadOnlyList<string> Names => [.. All.Select(d => d.Name)];

    public RunbookDefinition? Find(string? name) =>
        name is not null && _byName.TryGetValue(name.Trim(), out var definition) ? definition : null;

    private static RunbookDefinition ToDefinition(string name, RunbookDefinitionOptions options) =>
        new(name,
            string.IsNullOrWhiteSpace(options.Title) ? name : options.Title,
            options.Description,
            [.. options.Steps.Select(ToStep)]);

    private static StepDefinition ToStep(StepDefinitionOptions step) =>
        new(step.Id,
            string.IsNullOrWhiteSpace(step.Title) ? step.Id : step.Title,
            RunbookDefinitionValidator.ParseKind(step.Kind)!.Value,
            string.IsNullOrWhiteSpace(step.Executor) ? null : step.Executor,
            new Dictionary<string, string>(step.Args, StringComparer.OrdinalIgnoreCase),
            RunbookDefinitionValidator.ParseFailure(step.OnFailure)!.Value,
            string.IsNullOrWhiteSpace(step.Compensation) ? null : step.Compensation,
            new Dictionary<string, string>(step.CompensationArgs, StringComparer.OrdinalIgnoreCase),
            string.IsNullOrWhiteSpace(step.Role) ? null : step.Role,
            string.IsNullOrWhiteSpace(step.Condition) ? null : step.Condition,
            step.AllowSelfApproval,
            step.Parallel.Count == 0 ? null : [.. step.Parallel.Select(ToStep)],
            Instructions: string.IsNullOrWhiteSpace(step.Instructions) ? null : step.Instructions.Trim(),
            Expiry: step.Expiry,
            Runbook: string.IsNullOrWhiteSpace(step.Runbook) ? null : step.Runbook.Trim(),
            Approvals: step.Approvals,
            Destructive: step.Destructive);
}
