using DrBot.Runbooks.Drills;

namespace DrBot.Bot.Drills;

/// <summary>The archived drills and validations, exportable: <c>GET /exercises.json</c>, <c>GET /exercises/{id}.json</c>.</summary>
public static class ExerciseEndpoints
{
    public static IEndpointRouteBuilder MapExerciseEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/exercises.json", async (ExerciseArchive archive, CancellationToken cancellationToken) =>
            Results.Json(await archive.ListAsync(cancellationToken)));
        app.MapGet("/exercises/{id}.json", async (string id, ExerciseArchive archive, CancellationToken cancellationToken) =>
            await archive.GetAsync(id, cancellationToken) is { } record
                ? Results.Json(record)
                : Results.Problem($"No exercise '{id}' (ids look like EX-0001; GET /exercises.json lists them).", statusCode: 404));
        return app;
    }
}
