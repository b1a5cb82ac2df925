// Package benchlab measures Pitchline as a whole process, next to a
// reference softphone, on the loopback interface: CPU time and peak memory
// of a complete call, and the time from the `call` command to its first
// INVITE on the wire.
//
// The building blocks are plain and testable on their own:
//
//   - ParseStat / ReadStat read utime and stime from /proc/PID/stat
//     (proc(5)); ParseStatus / ReadStatus read VmHWM and VmRSS from
//     /proc/PID/status.
//   - UsageOf turns the rusage of a reaped child (getrusage(2), as returned
//     by wait4 through os.ProcessState) into a Usage; ChildrenUsage reads
//     RUSAGE_CHILDREN, whose difference across a window is the CPU time of
//     the children reaped in it (minus the ones measured by wait4, it is the
//     remaining child's).
//   - Sampler polls /proc for one process until it disappears and keeps the
//     last sample (a cross-check, and the peak RSS of a child that someone
//     else reaps).
//   - Relay is a UDP relay in front of a SIP server that timestamps the
//     first datagram of each SIP method (RFC 3261 section 7.1) it forwards.
//   - Median and Table summarise runs.
//
// The benchmark itself (Pitchline and baresip calling auto-answering
// baresip callees through a private Kamailio for 30 s, side by side in the
// same window of time, ratio per pair) is the test TestCallBench in this
// package, and TestCallInstructions counts each caller's instructions per
// call under valgrind's callgrind; both are behind the build tag "benchlab"
// so that `go test ./...` never runs them. scripts/bench.d/20-call-cpu.sh
// runs them; BENCHMARKS.md records the figures.
//
// TestConferenceJanus (same tag; scripts/bench.d/60-conference-janus.sh)
// measures the CPU of an N-leg `pitchline conference` next to a Janus
// AudioBridge room with the same sipp participants, at the same time;
// WriteJanusConfig and JanusClient are its Janus side (config folder and
// REST API).
package benchlab
