using Switchboard.Observability;
using Switchboard.Pipeline;

namespace Switchboard.Tests.Unit.Observability;

[Trait("Kind", "Unit")]
public sealed class SessionTrackerTests
{
    [Fact]
    public void Keeps_the_latest_request_per_session_and_never_shows_a_session_anothers()
    {
        var hub = new RequestEventHub();
        var tracker = new SessionTracker(hub);
        Assert.Null(tracker.Latest("a"));

        hub.Publish(Event("1", "a"));
        hub.Publish(Event("2", "b"));
        hub.Publish(Event("3", "a"));
        hub.Publish(Event("4", null));

        Assert.Equal("3", tracker.Latest("a")!.RequestId);
        Assert.Equal("2", tracker.Latest("b")!.RequestId);
        Assert.Null(tracker.Latest("new-session")); // a new session has made no request: nothing of the others
        Assert.Equal("4", tracker.Latest(null)!.RequestId); // no session given (run by hand): the latest overall
    }

    [Fact]
    public void Forgets_the_least_recently_active_session_past_its_capacity()
    {
        var hub = new RequestEventHub();
        var tracker = new SessionTracker(hub, capacity: 2);
        hub.Publish(Event("1", "a"));
        hub.Publish(Event("2", "b"));
        hub.Publish(Event("3", "a")); // a is now more recent than b
        hub.Publish(Event("4", "c"));

        Assert.Equal(2, tracker.Count);
        Assert.Equal("3", tracker.Latest("a")!.RequestId);
        Assert.Null(tracker.Latest("b")); // b was forgotten
        Assert.Equal("4", tracker.Latest("c")!.RequestId);
    }

    [Theory]
    [InlineData("user_3f2a_account_9b1c2d3e-aaaa-bbbb-cccc-123456789abc_session_0b6d2d3e-1111-2222-3333-444455556666", "0b6d2d3e-1111-2222-3333-444455556666")]
    [InlineData("user_3f2a_account__session_abc", "abc")]
    [InlineData("""{"device_id":"d","account_uuid":"a","session_id":"s-1"}""", "s-1")]
    [InlineData("user_3f2a", null)]
    [InlineData("", null)]
    [InlineData(null, null)]
    [InlineData("{broken", null)]
    public void Reads_the_session_out_of_claude_codes_user_id(string? userId, string? expected) =>
        Assert.Equal(expected, ClientSession.FromUserId(userId));

    [Theory]
    [InlineData("c409ee32-e0a2-435d-8996-973c14eab642", """{"session_id":"other"}""", "c409ee32-e0a2-435d-8996-973c14eab642")]
    [InlineData("", """{"session_id":"from-metadata"}""", "from-metadata")]
    [InlineData(null, "user_x_account__session_abc", "abc")]
    [InlineData(null, null, null)]
    public void The_session_header_comes_first_then_user_id(string? header, string? userId, string? expected) =>
        Assert.Equal(expected, ClientSession.From(header, userId));

    private static RequestEvent Event(string id, string? session) =>
        new(id, DateTimeOffset.UtcNow, "anthropic", "claude", "openai/gpt-4.1", "openai", "none", "default", 200, 1, 1, false, null, null, null, session);
}
