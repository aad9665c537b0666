#!/usr/bin/env bash
# Load benchmarks: the gateway's added latency, throughput, streaming and memory against a direct connection to a
# fake upstream and against nginx as a plain reverse proxy, on small and Claude Code-size requests, all on 127.0.0.1.
# Builds in Release, runs for ~15–20 minutes (--quick: ~5), writes docs/benchmarks.md.
#   bench/run.sh [--quick] [--reps N] [--only latency,throughput,streams,memory,routing,nolog] [--out FILE] [--gateway-env NAME=VALUE]
#                [--rates 500,1000,2000] [--large-rates 200,500] [--scenarios 'NAME;TEXT'] [--b-gateway DLL] [--b-env NAME=VALUE]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
# Debian's wrk (throughput runs) and nginx (the plain reverse proxy every scenario is compared with).
for tool in wrk nginx; do
  if ! command -v "$tool" >/dev/null && ! [ -x "/usr/sbin/$tool" ]; then
    echo "Installing $tool (Debian package)…" >&2
    { apt-get install -y "$tool" >/dev/null 2>&1 || { apt-get update >/dev/null 2>&1 && apt-get install -y "$tool" >/dev/null 2>&1; }; } \
      || { echo "$tool is missing and could not be installed (apt-get install $tool)." >&2; exit 1; }
  fi
done
export PATH="$PATH:/usr/sbin"
out="$root/.build/bench"
mkdir -p "$out"
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
  --fixture "$root/tests/Switchboard.Tests/TestData/Fixtures/claude-code-2.1.330-request.json" --work "$work" --out "$root/docs/benchmarks.md" "$@"
