#!/usr/bin/env bash
# Load benchmarks: the gateway's added latency, throughput, streaming and memory against a direct connection to a
# fake upstream, all on 127.0.0.1. Builds in Release, runs for ~5 minutes (--quick: ~2), writes docs/benchmarks.md.
#   bench/run.sh [--quick] [--reps N] [--only latency,throughput,streams,memory,routing,nolog] [--out FILE] [--gateway-env NAME=VALUE] [--rates 500,1000] [--scenarios TEXT]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
if ! command -v wrk >/dev/null; then
  echo "Installing wrk (Debian package) for the throughput runs…" >&2
  { apt-get install -y wrk >/dev/null 2>&1 || { apt-get update >/dev/null 2>&1 && apt-get install -y wrk >/dev/null 2>&1; }; } \
    || { echo "wrk is missing and could not be installed (apt-get install wrk)." >&2; exit 1; }
fi
out="$root/.build/bench"
echo "Building gateway, fake upstream and load runner (Release)…" >&2
dotnet build src/Switchboard/Switchboard.csproj -c Release -o "$out/gateway" --nologo -v quiet >"$out.build.log" 2>&1 \
  && dotnet build bench/Switchboard.FakeUpstream/Switchboard.FakeUpstream.csproj -c Release -o "$out/upstream" --nologo -v quiet >>"$out.build.log" 2>&1 \
  && dotnet build bench/Switchboard.LoadTest/Switchboard.LoadTest.csproj -c Release -o "$out/loadtest" --nologo -v quiet >>"$out.build.log" 2>&1 \
  || { cat "$out.build.log" >&2; exit 1; }
work="$out/run"
rm -rf "$work"; mkdir -p "$work"
# The load runner and the fake upstream stand in for a client and a provider that, in production, are not on the
# gateway's cores at all: they run lean (socket completions inline, no thread-pool hand-offs and spinning), so the
# CPU they take from the gateway on this 2-core machine is as small as it can be. Direct runs use them the same way.
export DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1
exec dotnet "$out/loadtest/loadtest.dll" --gateway "$out/gateway/switchboard.dll" --upstream "$out/upstream/fake-upstream.dll" \
  --work "$work" --out "$root/docs/benchmarks.md" "$@"
