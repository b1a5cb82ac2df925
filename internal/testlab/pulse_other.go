//go:build !linux

package testlab

import "syscall"

// pulseSysProcAttr has no parent-death signal to offer outside Linux.
func pulseSysProcAttr() *syscall.SysProcAttr { return nil }
