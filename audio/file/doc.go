// Package file opens an audio file (WAV or MP3, told apart by content, not
// by extension) as an audio.Source at the rate the caller works at.
//
// The whole file is decoded when it is opened (see packages wav and mp3);
// the returned Source resamples with package resample and never allocates
// per frame.
package file
