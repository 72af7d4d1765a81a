namespace DrBot.Bot.Compliance;

/// <summary><c>GET /reports/compliance.md?from=&amp;to=</c> and <c>GET /reports/compliance.json?from=&amp;to=</c> (days, yyyy-MM-dd).</summary>
public static class ComplianceEndpoints
{
    public static IEndpointRouteBuilder MapComplianceEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/reports/compliance.md", async (string? from, string? to, ComplianceService compliance, CancellationToken cancellationToken) =>
            compliance.ParsePeriod(from, to, out var error) is { } period
                ? Results.Text((await compliance.BuildAsync(period.From, period.To, cancellationToken)).ToMarkdown(), "text/markdown; charset=utf-8")
                : Results.Problem(error, statusCode: 400));
        app.MapGet("/reports/compliance.json", async (string? from, string? to, ComplianceService compliance, CancellationToken cancellationToken) =>
            compliance.ParsePeriod(from, to, out var error) is { } period
                ? Results.Json(await compliance.BuildAsync(period.From, period.To, cancellationToken))
                : Results.Problem(error, statusCode: 400));
        return app;
    }
}
