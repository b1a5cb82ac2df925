// Package cli is Pitchline's headless command line: `pitchline call`,
// `pitchline answer` and `pitchline devices`. It is a plain subscriber to
// the engine's event stream, exactly like the desktop UI. The flags and the
// JSON event lines are a public contract documented in the README.
package cli
