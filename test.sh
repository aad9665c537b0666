#!/usr/bin/env bash
# Runs the whole test suite: unit, functional (real gateway + fake upstreams on loopback, official SDKs)
# and end-to-end (the real Claude Code CLI, when installed by .ci/run or `npm ci --prefix tests/e2e`).
set -uo pipefail
# ./test.sh                      every test
# ./test.sh --kind unit          one kind: unit | functional | e2e (tests/Switchboard.Tests/Unit, Functional, EndToEnd)
# ./test.sh --filter EXPR        any `dotnet test --filter` expression (other arguments go to dotnet test as they are)
args=()
kind=""
while [ $# -gt 0 ]; do
  case "$1" in
    --kind) kind="${2:-}"; shift 2 ;;
    --kind=*) kind="${1#--kind=}"; shift ;;
    *) args+=("$1"); shift ;;
  esac
done
case "$kind" in
  "") ;;
  unit) args+=(--filter "Kind=Unit") ;;
  functional) args+=(--filter "Kind=Functional") ;;
  e2e|endtoend|end-to-end) args+=(--filter "Kind=EndToEnd") ;;
  *) echo "--kind takes unit, functional or e2e (got '$kind')" >&2; exit 2 ;;
esac
root="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$root"
# The end-to-end tests drive the real Claude Code and Codex CLIs, pinned in tests/e2e/package.json.
if [ "$kind" != unit ] && [ "$kind" != functional ] && { [ ! -x tests/e2e/node_modules/.bin/claude ] || [ ! -x tests/e2e/node_modules/.bin/codex ]; }; then
  echo "Installing the pinned Claude Code CLI for the end-to-end tests (npm ci --prefix tests/e2e)…" >&2
  npm ci --prefix tests/e2e --no-audit --no-fund --loglevel=error || { echo "npm ci failed: the end-to-end tests need Node.js/npm and the npm registry." >&2; exit 1; }
fi
# The in-process gateways run the way `switchboard up` ships: socket completions and request handlers inline on the
# socket threads (src/Switchboard/Runtime/InlineSocketIo.cs). DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=0 tests the other mode.
export DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS="${DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS:-1}"
results="$root/.build/test-results"
rm -rf "$results"
mkdir -p "$results"
dotnet test Switchboard.slnx -c Release --nologo --logger "console;verbosity=normal" --logger "trx;LogFilePrefix=run" --results-directory "$results" "${args[@]}" 2>&1 | tee "$results/output.log"
status=${PIPESTATUS[0]}
# One plain closing line, summed over every test assembly.
summary=$(awk '
  /^Total tests:/ { counting = 1; next }
  counting && /^ +Passed:/  { p += $2; next }
  counting && /^ +Failed:/  { f += $2; next }
  counting && /^ +Skipped:/ { s += $2; next }
  counting { counting = 0 }
  END { printf "%d passed, %d failed, %d skipped", p, f, s }' "$results/output.log")
echo
echo "tests: ${summary:-0 passed, 0 failed}"
exit "$status"
