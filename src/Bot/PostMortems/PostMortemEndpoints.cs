using System.Net;
using DrBot.Bot.Strategy;
using Markdig;

namespace DrBot.Bot.PostMortems;

/// <summary><c>GET /incidents/{id}/postmortem.md</c> (the draft to download) and <c>/incidents/{id}/postmortem</c> (rendered).</summary>
public static class PostMortemEndpoints
{
    // Raw HTML in the draft is shown as text: titles and reasons come from chat.
    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder().UsePipeTables().UseTaskLists().DisableHtml().Build();

    public static IEndpointRouteBuilder MapPostMortemEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/incidents/{id}/postmortem.md", async (string id, PostMortemService postMortems, CancellationToken cancellationToken) =>
            await postMortems.RenderAsync(id, cancellationToken) is { } markdown
                ? Results.Text(markdown, "text/markdown; charset=utf-8")
                : NotOwed(id));
        app.MapGet("/incidents/{id}/postmortem", async (string id, PostMortemService postMortems, CancellationToken cancellationToken) =>
            await postMortems.RenderAsync(id, cancellationToken) is { } markdown
                ? Results.Content(Page(id, Markdown.ToHtml(markdown, Pipeline)), "text/html; charset=utf-8")
                : NotOwed(id));
        return app;
    }

    private static IResult NotOwed(string id) =>
        Results.Problem($"No post-mortem for '{id}': drafts exist for closed P1/P2 incidents (ids like INC-0001).", statusCode: 404);

    private static string Page(string id, string body) =>
        ReportPage.Wrap($"Post-mortem {id}", $"<p><a href=\"{WebUtility.HtmlEncode(PostMortemService.MarkdownPath(id))}\">Download Markdown</a></p>\n{body}");
}
