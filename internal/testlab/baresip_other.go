//go:build !linux

package testlab

import "syscall"

// bsChildAttr returns nil: parent-death signals exist only on Linux.
func bsChildAttr() *syscall.SysProcAttr { return nil }
