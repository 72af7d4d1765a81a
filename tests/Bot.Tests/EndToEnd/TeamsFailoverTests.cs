using System.Net;
using System.Text.Json.Nodes;
using DrBot.Bot.Tests.Support;
using DrBot.Bot.Tests.Teams.Support;

namespace DrBot.Bot.Tests.EndToEnd;

/// <summary>
/// The failover as a Teams team lives it, against the real bot process: alice (on-call) types
/// <c>@DrBot failover west-us</c> in the incident channel, the runbook card is posted through the
/// Connector, her own Approve click is refused with the four-eyes reason, bob's is answered with
/// the refreshed card, and the same card is updated in place until the run has succeeded.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class TeamsFailoverTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task On_call_starts_a_failover_in_Teams_is_refused_on_her_own_gate_and_a_lead_approves_it_through_to_Succeeded()
    {
        // Alice is on-call and also a lead here, so the only reason to refuse her is four-eyes.
        await using var teams = await TeamsBotProcess.StartAsync("teams-failover", new Dictionary<string, string>
        {
            ["DrBot__People__alice__Roles__1"] = "lead",
            ["DrBot__People__carol__Teams"] = TeamsBotProcess.CarolAad,
        });
        using (var installed = await teams.PostActivityAsync(teams.Install(), teams.ValidToken()))
            Assert.Equal(HttpStatusCode.OK, installed.StatusCode);
        await teams.Bot.SendAsync("bob", "drill region-down east-us");

        var thread = TeamsBotProcess.ChannelId + ";messageid=root-1";
        using (var asked = await teams.PostActivityAsync(teams.Message("<at>DrBot</at> failover west-us", TeamsBotProcess.AliceAad, "msg-failover", thread), teams.ValidToken()))
            Assert.Equal(HttpStatusCode.OK, asked.StatusCode);

        // The answer in alice's thread, with the ids escaped in the Connector path.
        var reply = await teams.WaitForCallAsync(c => c.Method == "POST" && ConnectorCalls.Text(c).Contains("started region-failover", StringComparison.Ordinal), Wait, "answering alice");
        Assert.Equal($"/connector/v3/conversations/{Uri.EscapeDataString(thread)}/activities/msg-failover", reply.RawPath);
        Assert.Equal("Bearer " + BotFrameworkStandIn.ConnectorToken, reply.Authorization);

        // The runbook card reaches the incident channel and, once the gate opens, carries Approve.
        await teams.WaitForCallAsync(c => c.Status == 200 && HasApprove(c), Wait, "with an Approve button");
        var gateCard = await LatestApproveCardAsync(teams);
        var (conversation, activityId) = Location(teams, gateCard);
        var created = Assert.Single(teams.Cloud.ConnectorCalls, c => ConnectorCalls.IsCreateConversation(c) && c.Status == 200
            && JsonNode.Parse(c.Answer!)!["activityId"]!.GetValue<string>() == activityId);
        Assert.Equal(TeamsBotProcess.ChannelId, created.Json["channelData"]!["channel"]!["id"]!.GetValue<string>());
        Assert.Equal(BotFrameworkStandIn.Tenant, created.Json["tenantId"]!.GetValue<string>());
        Assert.Contains("Region failover", ConnectorCalls.Text(created), StringComparison.OrdinalIgnoreCase);
        var approve = CardJson.Actions(ConnectorCalls.Card(gateCard)).First(a => a.Verb == "approve");

        // Four-eyes: the requester's click is refused, with the reason in the invoke response.
        using (var refused = await teams.PostActivityAsync(teams.Invoke(TeamsBotProcess.AliceAad, "invoke-alice", conversation, activityId, "approve", approve.Data), teams.ValidToken()))
        {
            Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
            var body = JsonNode.Parse(await refused.Content.ReadAsStringAsync())!;
            Assert.Equal("application/vnd.microsoft.error", body["type"]!.GetValue<string>());
            Assert.NotEqual(200, body["statusCode"]!.GetValue<int>());
            var message = body["value"]!["message"]!.GetValue<string>();
            Assert.Contains("Four-eyes", message, StringComparison.Ordinal);
            Assert.Contains("Alice", message, StringComparison.Ordinal);
        }

        // A lead's click: 200 with the refreshed card for him; region failover needs a second lead, and the card says so.
        var putsBefore = teams.Cloud.ConnectorCalls.Count(c => c.Method == "PUT");
        Assert.True(approve.Data.ContainsKey("facts"), "the Approve button carries the digest of the facts its card shows");
        (string Title, string Verb, Dictionary<string, string> Data) approveSecond;
        using (var approved = await teams.PostActivityAsync(teams.Invoke(TeamsBotProcess.BobAad, "invoke-bob", conversation, activityId, "approve", approve.Data), teams.ValidToken()))
        {
            Assert.Equal(HttpStatusCode.OK, approved.StatusCode);
            var body = JsonNode.Parse(await approved.Content.ReadAsStringAsync())!;
            Assert.Equal(200, body["statusCode"]!.GetValue<int>());
            Assert.Equal("application/vnd.microsoft.card.adaptive", body["type"]!.GetValue<string>());
            Assert.Contains("Approval counted from Bob", CardJson.Text(body["value"]), StringComparison.Ordinal);
            Assert.Contains("1 of 2 so far: Bob; 1 still needed", CardJson.Text(body["value"]), StringComparison.Ordinal);
            approveSecond = CardJson.Actions(body["value"]).Single(a => a.Verb == "approve");
        }

        // The second lead approves on the card as it is now: the gate opens.
        using (var approved = await teams.PostActivityAsync(teams.Invoke(TeamsBotProcess.CarolAad, "invoke-carol", conversation, activityId, "approve", approveSecond.Data), teams.ValidToken()))
        {
            Assert.Equal(HttpStatusCode.OK, approved.StatusCode);
            var body = JsonNode.Parse(await approved.Content.ReadAsStringAsync())!;
            Assert.Equal(200, body["statusCode"]!.GetValue<int>());
            Assert.Contains("Approved by Carol", CardJson.Text(body["value"]), StringComparison.Ordinal);
            Assert.DoesNotContain(CardJson.Actions(body["value"]), a => a.Verb == "approve");
        }

        // Everyone else sees it through PUTs of the same activity, until the run has succeeded.
        var done = await teams.WaitForCallAsync(c => c.Method == "PUT" && ConnectorCalls.UpdatedActivityId(c) == activityId
            && ConnectorCalls.Text(c).Contains("Succeeded", StringComparison.Ordinal), Wait, "updating the card to Succeeded");
        Assert.DoesNotContain(CardJson.Actions(ConnectorCalls.Card(done)), a => a.Verb == "approve");
        var runCardUpdates = teams.Cloud.ConnectorCalls.Where(c => c.Method == "PUT").Skip(putsBefore)
            .Where(c => ConnectorCalls.Text(c).Contains($"Run {approve.Data["runId"]} ", StringComparison.Ordinal)).ToList();
        Assert.True(runCardUpdates.Count >= 2, $"expected several in-place updates of the run card after approval:\n{teams.Describe()}");
        Assert.All(runCardUpdates, c => Assert.Equal($"/connector/v3/conversations/{Uri.EscapeDataString(conversation)}/activities/{activityId}", c.RawPath));

        // The bot's own token came from the configured authority by client credentials, and was
        // cached: only sends racing each other before the first answer may fetch one each.
        Assert.NotEmpty(teams.Cloud.TokenCalls);
        Assert.True(teams.Cloud.TokenCalls.Count <= 3, $"{teams.Cloud.TokenCalls.Count} token requests for {teams.Cloud.ConnectorCalls.Count} Connector calls");
        Assert.All(teams.Cloud.TokenCalls, call =>
        {
            Assert.Contains("grant_type=client_credentials", call.Body, StringComparison.Ordinal);
            Assert.Contains(Uri.EscapeDataString("https://api.botframework.com/.default"), call.Body, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task Accepting_data_loss_in_Teams_needs_the_target_region_typed_in_the_card_and_a_wrong_name_is_refused()
    {
        await using var teams = await TeamsBotProcess.StartAsync("teams-confirm");
        using (var installed = await teams.PostActivityAsync(teams.Install(), teams.ValidToken()))
            Assert.Equal(HttpStatusCode.OK, installed.StatusCode);
        await teams.Bot.SendAsync("bob", "drill lag 90 west-us");
        var thread = TeamsBotProcess.ChannelId + ";messageid=root-2";
        using (var asked = await teams.PostActivityAsync(teams.Message("<at>DrBot</at> failover-db west-us", TeamsBotProcess.AliceAad, "msg-failover-db", thread), teams.ValidToken()))
            Assert.Equal(HttpStatusCode.OK, asked.StatusCode);

        // The promotion gate: one lead, nothing to type.
        await teams.WaitForCallAsync(c => c.Status == 200 && HasApprove(c), Wait, "with an Approve button");
        var gateCard = await LatestApproveCardAsync(teams);
        var (conversation, activityId) = Location(teams, gateCard);
        var promote = CardJson.Actions(ConnectorCalls.Card(gateCard)).Single(a => a.Verb == "approve");
        using (var approved = await teams.PostActivityAsync(teams.Invoke(TeamsBotProcess.BobAad, "invoke-promote", conversation, activityId, "approve", promote.Data), teams.ValidToken()))
            Assert.Equal(200, JsonNode.Parse(await approved.Content.ReadAsStringAsync())!["statusCode"]!.GetValue<int>());

        // The data-loss gate: the card has a box for the target region's name (Input.Text "confirm").
        var dataLoss = await teams.WaitForCallAsync(c => c.Method == "PUT" && ConnectorCalls.UpdatedActivityId(c) == activityId && HasApprove(c)
            && ConnectorCalls.Text(c).Contains("This cannot be undone", StringComparison.Ordinal), Wait, "the data-loss gate");
        var card = ConnectorCalls.Card(dataLoss)!;
        Assert.Contains(card["body"]!.AsArray().OfType<JsonObject>(), e => (string?)e["type"] == "Input.Text" && (string?)e["id"] == "confirm");
        var approve = CardJson.Actions(card).Single(a => a.Verb == "approve");

        // Teams sends the card's inputs with the action's data: a wrong name is refused saying what to type.
        var typedWrong = new Dictionary<string, string>(approve.Data) { ["confirm"] = "east-us" };
        using (var refused = await teams.PostActivityAsync(teams.Invoke(TeamsBotProcess.BobAad, "invoke-wrong", conversation, activityId, "approve", typedWrong), teams.ValidToken()))
        {
            var body = JsonNode.Parse(await refused.Content.ReadAsStringAsync())!;
            Assert.Equal("application/vnd.microsoft.error", body["type"]!.GetValue<string>());
            var message = body["value"]!["message"]!.GetValue<string>();
            Assert.Contains("type the target region's name, west-us", message, StringComparison.Ordinal);
            Assert.Contains("you typed 'east-us'", message, StringComparison.Ordinal);
        }

        var typedRight = new Dictionary<string, string>(approve.Data) { ["confirm"] = "west-us" };
        using (var approved = await teams.PostActivityAsync(teams.Invoke(TeamsBotProcess.BobAad, "invoke-right", conversation, activityId, "approve", typedRight), teams.ValidToken()))
        {
            var body = JsonNode.Parse(await approved.Content.ReadAsStringAsync())!;
            Assert.Equal(200, body["statusCode"]!.GetValue<int>());
            Assert.Contains("Accept possible data loss", CardJson.Text(body["value"]), StringComparison.Ordinal);
        }
        await teams.WaitForCallAsync(c => c.Method == "PUT" && ConnectorCalls.UpdatedActivityId(c) == activityId
            && ConnectorCalls.Text(c).Contains("Succeeded", StringComparison.Ordinal), Wait, "updating the card to Succeeded");
    }

    private static bool HasApprove(RecordedCall call) => CardJson.Actions(ConnectorCalls.Card(call)).Any(a => a.Verb == "approve");

    /// <summary>The newest card with Approve once the outbox has gone quiet (so its version is current).</summary>
    private static async Task<RecordedCall> LatestApproveCardAsync(TeamsBotProcess teams)
    {
        var count = -1;
        while (teams.Cloud.ConnectorCalls.Count != count)
        {
            count = teams.Cloud.ConnectorCalls.Count;
            await Task.Delay(1000);
        }
        return teams.Cloud.ConnectorCalls.Last(c => c.Status == 200 && HasApprove(c));
    }

    /// <summary>The conversation and activity id of a card, whether it was just created or updated in place.</summary>
    private static (string Conversation, string ActivityId) Location(TeamsBotProcess teams, RecordedCall call)
    {
        if (ConnectorCalls.IsCreateConversation(call))
        {
            var answer = JsonNode.Parse(call.Answer!)!;
            return (answer["id"]!.GetValue<string>(), answer["activityId"]!.GetValue<string>());
        }
        Assert.True(call.Method == "PUT", $"the card arrived neither created nor updated:\n{teams.Describe()}");
        var segments = call.RawPath.Split('/');
        return (Uri.UnescapeDataString(segments[^3]), Uri.UnescapeDataString(segments[^1]));
    }
}
