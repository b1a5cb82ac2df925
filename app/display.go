package app

import (
	"fmt"
	goruntime "runtime"
)

// checkDisplay returns ErrNoDisplay when the platform needs an X11 or
// Wayland display (GTK on Linux and the BSDs) and getenv reports none; GTK
// would otherwise panic with "failed to init GTK".
func checkDisplay(goos string, getenv func(string) string) error {
	switch goos {
	case "windows", "darwin":
		return nil
	}
	if getenv("DISPLAY") == "" && getenv("WAYLAND_DISPLAY") == "" {
		return fmt.Errorf("%w: DISPLAY and WAYLAND_DISPLAY are unset; start Pitchline from a desktop session, "+
			"use `xvfb-run pitchline` for a virtual display, or run a command-line subcommand (see README, Command line)", ErrNoDisplay)
	}
	return nil
}

// currentGOOS is the operating system checkDisplay is asked about.
var currentGOOS = goruntime.GOOS
