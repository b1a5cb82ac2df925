// Package demo is Pitchline's built-in demo line: a real SIP peer on
// 127.0.0.1 that lets the app show every calling feature without a SIP
// account.
//
// A Line is a registrar and a user agent server built with emiago/sipgo and
// softphone/media. The app's softphone.Phone registers to it (Line.Account)
// and calls go through the same engine, SIP stack and RTP path as calls to a
// real PBX. The registrar accepts any REGISTER without authentication: it
// listens on loopback only and guards nothing, so a password would be a
// pretence (the account uses none).
//
// Numbers (Line.Numbers):
//
//	100  answers, plays a greeting decoded from an embedded MP3, then echoes
//	     what it hears (any number not listed here does the same, so numbers
//	     of demo contacts answer too)
//	486  busy: 486 Busy Here
//	408  no answer: rings until the caller gives up
//	300  answers "I'll call you back", hangs up, and a few seconds later
//	     calls the registered user back from a demo contact's number
//
// A team lead's monitor call (softphone.WithMonitor) is answered like any
// call, and its role changes (INFO with softphone.MonitorHeader) are
// accepted, so the lead's tools can be tried without a rep.
//
// SIP: RFC 3261 (registrar §10, UAS §8.2/§13.3). Media: RFC 3550/3551 G.711
// through softphone/media.
package demo
