//go:build linux

package testlab

import "syscall"

// pulseSysProcAttr makes the kernel kill a harness child (pulseaudio,
// parec, pacat) when the test binary dies without running its cleanups
// (a fatal error or a timeout panic), so no daemon is left behind.
func pulseSysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
