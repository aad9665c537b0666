namespace Switchboard.Tests.TestKit;

/// <summary>
/// Base for test classes that run the real gateway in front of one fake OpenAI-format and one fake
/// Anthropic-format upstream (fresh for each test), configured by <see cref="Yaml.TwoProviders"/> plus <see cref="ExtraConfig"/>.
/// </summary>
public abstract class TwoUpstreamGatewayTest : IAsyncLifetime
{
    private protected FakeUpstream OpenAIUpstream { get; private set; } = null!;
    private protected FakeUpstream AnthropicUpstream { get; private set; } = null!;
    private protected TestGateway Gateway { get; private set; } = null!;

    /// <summary>YAML appended after the two providers (more providers, aliases, limits…).</summary>
    protected virtual string ExtraConfig => "";

    public async Task InitializeAsync()
    {
        OpenAIUpstream = await FakeUpstream.StartAsync();
        AnthropicUpstream = await FakeUpstream.StartAsync();
        Gateway = await TestGateway.StartAsync(Yaml.TwoProviders(OpenAIUpstream.BaseUrl, AnthropicUpstream.BaseUrl, ExtraConfig), Yaml.Keys);
    }

    public async Task DisposeAsync()
    {
        await Gateway.DisposeAsync();
        await OpenAIUpstream.DisposeAsync();
        await AnthropicUpstream.DisposeAsync();
    }
}
