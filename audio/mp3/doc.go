// Package mp3 loads MPEG-1 and MPEG-2 Layer III files as an audio.Source.
//
// Before decoding, the file is validated by walking its MPEG audio frame
// headers (ISO/IEC 11172-3 §2.4.2.3 and ISO/IEC 13818-3; a readable summary
// is at http://www.mp3-tech.org/programmer/frame_header.html). An ID3v2 tag
// at the start (https://id3.org/id3v2.4.0-structure) is skipped. Files that
// the decoder cannot handle correctly are rejected with an error naming the
// file and the problem:
//
//   - MPEG-2.5 (8, 11.025, 12 kHz): go-mp3 cannot decode it (ErrMPEG25);
//   - MPEG-2 at 22.05 kHz and 32 kbit/s or less: go-mp3 garbles it
//     (a 1 kHz tone comes out at about −17 to −20 dB SNR; TestLowBitrate22k
//     re-measures it) (ErrLowBitrate);
//   - Layer I and Layer II (ErrLayer), free-format bit rates
//     (ErrFreeFormat), and data without a run of valid frames (ErrNoFrames).
//
// Decoding uses github.com/hajimehoshi/go-mp3 and happens entirely at load
// time; the decoded audio is mixed down to mono and kept in memory, so
// ReadFrame never allocates and never decodes on the media hot path.
package mp3
