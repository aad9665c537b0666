#!/usr/bin/env bash
# Gateway RSS (MB) at start, peak under a Claude Code-size load, and 1 s and 5 s after it (docs/benchmarks.md, round 7).
# The load: small OpenAI passthrough at 1,000/s, then the three Claude Code-size scenarios of the harness (OpenAI and
# Anthropic passthrough, Anthropic client -> OpenAI provider translated) at 200/s, then each of them under wrk -c32.
# --wrk-only: after a warm-up, only the three wrk phases (5 s each), whose 32 requests in flight do not grow when the
# machine is busy, unlike the fixed-rate phases' (round 9); the peak counts only their samples. Each wrk phase prints
# the gateway's CPU per request (/proc/PID/stat).
#   bench/memory-after-load.sh [--wrk-only] GATEWAY_DLL [NAME=VALUE]...     (environment variables for the gateway, e.g. DOTNET_GCgen0size=0x400000)
#   SMAPS_OUT=FILE bench/memory-after-load.sh ...   also keeps the gateway's /proc/PID/smaps as it is 5 s after the load
#   ... GATEWAY_DLL DOTNET_STARTUP_HOOKS=$PWD/.build/bench/memoryprobe/memhook.dll MEMHOOK_OUT=/tmp/probe   # what the RSS is made of (bench/MemoryProbe)
# Needs wrk (bench/run.sh installs it); builds the load runner and fake upstream into .build/bench if they are not there.
set -euo pipefail
wrk_only=0; [ "${1:-}" = --wrk-only ] && { wrk_only=1; shift; }
dll=$(realpath "$1"); shift
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_build MemoryProbe memoryprobe memhook.dll
up=$(port) gw=$(port)
dotnet "$bin/loadtest/loadtest.dll" dump-bodies "$root/tests/Switchboard.Tests/TestData/Fixtures/claude-code-2.1.330-request.json" "$work" >/dev/null
bench_config "$up"
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
ticks() { awk '{print $14+$15}' "/proc/$pid/stat"; }
start=$(rss)
( while kill -0 $pid 2>/dev/null; do rss >> "$work/samples"; sleep 0.05; done ) &
drive() { dotnet "$bin/loadtest/loadtest.dll" drive --gw "$pid:$gw" --reps 1 --warmup 0.5 --seconds 3 "$@" | tail -1; }
wrk32() { # NAME BODY PATH SECONDS: wrk -c32, then the gateway's CPU per request over it
  local t0 t1 out n bad; t0=$(ticks)
  out=$(BODY="$work/$2" wrk -t2 -c32 -d"$4"s -s "$work/post.lua" "http://127.0.0.1:$gw$3"); t1=$(ticks)
  n=$(echo "$out" | awk '/requests in/{print $1}'); bad=$(echo "$out" | awk '/Non-2xx/{print $NF}')
  echo "wrk $1: $(echo "$out" | awk '/Requests\/sec/{print $2}') req/s, gateway CPU $(( (t1 - t0) * 1000000 / $(getconf CLK_TCK) / (n > 0 ? n : 1) )) µs/request${bad:+, $bad NOT 2xx}"
}
if [ $wrk_only = 1 ]; then
  wrk32 warm-up openai-214k.json /v1/chat/completions 3 >/dev/null; wrk32 warm-up translated-165k.json /v1/messages 3 >/dev/null
  sleep 1; secs=5
else
  drive --body "$work/small.json" --path /v1/chat/completions --header "authorization:Bearer sk-bench" --rate 1000
  drive --body "$work/openai-214k.json" --path /v1/chat/completions --header "authorization:Bearer sk-bench" --rate 200
  drive --body "$work/translated-165k.json" --path /v1/messages --header "x-api-key:sk-bench" --header "anthropic-version:2023-06-01" --rate 200
  drive --body "$work/anthropic-165k.json" --path /v1/messages --header "x-api-key:sk-bench" --header "anthropic-version:2023-06-01" --rate 200
  secs=3
fi
from=$(( $(wc -l < "$work/samples") + 1 )); [ $wrk_only = 1 ] || from=1
wrk32 "OpenAI passthrough 214 KB" openai-214k.json /v1/chat/completions $secs
wrk32 "Anthropic passthrough 165 KB" anthropic-165k.json /v1/messages $secs
wrk32 "Anthropic -> OpenAI translated 165 KB" translated-165k.json /v1/messages $secs
sleep 1; after1=$(rss); sleep 4; after5=$(rss)
split() { awk '/RssAnon|RssFile|RssShmem/{printf "%s %d ", $1, $2/1024}' "/proc/$pid/status"; }
[ -n "${SMAPS_OUT:-}" ] && cp "/proc/$pid/smaps" "$SMAPS_OUT"
echo "5 s after, MB: $(split)"
trim=$(curl -sf "127.0.0.1:$gw/healthz?verbose=true" | python3 -c 'import json,sys; print(json.dumps(json.load(sys.stdin)["runtime"].get("idle_trim")))' 2>/dev/null || true)
[ -n "$trim" ] && echo "idle trim: $trim"
echo "gateway RSS MB: start $start, peak $(tail -n +$from "$work/samples" | sort -n | tail -1), 1 s after the load $after1, 5 s after $after5 (load average $(cut -d' ' -f1-3 /proc/loadavg))"
