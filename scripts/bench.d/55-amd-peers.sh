#!/usr/bin/env bash
# Answering-machine detection through real peers (see BENCHMARKS.md,
# "Answering-machine detection"): every file of the labelled corpus
# (softphone/dialer/amd/testdata) classified directly from the file and,
# side by side in the same run, played by a baresip peer registered at a
# real Kamailio into a call from a real softphone.Phone, where the dialer's
# AMD (dialer.NewAMD: Classify, then Drop for a machine) listens. Prints
# the confusion matrices, decision times and drops of both paths.
# Knobs: PITCHLINE_BENCH_AMD_PEERS (4 peers, one call each at a time),
# PITCHLINE_BENCH_OUT (also append the report to this file). About 2-3 minutes.
set -euo pipefail
cd "$(dirname "$0")/../.."

for tool in kamailio baresip; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "SKIP 55-amd-peers: missing $tool (install with: make setup)"
    exit 0
  fi
done
GO=${GO:-go}
echo "==> 55-amd-peers: source $(git describe --always --dirty 2>/dev/null || echo unknown), load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
"$GO" test -tags benchlab -run '^TestAMDCorpusThroughPeers$' -count=1 -v -timeout 20m ./internal/benchlab/
