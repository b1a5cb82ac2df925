package cli

import "errors"

// Exit statuses of the command line (the README documents them).
const (
	ExitOK     = 0 // the scripted call went as asked
	ExitFailed = 1 // the call failed: busy, declined, no answer, registration failed
	ExitUsage  = 2 // usage error
)

// ErrUsage marks command-line usage errors (exit status 2).
var ErrUsage = errors.New("usage")

// ErrCallFailed marks a call or registration that did not go as asked
// (exit status 1).
var ErrCallFailed = errors.New("call failed")
