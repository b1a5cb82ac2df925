#!/usr/bin/env bash
# Instructions per mixer tick (audio/mixer benchmarks), counted by
# valgrind's callgrind: a deterministic figure beside the wall-clock ns/op
# of `go test -bench`, which a busy 2-core machine makes noisy. Each
# benchmark runs twice (LO and HI iterations of one tick each, setup
# included both times); the difference divided by HI-LO is one tick.
# About 4 minutes on a busy 2-core machine (valgrind runs some 50 times
# slower). See BENCHMARKS.md, "Mixer".
set -euo pipefail
cd "$(dirname "$0")/../.."
if ! command -v valgrind >/dev/null; then
	echo "50-mixer-insn: valgrind missing (apt-get install valgrind)"
	[[ "${CI:-}" == true ]] && exit 1
	exit 0
fi
LO=${PITCHLINE_BENCH_MIXER_LO:-20}
HI=${PITCHLINE_BENCH_MIXER_HI:-120}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go test -c -o "$tmp/mixer.test" ./audio/mixer/
# Same GODEBUG as internal/benchlab (cgGODEBUG): no signal preemption, no
# RDTSCP, both of which valgrind 3.19 cannot run.
count() { # benchmark iterations -> total instructions
	GODEBUG=asyncpreemptoff=1,cpu.rdtscp=off valgrind --tool=callgrind \
		--callgrind-out-file="$tmp/cg.out" "$tmp/mixer.test" -test.run '^$' \
		-test.bench "$1" -test.benchtime "${2}x" -test.cpu 1 >/dev/null 2>"$tmp/err" ||
		{ cat "$tmp/err" >&2; exit 1; }
	awk '/^(summary|totals):/ {print $2; exit}' "$tmp/cg.out"
}
printf '%-45s %15s\n' benchmark instructions/op
for b in \
	Tick/mix-minus/ports=2 Tick/mix-minus/ports=8 Tick/mix-minus/ports=32 \
	Tick/one-listener/ports=2 Tick/one-listener/ports=8 Tick/one-listener/ports=32 \
	TickRates/rate=8000/ports=8 TickRates/rate=16000/ports=8 TickRates/rate=48000/ports=8 \
	PortRoundTrip/rate=8000 PortRoundTrip/rate=16000 PortRoundTrip/rate=48000; do
	re="^Benchmark$(sed 's|/|$/^|g' <<<"$b")\$"
	lo=$(count "$re" "$LO")
	hi=$(count "$re" "$HI")
	printf '%-45s %15d\n' "Benchmark$b" $(((hi - lo) / (HI - LO)))
done
