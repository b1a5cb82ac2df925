#!/usr/bin/env bash
# fuzz-smoke.sh [PACKAGES...]
#
# Runs every Go fuzz target (func FuzzXxx(f *testing.F)) in the module for a
# short time each, so new fuzz targets are picked up automatically.
# Targets are discovered with `go test -list '^Fuzz'` per package (only for
# packages whose _test.go files mention "func Fuzz", to save compile time).
#
# Environment: FUZZTIME (default 10s) per target; GO (default go).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
GO=${GO:-go}
FUZZTIME=${FUZZTIME:-10s}
pkgs=("$@")
((${#pkgs[@]})) || pkgs=(./...)

count=0 failed=()
start=$SECONDS
while read -r pkg dir; do
  grep -qs '^func Fuzz' "$dir"/*_test.go || continue
  targets=$("$GO" test -list '^Fuzz' -run '^$' "$pkg" | grep '^Fuzz' || true)
  for t in $targets; do
    count=$((count + 1))
    echo "fuzz-smoke: $pkg $t ($FUZZTIME)"
    if ! "$GO" test -run '^$' -fuzz "^${t}\$" -fuzztime "$FUZZTIME" "$pkg"; then
      failed+=("$pkg.$t")
    fi
  done
done < <("$GO" list -f '{{.ImportPath}} {{.Dir}}' "${pkgs[@]}")

echo "fuzz-smoke: $count target(s) in $((SECONDS - start))s"
if ((${#failed[@]})); then
  echo "fuzz-smoke: FAILED: ${failed[*]}" >&2
  echo "fuzz-smoke: failing inputs are saved under <package>/testdata/fuzz/<Target>/; commit them as regression seeds once fixed" >&2
  exit 1
fi
