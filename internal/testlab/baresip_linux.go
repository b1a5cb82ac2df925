package testlab

import "syscall"

// bsChildAttr makes lab child processes die with the test binary, so a test
// that times out (cleanups do not run then) leaves no stray daemons.
func bsChildAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
