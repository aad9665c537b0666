#!/usr/bin/env bash
# Full-load A/B of two gateways (two builds, or one build under two environments): wrk -t2 -c32 against each in
# turn (A B, B A, …), each run's throughput, gateway and fake-upstream CPU per request and the gateway's peak RSS;
# then the medians and ranges, each gateway's GCs over the whole drive and its RSS idle 5 s after.
#   bench/wrk-ab.sh A_DLL B_DLL [SECONDS=3] [PAIRS=6] [WARMUP=10]
#   A_ENV="NAME=VALUE …" B_ENV="…"   environment of each gateway (e.g. B_ENV=DOTNET_GCGen0MaxBudget=1000000)
#   BODY=FILE                        another OpenAI body (e.g. the 214 KB one: loadtest dump-bodies), model openai/gpt-bench
#   BODY=FILE REQ_PATH=/v1/responses another client API; anthropic/claude-bench is an Anthropic-format model on the same fake upstream
set -euo pipefail
a_dll=$(realpath "$1"); b_dll=$(realpath "$2"); secs=${3:-3}; pairs=${4:-6}; warm=${5:-10}
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
up=$(port) a=$(port) b=$(port)
bench_config "$up"
body=$(realpath "${BODY:-$work/small.json}")
cat > "$work/post.lua" <<LUA
wrk.method = "POST"
local f = io.open("$body", "rb"); wrk.body = f:read("*a"); f:close()
wrk.headers["Content-Type"] = "application/json"
wrk.headers["authorization"] = "Bearer sk-bench"
LUA
DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1 dotnet "$bin/upstream/fake-upstream.dll" --port "$up" >"$work/up.log" 2>&1 & upid=$!
# shellcheck disable=SC2086
env ${A_ENV:-} SWITCHBOARD_STATE_DIR="$work/a" dotnet "$a_dll" up --config "$work/gw.yaml" --port "$a" >"$work/a.log" 2>&1 & apid=$!
# shellcheck disable=SC2086
env ${B_ENV:-} SWITCHBOARD_STATE_DIR="$work/b" dotnet "$b_dll" up --config "$work/gw.yaml" --port "$b" >"$work/b.log" 2>&1 & bpid=$!
for _ in $(seq 100); do curl -sf "127.0.0.1:$a/healthz" >/dev/null && curl -sf "127.0.0.1:$b/healthz" >/dev/null && curl -sf "127.0.0.1:$up/healthz" >/dev/null && break; sleep 0.2; done
echo "A $a_dll ${A_ENV:-} (pid $apid), B $b_dll ${B_ENV:-} (pid $bpid), body $(stat -c %s "$body") B; load average $(cut -d' ' -f1-3 /proc/loadavg)"
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
rss() { awk '/VmRSS/ {print int($2 / 1024)}' "/proc/$1/status"; }
# run NAME PORT PID SECONDS: one wrk run; prints "NAME req/s gateway-µs/req upstream-µs/req peak-RSS-MB"
run() {
  local g0 u0 peak=0 out n
  g0=$(ticks "$3"); u0=$(ticks "$upid")
  wrk -t2 -c32 -d"$4"s -s "$work/post.lua" "http://127.0.0.1:$2${REQ_PATH:-/v1/chat/completions}" > "$work/wrk.out" &
  local w=$!
  while kill -0 "$w" 2>/dev/null; do r=$(rss "$3"); [ "$r" -gt "$peak" ] && peak=$r; sleep 0.05; done
  wait "$w"
  out=$(cat "$work/wrk.out")
  n=$(awk '/requests in/ {print $1}' <<<"$out")
  grep -q "Non-2xx" <<<"$out" && { echo "non-2xx answers in $1's run:" >&2; echo "$out" >&2; }
  echo "$1 $(awk '/Requests\/sec/ {print $2}' <<<"$out") $(( ($(ticks "$3") - g0) * 10000000 / n / 1000 )) $(( ($(ticks "$upid") - u0) * 10000000 / n / 1000 )) $peak"
}
run warmA "$a" "$apid" "$warm" >/dev/null; run warmB "$b" "$bpid" "$warm" >/dev/null
gcs() { curl -sf "127.0.0.1:$1/healthz?verbose=true" | python3 -c 'import json,sys; r=json.load(sys.stdin)["runtime"]; print("/".join(map(str, r["gc_collections"])), r["gc_pause_total_ms"])'; }
ga0=$(gcs "$a"); gb0=$(gcs "$b")
: > "$work/runs"
for i in $(seq "$pairs"); do
  if [ $((i % 2)) = 1 ]; then run A "$a" "$apid" "$secs"; run B "$b" "$bpid" "$secs"; else run B "$b" "$bpid" "$secs"; run A "$a" "$apid" "$secs"; fi | tee -a "$work/runs"
done
ga1=$(gcs "$a"); gb1=$(gcs "$b")
python3 - "$work/runs" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
for g in "AB":
    r = [list(map(float, x[1:])) for x in rows if x[0] == g]
    def col(i): v = [x[i] for x in r]; return f"{statistics.median(v):,.0f} ({min(v):,.0f}…{max(v):,.0f})"
    print(f"{g}: req/s {col(0)}; gateway CPU µs/req {col(1)}; fake upstream µs/req {col(2)}; peak RSS MB {col(3)}")
PY
echo "GCs gen0/gen1/gen2 and pause ms, before → after the measured runs: A $ga0 → $ga1; B $gb0 → $gb1"
sleep 5
echo "RSS 5 s after: A $(rss "$apid") MB, B $(rss "$bpid") MB; load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
