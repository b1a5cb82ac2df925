#!/usr/bin/env bash
# Desktop-window benchmark of issue 3, section 7 (see BENCHMARKS.md,
# "Desktop window: start -> interactive, idle memory against a bare Wails
# app"): the release binary (`make frontend go-build` = build/bin/pitchline,
# tags desktop,production,webkit2_41) and a bare Wails v2 hello-world built
# from internal/benchlab/testdata/barewails with the same tags and the same
# Wails module, each launched PITCHLINE_BENCH_DESKTOP_RUNS times (default 7,
# interleaved) on a private Xvfb with a fresh HOME and a fresh private D-Bus
# session per launch. Reports exec -> "ui ready" (interactive) and the idle
# PSS of each process tree. About 3 minutes.
#
# Knobs (passed through): PITCHLINE_BENCH_DESKTOP_RUNS (7),
# PITCHLINE_BENCH_IDLE (10s), PITCHLINE_BENCH_OUT (also write the report).
# PITCHLINE_BIN=path measures that binary instead of building it.
set -euo pipefail
cd "$(dirname "$0")/../.."

missing=()
for tool in Xvfb dbus-daemon; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if ((${#missing[@]})); then
  echo "SKIP 40-desktop: missing ${missing[*]} (install with: make setup)"
  exit 0
fi

GO=${GO:-go}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if [[ -z "${PITCHLINE_BIN:-}" ]]; then
  echo "==> 40-desktop: building the release binary (make frontend go-build)"
  make --no-print-directory frontend go-build
  export PITCHLINE_BIN=$PWD/build/bin/pitchline
fi
echo "==> 40-desktop: building the bare Wails app (internal/benchlab/testdata/barewails, same tags)"
"$GO" build -tags desktop,production,webkit2_41 -ldflags "-w -s" -o "$tmp/barewails" ./internal/benchlab/testdata/barewails
export PITCHLINE_BARE_BIN=$tmp/barewails

echo "==> 40-desktop: source $(git describe --always --dirty 2>/dev/null || echo unknown), load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
"$GO" test -tags benchlab -run '^TestDesktopWindow$' -count=1 -v -timeout 20m ./internal/benchlab/
