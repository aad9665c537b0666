# Shared set-up of the hand-run bench scripts (memory-after-load.sh, overload.sh, drive-ab.sh, wrk-ab.sh): sourced, not run.
# Builds the load runner and the fake upstream into .build/bench once, makes a work folder removed (with every
# background job) on exit, and `port` prints a free loopback port.
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="$root/.build/bench"
# bench_build PROJECT OUT_NAME DLL: builds bench/PROJECT into .build/bench/OUT_NAME unless its DLL is there.
bench_build() { [ -f "$bin/$2/$3" ] || dotnet build "$root/bench/$1" -c Release -o "$bin/$2" --nologo -v quiet >/dev/null; }
bench_build Switchboard.LoadTest loadtest loadtest.dll
bench_build Switchboard.FakeUpstream upstream fake-upstream.dll
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
# bench_config UPSTREAM_PORT: writes $work/small.json (a small OpenAI request) and $work/gw.yaml (an OpenAI-format and an
# Anthropic-format model on the fake upstream at that port, ledger off).
bench_config() {
  printf '{"model":"openai/gpt-bench","max_tokens":1024,"messages":[{"role":"system","content":"You are a careful senior engineer."},{"role":"user","content":"Under load the p99 latency of my C# service jumps to two seconds. Where would you start?"}]}' > "$work/small.json"
  cat > "$work/gw.yaml" <<YAML
version: v1
listeners: [{name: llm, address: 127.0.0.1, port: 12000}]
model_providers:
  - {model: openai/gpt-bench, access_key: sk-bench, base_url: "http://127.0.0.1:$1/v1", default: true}
  - {model: anthropic/claude-bench, access_key: sk-ant-bench, base_url: "http://127.0.0.1:$1/v1"}
ledger: {enabled: false}
YAML
}
