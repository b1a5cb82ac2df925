package testlab

import "syscall"

// bsChildAttr puts a lab child process in its own process group (a Ctrl-C
// meant for `go test` does not hit it half-way) and makes it die with the
// test binary, so a test that times out (cleanups do not run then) leaves
// no stray daemons.
func bsChildAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
