#!/usr/bin/env bash
# Gateway RSS (MB) at start, peak under a Claude Code-size load, and 1 s and 5 s after it (docs/benchmarks.md, round 7).
# The load: small OpenAI passthrough at 1,000/s, then the three Claude Code-size scenarios of the harness (OpenAI and
# Anthropic passthrough, Anthropic client -> OpenAI provider translated) at 200/s, then each of them under wrk -c32.
#   bench/memory-after-load.sh GATEWAY_DLL [NAME=VALUE]...     (environment variables for the gateway, e.g. DOTNET_GCgen0size=0x400000)
# Needs wrk (bench/run.sh installs it); builds the load runner and fake upstream into .build/bench if they are not there.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dll=$(realpath "$1"); shift
bin="$root/.build/bench"
[ -f "$bin/loadtest/loadtest.dll" ] || dotnet build "$root/bench/Switchboard.LoadTest" -c Release -o "$bin/loadtest" --nologo -v quiet >/dev/null
[ -f "$bin/upstream/fake-upstream.dll" ] || dotnet build "$root/bench/Switchboard.FakeUpstream" -c Release -o "$bin/upstream" --nologo -v quiet >/dev/null
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
up=$(port) gw=$(port)
dotnet "$bin/loadtest/loadtest.dll" dump-bodies "$root/tests/Switchboard.Tests/TestData/Fixtures/claude-code-2.1.330-request.json" "$work" >/dev/null
printf '{"model":"openai/gpt-bench","max_tokens":1024,"messages":[{"role":"system","content":"You are a careful senior engineer."},{"role":"user","content":"Under load the p99 latency of my C# service jumps to two seconds. Where would you start?"}]}' > "$work/small.json"
cat > "$work/gw.yaml" <<YAML
version: v1
listeners: [{name: llm, address: 127.0.0.1, port: 12000}]
model_providers:
  - {model: openai/gpt-bench, access_key: sk-bench, base_url: "http://127.0.0.1:$up/v1", default: true}
  - {model: anthropic/claude-bench, access_key: sk-ant-bench, base_url: "http://127.0.0.1:$up/v1"}
ledger: {enabled: false}
YAML
cat > "$work/post.lua" <<'LUA'
wrk.method = "POST"
local f = io.open(os.getenv("BODY"), "rb"); wrk.body = f:read("*a"); f:close()
wrk.headers["Content-Type"] = "application/json"
wrk.headers["authorization"] = "Bearer sk-bench"
wrk.headers["x-api-key"] = "sk-bench"
wrk.headers["anthropic-version"] = "2023-06-01"
LUA
DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1 dotnet "$bin/upstream/fake-upstream.dll" --port "$up" >"$work/up.log" 2>&1 &
env SWITCHBOARD_STATE_DIR="$work/state" "$@" dotnet "$dll" up --config "$work/gw.yaml" --port "$gw" >"$work/gw.log" 2>&1 &
pid=$!
for _ in $(seq 100); do curl -sf "127.0.0.1:$gw/healthz" >/dev/null && curl -sf "127.0.0.1:$up/healthz" >/dev/null && break; sleep 0.2; done
sleep 2
rss() { awk '/VmRSS/{print int($2/1024)}' "/proc/$pid/status"; }
start=$(rss)
( peak=0; while kill -0 $pid 2>/dev/null; do r=$(rss); [ "$r" -gt "$peak" ] && { peak=$r; echo $peak > "$work/peak"; }; sleep 0.05; done ) &
drive() { dotnet "$bin/loadtest/loadtest.dll" drive --gw "$pid:$gw" --reps 1 --warmup 0.5 --seconds 3 "$@" | tail -1; }
drive --body "$work/small.json" --path /v1/chat/completions --header "authorization:Bearer sk-bench" --rate 1000
drive --body "$work/openai-214k.json" --path /v1/chat/completions --header "authorization:Bearer sk-bench" --rate 200
drive --body "$work/translated-165k.json" --path /v1/messages --header "x-api-key:sk-bench" --header "anthropic-version:2023-06-01" --rate 200
drive --body "$work/anthropic-165k.json" --path /v1/messages --header "x-api-key:sk-bench" --header "anthropic-version:2023-06-01" --rate 200
BODY="$work/openai-214k.json" wrk -t2 -c32 -d3s -s "$work/post.lua" "http://127.0.0.1:$gw/v1/chat/completions" | grep -E "Requests/sec|Non-2xx"
BODY="$work/anthropic-165k.json" wrk -t2 -c32 -d3s -s "$work/post.lua" "http://127.0.0.1:$gw/v1/messages" | grep -E "Requests/sec|Non-2xx"
BODY="$work/translated-165k.json" wrk -t2 -c32 -d3s -s "$work/post.lua" "http://127.0.0.1:$gw/v1/messages" | grep -E "Requests/sec|Non-2xx"
sleep 1; after1=$(rss); sleep 4; after5=$(rss)
echo "gateway RSS MB: start $start, peak $(cat "$work/peak"), 1 s after the load $after1, 5 s after $after5 (load average $(cut -d' ' -f1-3 /proc/loadavg))"
