#!/usr/bin/env bash
# Power dialer benchmarks (see BENCHMARKS.md, "Power dialer"): a dialer
# session (softphone/dialer) dialling through a real softphone.Phone
# straight to sipp peers on 127.0.0.1.
#  - pacing: power mode, wrap-up 0: outcome saved -> the next INVITE as the
#    sipp peer stamps it (-trace_msg), 60 transitions;
#  - throughput: one simulated hour per mode (power, parallel 3 and 5
#    lines) against peers answering human 10 %, machine 30 %, no answer
#    60 %, the peers playing real audio (a corpus "Hello?" and a greeting
#    with a beep) to the dialer's real AMD, which drops a voicemail after
#    each beep; time compressed 1:PITCHLINE_BENCH_DIALER_SCALE (default 10
#    with the real AMD: 6 real minutes per mode; audio runs in real time),
#    next to a manual dialer's rep-time model.
# Knobs: PITCHLINE_BENCH_PACING_CALLS (61), PITCHLINE_BENCH_DIALER_SCALE (10),
# PITCHLINE_BENCH_DIALER_MODES (power,parallel3,parallel5),
# PITCHLINE_BENCH_DIALER_AMD (real, or oracle: the earlier run without audio,
# scale 30), PITCHLINE_BENCH_DIALER_SIM (simulated time per mode, 1h),
# PITCHLINE_BENCH_OUT (also append the report to this file). About 20 minutes.
set -euo pipefail
cd "$(dirname "$0")/../.."

if ! command -v sipp >/dev/null 2>&1; then
  echo "SKIP 50-dialer: missing sipp (install with: make setup)"
  exit 0
fi
GO=${GO:-go}
echo "==> 50-dialer: source $(git describe --always --dirty 2>/dev/null || echo unknown), load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
"$GO" test -tags benchlab -run '^(TestDialerPacing|TestDialerThroughput)$' -count=1 -v -timeout 30m ./internal/benchlab/
