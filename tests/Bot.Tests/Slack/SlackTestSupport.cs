using System.Collections.Concurrent;
using DrBot.Bot.Channels;
using DrBot.Runbooks.Storage;
using Microsoft.Extensions.Logging;

namespace DrBot.Bot.Tests.Slack;

/// <summary>The channel-neutral handler, recording what Slack hands it and answering as told.</summary>
public sealed class RecordingChatInputHandler : IChatInputHandler
{
    private readonly ConcurrentQueue<ChatInput> _inputs = new();

    public IReadOnlyList<ChatInput> Inputs => _inputs.ToList();

    public Func<ChatInput, CancellationToken, Task<ChatReply>> Respond { get; set; } =
        (input, _) => Task.FromResult(ChatReply.Public($"ok: {input.Text ?? input.Action?.Verb}"));

    public Task<ChatReply> HandleAsync(ChatInput input, CancellationToken cancellationToken)
    {
        _inputs.Enqueue(input);
        return Respond(input, cancellationToken);
    }
}

/// <summary>Keeps every log line (message and exception text) so tests can check what was logged and what never was.</summary>
public sealed class CapturingLoggerProvider : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _lines = new();

    public IReadOnlyList<string> Lines => _lines.ToList();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(CapturingLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner._lines.Enqueue($"{logLevel} {category} [{eventId.Id}] {formatter(state, exception)} {exception}");
    }
}
