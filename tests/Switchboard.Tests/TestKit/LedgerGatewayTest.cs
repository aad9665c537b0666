namespace Switchboard.Tests.TestKit;

/// <summary>
/// Base for tests of a gateway that keeps a ledger: one fake OpenAI-format and one fake Anthropic-format upstream and a
/// temporary state folder for the ledger file, fresh for each test and removed after it.
/// </summary>
public abstract class LedgerGatewayTest : IAsyncLifetime
{
    protected string StateDir { get; } = Directory.CreateTempSubdirectory("sb-ledger-").FullName;
    private protected FakeUpstream OpenAIUpstream { get; private set; } = null!;
    private protected FakeUpstream AnthropicUpstream { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        OpenAIUpstream = await FakeUpstream.StartAsync();
        AnthropicUpstream = await FakeUpstream.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await OpenAIUpstream.DisposeAsync();
        await AnthropicUpstream.DisposeAsync();
        try { Directory.Delete(StateDir, recursive: true); } catch (IOException) { }
    }
}
