using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Switchboard.Routing.Feedback;
using Switchboard.Runtime;

namespace Switchboard.Ledger;

/// <summary>
/// Once the ledger is open (before the first request), moves the config's routing feedback into it: the file beside
/// the config is imported (once: importing again adds nothing) and from then on corrections and ratings are written to
/// the ledger's database. Every few seconds it reads what other replicas of the same ledger recorded. Without a ledger
/// or a config file nothing changes: the file beside the config stays the store.
/// </summary>
internal sealed class LedgerFeedbackLink(LedgerWriter writer, GatewayRuntime runtime, ILogger<LedgerFeedbackLink> logger) : IHostedService, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private Task _refreshing = Task.CompletedTask;
    private SharedFeedbackStore? _linked;

    /// <summary>How often another replica's feedback is looked for.</summary>
    internal static TimeSpan RefreshEvery { get; set; } = TimeSpan.FromSeconds(5);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (writer.Store is not { } ledger || runtime.Current.Config.SourcePath is not { } configPath) return;
        var shared = SharedFeedbackStore.ForConfig(configPath);
        try
        {
            var (store, imported) = await LedgerFeedbackStore.OpenAsync(ledger, shared.File.ReadAll(), cancellationToken).ConfigureAwait(false);
            shared.Use(store);
            _linked = shared;
            LedgerLog.FeedbackInLedger(logger, ledger.Description, store.ReadAll().Count, imported, shared.File.Path ?? "-");
            _refreshing = Task.Run(() => RefreshAsync(store, _stopping.Token), CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LedgerLog.FeedbackUnavailable(logger, $"{ex.GetType().Name}: {ex.Message}", shared.File.Path ?? "-");
        }
    }

    private async Task RefreshAsync(LedgerFeedbackStore store, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(RefreshEvery, stoppingToken).ConfigureAwait(false);
                // Another replica's correction: a decision cached here before it must not outlive it (as on the replica that took it).
                if (await store.RefreshAsync(stoppingToken).ConfigureAwait(false) > 0) SnapshotFactory.DecisionCache.Clear();
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                LedgerLog.FeedbackRefreshFailed(logger, $"{ex.GetType().Name}: {ex.Message}");
            }
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _refreshing.ConfigureAwait(false);
        // The store is shared by the process; another gateway started in it later must not write to this ledger once it is closed.
        if (_linked is { } shared) shared.Use(shared.File);
    }

    public void Dispose() => _stopping.Dispose();
}
