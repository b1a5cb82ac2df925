#!/usr/bin/env bash
# Call benchmark (see BENCHMARKS.md, "Whole call: CPU and RSS against
# baresip"): a PCMU call through a private Kamailio to auto-answering baresip
# callees, with Pitchline and baresip calling AT THE SAME TIME (one pair;
# which one starts first alternates), 3 pairs per Pitchline build: user+sys
# CPU and peak RSS of each calling process, the ratio per pair; then
# exec -> first INVITE on the wire; then instructions per 5 s and 15 s call
# under valgrind's callgrind (the load-independent figure). Loopback only;
# about 12 minutes.
#
# Measures the two binaries `make go-build` ships, built here with
# `make [frontend] go-build`: build/bin/pitchline (tags
# desktop,production,webkit2_41, links GTK/WebKit) as "release", and
# build/bin/pitchline-cli (same source, plain `go build`, no GUI libraries)
# as "headless". PITCHLINE_BIN=path measures only that binary instead.
# Knobs (passed through): PITCHLINE_BENCH_CALL (30s), PITCHLINE_BENCH_RUNS (3),
# PITCHLINE_BENCH_LATENCY_RUNS (7), PITCHLINE_BENCH_INSN_CALL (5s),
# PITCHLINE_BENCH_INSN_CALL2 (15s),
# PITCHLINE_BENCH_INSN_RUNS (2; 0 skips the callgrind part),
# PITCHLINE_BENCH_OUT (also write the report to this file).
set -euo pipefail
cd "$(dirname "$0")/../.."

missing=()
for tool in kamailio kamcmd baresip; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if [[ ! -e /usr/lib/baresip/modules/ctrl_tcp.so ]]; then
  missing+=("baresip modules (/usr/lib/baresip/modules)")
fi
if ((${#missing[@]})); then
  echo "SKIP 20-call-cpu: missing ${missing[*]} (install with: make setup)"
  exit 0
fi

GO=${GO:-go}

if [[ -z "${PITCHLINE_BIN:-}" ]]; then
  if [[ ! -e frontend/dist/index.html ]]; then
    echo "==> 20-call-cpu: make frontend go-build (the shipped binaries)"
    make --no-print-directory frontend go-build
  else
    echo "==> 20-call-cpu: make go-build (the shipped binaries; frontend/dist as built)"
    make --no-print-directory go-build
  fi
  export PITCHLINE_BIN="$PWD/build/bin/pitchline" PITCHLINE_BIN_LABEL=release
  export PITCHLINE_BIN2="$PWD/build/bin/pitchline-cli" PITCHLINE_BIN_LABEL2=headless
fi

echo "==> 20-call-cpu: source $(git describe --always --dirty 2>/dev/null || echo unknown), load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
"$GO" test -tags benchlab -run '^TestCallBench$' -count=1 -v -timeout 30m ./internal/benchlab/
if [[ "${PITCHLINE_BENCH_INSN_RUNS:-2}" != 0 ]]; then
  "$GO" test -tags benchlab -run '^TestCallInstructions$' -count=1 -v -timeout 30m ./internal/benchlab/
fi
