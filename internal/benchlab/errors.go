package benchlab

import "errors"

var (
	// ErrProcStat is returned (wrapped, with the reason) for a
	// /proc/PID/stat line that cannot be parsed.
	ErrProcStat = errors.New("benchlab: malformed /proc/PID/stat")
	// ErrProcStatus is returned (wrapped) for a /proc/PID/status file that
	// lacks a VmHWM or VmRSS line or has a malformed one.
	ErrProcStatus = errors.New("benchlab: malformed /proc/PID/status")
	// ErrNoRusage is returned when a process state carries no Linux rusage
	// (the process was not waited for, or the platform has none).
	ErrNoRusage = errors.New("benchlab: no rusage for process")
	// ErrNoSamples is returned by Median for an empty input.
	ErrNoSamples = errors.New("benchlab: no samples")
	// ErrNotSIP is returned by SIPMethod for a datagram whose first line is
	// not a SIP request line or status line.
	ErrNotSIP = errors.New("benchlab: not a SIP message")
	// ErrNoProcess is returned by NewSampler for a PID whose /proc entry
	// cannot be read.
	ErrNoProcess = errors.New("benchlab: no such process")
	// ErrSmaps is returned (wrapped) for a /proc/PID/smaps_rollup file
	// that lacks an Rss or Pss line or has a malformed one.
	ErrSmaps = errors.New("benchlab: malformed /proc/PID/smaps_rollup")
	// ErrRelayClosed is returned by Relay.WaitFirst when the relay is
	// closed while waiting.
	ErrRelayClosed = errors.New("benchlab: relay closed")
	// ErrParse is returned (wrapped) for a sipp -trace_msg log whose time
	// stamps do not parse.
	ErrParse = errors.New("benchlab: malformed sipp trace")
	// ErrJanus is returned (wrapped, with Janus's answer) when the Janus
	// REST API fails or answers with an error.
	ErrJanus = errors.New("benchlab: janus")
)
