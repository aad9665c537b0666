#!/usr/bin/env bash
# CPU per small OpenAI passthrough request of two gateway builds, interleaved (A B, B A, …) by `loadtest drive`:
#   bench/drive-ab.sh A_DLL B_DLL [RATE=500] [SECONDS=4] [REPS=8] [WARMUP=15] [KIND=small]
#   BODY=FILE bench/drive-ab.sh ...   another OpenAI body (e.g. the 214 KB one: loadtest dump-bodies), model openai/gpt-bench
# KIND translated-165k: the Claude Code-size Anthropic request to /v1/messages, translated to the OpenAI upstream.
# At the end, each gateway's garbage collections (gen0/gen1/gen2) and their total pause over the whole drive.
set -euo pipefail
a_dll=$(realpath "$1"); b_dll=$(realpath "$2"); rate=${3:-500}; secs=${4:-4}; reps=${5:-8}; warm=${6:-15}; kind=${7:-small}
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
up=$(port) a=$(port) b=$(port)
bench_config "$up"
DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1 dotnet "$bin/upstream/fake-upstream.dll" --port "$up" >"$work/up.log" 2>&1 &
SWITCHBOARD_STATE_DIR="$work/a" dotnet "$a_dll" up --config "$work/gw.yaml" --port "$a" >"$work/a.log" 2>&1 & apid=$!
SWITCHBOARD_STATE_DIR="$work/b" dotnet "$b_dll" up --config "$work/gw.yaml" --port "$b" >"$work/b.log" 2>&1 & bpid=$!
for _ in $(seq 100); do curl -sf "127.0.0.1:$a/healthz" >/dev/null && curl -sf "127.0.0.1:$b/healthz" >/dev/null && curl -sf "127.0.0.1:$up/healthz" >/dev/null && break; sleep 0.2; done
echo "A $a_dll (pid $apid), B $b_dll (pid $bpid); load average $(cut -d' ' -f1-3 /proc/loadavg)"
body="${BODY:-$work/small.json}" path=/v1/chat/completions
if [ "$kind" = translated-165k ]; then
  dotnet "$bin/loadtest/loadtest.dll" dump-bodies "$root/tests/Switchboard.Tests/TestData/Fixtures/claude-code-2.1.330-request.json" "$work/bodies" >/dev/null
  body="$work/bodies/translated-165k.json" path=/v1/messages
fi
dotnet "$bin/loadtest/loadtest.dll" drive --body "$body" --path "$path" --header "authorization:Bearer sk-bench" \
  --gw "$apid:$a" --gw "$bpid:$b" --rate "$rate" --seconds "$secs" --reps "$reps" --warmup "$warm"
gcs() { curl -sf "127.0.0.1:$1/healthz?verbose=true" | python3 -c 'import json,sys; r=json.load(sys.stdin)["runtime"]; print("GCs", "/".join(map(str, r["gc_collections"])), "pause", r["gc_pause_total_ms"], "ms")'; }
echo "A: $(gcs "$a"); B: $(gcs "$b")"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
