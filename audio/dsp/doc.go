// Package dsp holds small signal-analysis routines used by level meters,
// tests and (later) answering-machine detection: Goertzel single-bin power,
// RMS and peak levels in dBFS.
package dsp
