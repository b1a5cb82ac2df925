#!/usr/bin/env bash
# Conference benchmark (BENCHMARKS.md, "Conference CPU against Janus
# AudioBridge"; issue 10 section 6): an 8-leg and a 32-leg conference of
# PCMU participants streamed by sipp, mixed by `pitchline conference` and,
# AT THE SAME TIME, by Janus AudioBridge (Debian's janus package) hosting
# the same participants as plain-RTP participants in a 48 kHz room. CPU
# (utime+stime from /proc/PID/stat) of each mixing process over the same
# window, per leg, and the ratio per round. Loopback only; about 3 minutes.
#
# Measures build/bin/pitchline-cli (built here with `make go-build` unless
# PITCHLINE_BIN names a binary). Knobs (passed through):
# PITCHLINE_BENCH_CONF_LEGS (8,32), PITCHLINE_BENCH_CONF_ROUNDS (3),
# PITCHLINE_BENCH_CONF_WINDOW (20s), PITCHLINE_BENCH_CONF_SETTLE (3s),
# PITCHLINE_BENCH_CONF_RATE (48000), PITCHLINE_BENCH_OUT (also write the
# report to this file).
#
# Janus missing is an error, never a skip: install it with `make setup`
# (scripts/packages.txt) or `apt-get install janus`.
set -euo pipefail
cd "$(dirname "$0")/../.."

missing=()
for tool in janus sipp; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if ((${#missing[@]})); then
  echo "60-conference-janus: missing ${missing[*]} (install with: make setup, or apt-get install janus sip-tester)" >&2
  exit 1
fi

GO=${GO:-go}
if [[ -z "${PITCHLINE_BIN:-}" ]]; then
  if [[ ! -e frontend/dist/index.html ]]; then
    echo "==> 60-conference-janus: make frontend go-build"
    make --no-print-directory frontend go-build
  else
    echo "==> 60-conference-janus: make go-build (frontend/dist as built)"
    make --no-print-directory go-build
  fi
  export PITCHLINE_BIN="$PWD/build/bin/pitchline-cli"
fi

echo "==> 60-conference-janus: source $(git describe --always --dirty 2>/dev/null || echo unknown), $(janus --version 2>/dev/null | head -1), load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
"$GO" test -tags benchlab -run '^TestConferenceJanus$' -count=1 -v -timeout 30m ./internal/benchlab/
