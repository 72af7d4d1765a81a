using DrBot.Bot.Channels.Teams;

namespace DrBot.Bot.Tests.Teams;

public sealed class InboundTextTests
{
    private static Activity Message(string text, params ActivityEntity[] mentions) => new()
    {
        Type = "message",
        Text = text,
        Recipient = new ChannelAccount { Id = "28:bot" },
        Entities = [.. mentions],
    };

    private static ActivityEntity Mention(string id, string name) =>
        new() { Type = "mention", Text = $"<at>{name}</at>", Mentioned = new ChannelAccount { Id = id, Name = name } };

    [Fact]
    public void The_bots_mention_is_removed_wherever_it_stands()
    {
        Assert.Equal("failover west-us", InboundText.CommandText(Message("<at>DrBot</at> failover west-us", Mention("28:bot", "DrBot"))));
        Assert.Equal("failover west-us", InboundText.CommandText(Message("failover <at>DrBot</at> west-us", Mention("28:bot", "DrBot"))));
    }

    [Fact]
    public void A_leading_slash_and_html_spaces_are_ignored()
    {
        Assert.Equal("failover west-us", InboundText.CommandText(Message("<at>DrBot</at>&nbsp;/failover west-us", Mention("28:bot", "DrBot"))));
        Assert.Equal("failover west-us", InboundText.CommandText(Message("/failover west-us")));
    }

    [Fact]
    public void Other_peoples_mentions_become_at_names()
    {
        var text = InboundText.CommandText(Message("<at>DrBot</at> incident assign <at>Bob</at>", Mention("28:bot", "DrBot"), Mention("29:bob", "Bob")));

        Assert.Equal("incident assign @Bob", text);
    }

    [Fact]
    public void A_leading_mention_without_an_entity_is_still_taken_as_the_bot()
    {
        Assert.Equal("help", InboundText.CommandText(Message("<at>DrBot</at> help")));
    }
}
