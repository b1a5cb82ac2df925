// Package wav reads and writes RIFF/WAVE files of linear PCM.
//
// Reading accepts 8-bit unsigned and 16-bit signed integer PCM
// (WAVE_FORMAT_PCM, or WAVE_FORMAT_EXTENSIBLE with the PCM sub-format), one
// or two channels, at any rate that holds a whole number of samples per
// 20 ms frame. Stereo is mixed down to mono. The whole file is decoded into
// memory when it is opened, so ReadFrame never touches the disk and never
// allocates. Float, compressed (A-law, µ-law, ADPCM, MP3...) and malformed
// files are rejected with an error naming the file and the reason.
//
// Writing produces mono 16-bit PCM; Close patches the RIFF and data sizes.
//
// Format references: Microsoft "Multimedia Programming Interface and Data
// Specifications 1.0" (1991) for RIFF/WAVE and
// https://learn.microsoft.com/en-us/windows/win32/api/mmreg/ns-mmreg-waveformatextensible
// for WAVE_FORMAT_EXTENSIBLE.
package wav
