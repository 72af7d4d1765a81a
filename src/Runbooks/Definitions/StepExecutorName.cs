namespace DrBot.Runbooks.Definitions;

/// <summary>An executor name registered with DI: what runbook definitions may name, known without building any executor.</summary>
public sealed record StepExecutorName(string Name);
