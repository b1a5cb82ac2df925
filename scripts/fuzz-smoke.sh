#!/usr/bin/env bash
# fuzz-smoke.sh [PACKAGES...]
#
# Runs every Go fuzz target (func FuzzXxx(f *testing.F)) in the module, so new
# fuzz targets are picked up automatically. Targets are discovered with
# `go test -list '^Fuzz'` per package (only for packages whose _test.go files
# mention "func Fuzz", to save compile time).
#
# Each target is bounded by a number of inputs (-fuzztime Nx), not by a
# duration, by default: a count has no wall-clock deadline, so a busy machine
# only makes the run slower. With a duration, Go's fuzz coordinator can end a
# target with a bare "context deadline exceeded" when its deadline fires while
# a worker is still busy (for example minimising a new input on a starved
# machine): golang/go#75804, unfixed in Go 1.26. That is a stall, not a
# finding, and a smoke run in CI must not fail on it.
#
# Environment:
#   FUZZ_EXECS  inputs per target (default 10000): `make fuzz-smoke`, CI.
#   FUZZTIME    a duration per target (e.g. 1m) instead of FUZZ_EXECS: the
#               long time-boxed runs of `make fuzz`. A target that ends with
#               the coordinator's "context deadline exceeded" and wrote no
#               failing input is reported as that Go bug, not as a failure.
#   FUZZ_TIMEOUT go test -timeout per target (default 15m): a backstop for a
#               target that never ends.
#   GO          go command (default go).
#
# A finding fails the run and leaves its input under
# <package>/testdata/fuzz/<Target>/. The summary lists each target's inputs,
# fuzzing time and inputs per second, so a slow target stands out.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
GO=${GO:-go}
FUZZ_EXECS=${FUZZ_EXECS:-10000}
FUZZTIME=${FUZZTIME:-}
FUZZ_TIMEOUT=${FUZZ_TIMEOUT:-15m}
if [[ -n "$FUZZTIME" ]]; then
  bound=$FUZZTIME
else
  [[ "$FUZZ_EXECS" =~ ^[1-9][0-9]*$ ]] || { echo "fuzz-smoke: FUZZ_EXECS=$FUZZ_EXECS is not a positive count" >&2; exit 2; }
  bound=${FUZZ_EXECS}x
fi
pkgs=("$@")
((${#pkgs[@]})) || pkgs=(./...)

log=$(mktemp)
trap 'rm -f "$log"' EXIT
count=0 failed=() raced=() summary=()
start=$SECONDS
while read -r pkg dir; do
  grep -qs '^func Fuzz' "$dir"/*_test.go || continue
  targets=$("$GO" test -list '^Fuzz' -run '^$' "$pkg" | grep '^Fuzz' || true)
  for t in $targets; do
    count=$((count + 1))
    echo "fuzz-smoke: $pkg $t (-fuzztime $bound)"
    t0=$SECONDS rc=0
    "$GO" test -run '^$' -fuzz "^${t}\$" -fuzztime "$bound" -timeout "$FUZZ_TIMEOUT" "$pkg" 2>&1 | tee "$log" || rc=$?
    secs=$((SECONDS - t0))
    # The last progress line: "fuzz: elapsed: 3s, execs: 3000 (1000/sec), ...".
    last=$(grep '^fuzz: elapsed: .*, execs: ' "$log" | tail -1 || true)
    elapsed=$(sed -n 's/^fuzz: elapsed: \([0-9hms]*\), .*/\1/p' <<<"$last")
    execs=$(sed -n 's/.*, execs: \([0-9]*\) .*/\1/p' <<<"$last")
    rate=-
    if [[ "$elapsed" =~ ^([0-9]+)s$ ]] && ((BASH_REMATCH[1] > 0)); then rate=$((execs / BASH_REMATCH[1])); fi
    summary+=("$(printf '%-32s %-26s %8s execs in %6s fuzzing (%6s/s), %4ss with build' \
      "${pkg#github.com/pitchline/pitchline/}" "$t" "${execs:-?}" "${elapsed:-?}" "$rate" "$secs")")
    if ((rc == 0)); then
      continue
    fi
    if [[ -n "$FUZZTIME" ]] && grep -q '^    context deadline exceeded$' "$log" && ! grep -q 'Failing input written to' "$log"; then
      raced+=("$pkg.$t")
      continue
    fi
    failed+=("$pkg.$t")
  done
done < <("$GO" list -f '{{.ImportPath}} {{.Dir}}' "${pkgs[@]}")

echo "fuzz-smoke: $count target(s) in $((SECONDS - start))s (-fuzztime $bound each):"
printf '  %s\n' "${summary[@]}"
if ((${#raced[@]})); then
  echo "fuzz-smoke: stopped by the Go fuzz coordinator's deadline (golang/go#75804), no failing input, not a finding: ${raced[*]}"
fi
if ((${#failed[@]})); then
  echo "fuzz-smoke: FAILED: ${failed[*]}" >&2
  echo "fuzz-smoke: failing inputs are saved under <package>/testdata/fuzz/<Target>/; commit them as regression seeds once fixed" >&2
  exit 1
fi
