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
	src, err := file.OpenSource(path, tapRate)
	if err != nil {
		return 0, fmt.Errorf("%w: %w: voicemail %s cannot be played (WAV or MP3): %w", ErrInvalidSettings, ErrBadVoicemail, path, err)
	}
	buf := make([]int16, audio.FrameSamples(tapRate))
	frames := 0
	for {
		if err := src.ReadFrame(buf); err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			return 0, fmt.Errorf("%w: %w: voicemail %s cannot be decoded: %w", ErrInvalidSettings, ErrBadVoicemail, path, err)
		}
		frames++
		if d := time.Duration(frames) * audio.FrameDuration; d > MaxVoicemail {
			return 0, fmt.Errorf("%w: %w: voicemail %s is longer than %v", ErrInvalidSettings, ErrBadVoicemail, path, MaxVoicemail)
		}
	}
	if frames == 0 {
		return 0, fmt.Errorf("%w: %w: voicemail %s holds no audio", ErrInvalidSettings, ErrBadVoicemail, path)
	}
	return time.Duration(frames) * audio.FrameDuration, nil
}
