using System.Runtime.CompilerServices;
using Switchboard.Pipeline.Relays;

namespace Switchboard.Pipeline.Steps;

/// <summary>
/// The candidate answered: the upstream headers a client may act on, then its response back to the client. An error
/// status goes in the client's format (byte for byte when it is already); a success byte for byte when it speaks the
/// client's API (<see cref="PassthroughRelay"/>), translated otherwise (<see cref="TranslatingRelay"/>).
/// </summary>
internal sealed class RelayStep : RequestStep
{
    public static readonly RelayStep Instance = new();

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public override async ValueTask<StepResult> RunAsync(GatewayRequest request)
    {
        var upstream = request.Upstream!;
        request.MarkFirstByte();
        request.RecordAttempt(AttemptOutcome.Answered, (int)upstream.StatusCode, null);
        request.AnswerWith(request.Candidate, asFallback: request.CandidateIndex > 0);
        UpstreamCall.CopyUsefulHeaders(upstream, request.Response);
        if (!upstream.IsSuccessStatusCode)
            await UpstreamCall.RelayErrorAsync(request).ConfigureAwait(false);
        else if (request.Plan!.Translated)
            await TranslatingRelay.RelayAsync(request).ConfigureAwait(false);
        else
            await PassthroughRelay.RelayAsync(request).ConfigureAwait(false);
        return StepResult.Done;
    }
}
