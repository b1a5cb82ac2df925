// Package app is Pitchline's desktop binding layer: the only package in the
// module that imports Wails (github.com/wailsapp/wails/v2).
//
// It owns the window, the application lifecycle hooks (OnStartup, OnDomReady,
// OnShutdown), the services bound to the frontend (SystemService for now) and
// the ErrorFormatter that turns Go errors into the JSON shape {code, message}
// that the TypeScript frontend receives when a bound call is rejected.
//
// Bound services are thin: they translate between the frontend and the
// calling core (package softphone) and hold no business logic of their own.
// The composition root (package main) builds the core and hands it in through
// Options; nothing but package main imports this package (enforced by
// internal/archtest).
package app
