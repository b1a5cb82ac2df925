package dialer

import (
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/pitchline/pitchline/audio"
	"github.com/pitchline/pitchline/audio/file"
)

// MaxVoicemail is the longest voicemail file a list takes.
const MaxVoicemail = 5 * time.Minute

// CheckVoicemail decodes the WAV or MP3 file at path, as a voicemail drop
// will, and returns how long it plays. The error (wrapping
// ErrInvalidSettings) says why it cannot be used: unreadable, not WAV or
// MP3, undecodable, silent-empty or longer than MaxVoicemail.
func CheckVoicemail(path string) (time.Duration, error) {
	return checkPrompt(path, "voicemail", MaxVoicemail, ErrBadVoicemail)
}

// CheckApology decodes the WAV or MP3 file at path as the apology prompt
// of an abandoned call (WithApologyPrompt) will, and returns how long it
// plays. The error (wrapping ErrInvalidSettings and ErrBadApology) says
// why it cannot be used, as CheckVoicemail's does; a prompt is at most
// MaxApology long.
func CheckApology(path string) (time.Duration, error) {
	return checkPrompt(path, "apology prompt", MaxApology, ErrBadApology)
}

// checkPrompt decodes the file at path to its end: what is called what in
// the errors, max its longest length, bad the sentinel they wrap.
func checkPrompt(path, what string, max time.Duration, bad error) (time.Duration, error) {
	src, err := file.OpenSource(path, tapRate)
	if err != nil {
		return 0, fmt.Errorf("%w: %w: %s %s cannot be played (WAV or MP3): %w", ErrInvalidSettings, bad, what, path, err)
	}
	buf := make([]int16, audio.FrameSamples(tapRate))
	frames := 0
	for {
		if err := src.ReadFrame(buf); err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			return 0, fmt.Errorf("%w: %w: %s %s cannot be decoded: %w", ErrInvalidSettings, bad, what, path, err)
		}
		frames++
		if d := time.Duration(frames) * audio.FrameDuration; d > max {
			return 0, fmt.Errorf("%w: %w: %s %s is longer than %v", ErrInvalidSettings, bad, what, path, max)
		}
	}
	if frames == 0 {
		return 0, fmt.Errorf("%w: %w: %s %s holds no audio", ErrInvalidSettings, bad, what, path)
	}
	return time.Duration(frames) * audio.FrameDuration, nil
}
