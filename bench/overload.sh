#!/usr/bin/env bash
# A gateway under open-loop overload of Claude Code-size requests (docs/benchmarks.md, round "overload"):
#   bench/overload.sh GATEWAY_DLL RATE [SECONDS] [UPSTREAM_LATENCY_MS] [YAML_LINE]...
# The fake upstream holds each request UPSTREAM_LATENCY_MS (default 2000) before it answers, so requests pile up in the
# gateway at RATE × latency; each extra argument is a line appended to the gateway's config (e.g. "limits: {max_concurrent_requests: 0}").
# Prints answered / shed / failed, the answered p50 and p99, and the gateway's peak RSS, threads and upstream connections.
set -euo pipefail
dll=$(realpath "$1"); rate=$2; seconds=${3:-10}; latency=${4:-2000}; shift $(( $# < 4 ? $# : 4 ))
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
up=$(port) gw=$(port)
dotnet "$bin/loadtest/loadtest.dll" dump-bodies "$root/tests/Switchboard.Tests/TestData/Fixtures/claude-code-2.1.330-request.json" "$work" >/dev/null
{
  echo "version: v1"
  echo "listeners: [{name: llm, address: 127.0.0.1, port: 12000}]"
  echo "model_providers:"
  echo "  - {model: openai/gpt-bench, access_key: sk-bench, base_url: \"http://127.0.0.1:$up/l$latency/v1\", default: true}"
  echo "ledger: {enabled: false}"
  for line in "$@"; do echo "$line"; done
} > "$work/gw.yaml"
DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1 dotnet "$bin/upstream/fake-upstream.dll" --port "$up" >"$work/up.log" 2>&1 &
env SWITCHBOARD_STATE_DIR="$work/state" dotnet "$dll" up --config "$work/gw.yaml" --port "$gw" >"$work/gw.log" 2>&1 &
pid=$!
for _ in $(seq 100); do curl -sf "127.0.0.1:$gw/healthz" >/dev/null && curl -sf "127.0.0.1:$up/healthz" >/dev/null && break; sleep 0.2; done
sleep 1
echo "gateway RSS at start: $(awk '/VmRSS/{print int($2/1024)}' /proc/$pid/status) MB; config extra: ${*:-none}"
dotnet "$bin/loadtest/loadtest.dll" overload --gw "$pid:$gw" --upstream-port "$up" --body "$work/openai-214k.json" \
  --path /v1/chat/completions --header "authorization:Bearer sk-bench" --rate "$rate" --seconds "$seconds" || true
kill -0 $pid 2>/dev/null && echo "gateway alive" || { echo "gateway DIED:"; tail -5 "$work/gw.log"; }
grep -m3 -i "shed\|overload\|out of memory" "$work/gw.log" || true
