#!/usr/bin/env bash
# Soak run: minutes of steady load with injected faults against the real gateway process (loopback only),
# reporting the gateway's memory (VmRSS), threads and open fds over time, and every outcome.
#   bench/soak.sh [--minutes 3] [--concurrency 32] [--sample-seconds 10]   (also SOAK_MINUTES=N)
# Writes .build/soak-report.md; exits non-zero on any hang, truncated stream or gateway 500.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
dotnet build src/Switchboard -c Release --nologo -v q 2>&1 | grep -E " error |rror\(s\)" || true
dotnet build bench/Switchboard.Soak -c Release --nologo -v q 2>&1 | grep -E " error |rror\(s\)" || true
exec dotnet bench/Switchboard.Soak/bin/Release/net10.0/Switchboard.Soak.dll \
  --gateway src/Switchboard/bin/Release/net10.0/switchboard.dll --report .build/soak-report.md "$@"
