#!/usr/bin/env bash
# Call benchmark of issue 2, section 6 (see BENCHMARKS.md, "Whole-call CPU,
# RSS and start -> INVITE"): the same 30 s PCMU call through a private
# Kamailio to an auto-answering baresip, 3 times with Pitchline headless as
# the caller and 3 times with baresip as the caller; user+sys CPU and peak RSS
# of the calling process, medians and ratio; then exec -> first INVITE on the
# wire. Loopback only; about 5 minutes.
#
# Measures two builds of the same source: "release" (the Makefile's tags
# desktop,production,webkit2_41, i.e. the shipped binary, which links
# GTK/WebKit) and "headless" (plain `go build`, no GUI libraries).
# PITCHLINE_BIN=path measures only that binary instead.
# Knobs (passed through): PITCHLINE_BENCH_CALL (30s), PITCHLINE_BENCH_RUNS (3),
# PITCHLINE_BENCH_LATENCY_RUNS (7), PITCHLINE_BENCH_OUT (also write the report).
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
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if [[ -z "${PITCHLINE_BIN:-}" ]]; then
  echo "==> 20-call-cpu: building release (tags desktop,production,webkit2_41) and headless binaries"
  "$GO" build -tags desktop,production,webkit2_41 -ldflags "-w -s" -o "$tmp/pitchline-release" .
  "$GO" build -ldflags "-w -s" -o "$tmp/pitchline-headless" .
  export PITCHLINE_BIN="$tmp/pitchline-release" PITCHLINE_BIN_LABEL=release
  export PITCHLINE_BIN2="$tmp/pitchline-headless" PITCHLINE_BIN_LABEL2=headless
fi

echo "==> 20-call-cpu: source $(git describe --always --dirty 2>/dev/null || echo unknown), load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
"$GO" test -tags benchlab -run '^TestCallBench$' -count=1 -v -timeout 25m ./internal/benchlab/
