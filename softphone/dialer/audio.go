package dialer

import (
	"context"
	"sync"

	"github.com/pitchline/pitchline/audio/file"
)

// tapRate is the rate answering-machine detection listens at: the
// telephone band G.711 carries, and the detector's cheapest rate.
const tapRate = 8000

// playRate is the rate a voicemail file is decoded at; the engine converts
// it to the call's codec rate.
const playRate = 48000

// tapFrames is how many frame buffers a ReceivedAudio stream rotates
// through: the channel's 4, one the reader holds, one being filled, and
// room to spare.
const tapFrames = 8

// PlaybackCall is an EngineCall that can play a file to the far end
// instead of the microphone: what a VoicemailDropper needs.
type PlaybackCall interface {
	EngineCall
	// PlayFile plays the WAV or MP3 file at path to the far end and
	// returns when it has been played, the call ended or ctx ended.
	PlayFile(ctx context.Context, path string) error
}

// ReceivedAudio implements AudioCall with the engine's audio tap: a
// goroutine reads it into rotating buffers and sends them on frames until
// the call ends or stop is called.
func (c *phoneCall) ReceivedAudio() (<-chan []int16, int, func(), error) {
	tap, err := c.call.TapReceived(tapRate)
	if err != nil {
		return nil, 0, nil, err
	}
	frames := make(chan []int16, 4)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer close(frames)
		defer tap.Stop()
		var bufs [tapFrames][]int16
		for i := range bufs {
			bufs[i] = make([]int16, tap.FrameSamples())
		}
		for i := 0; ; i++ {
			b := bufs[i%tapFrames]
			n, err := tap.Read(ctx, b)
			if err != nil {
				return
			}
			select {
			case frames <- b[:n]:
			case <-ctx.Done():
				return
			case <-c.call.Done():
				return
			}
		}
	}()
	var once sync.Once
	stop := func() {
		once.Do(func() {
			cancel()
			<-done
		})
	}
	return frames, tapRate, stop, nil
}

// PlayFile implements PlaybackCall with the engine's Call.PlayToRemote.
func (c *phoneCall) PlayFile(ctx context.Context, path string) error {
	src, err := file.OpenSource(path, playRate)
	if err != nil {
		return err
	}
	return c.play(ctx, src, "the voicemail")
}

var _ interface {
	AudioCall
	PlaybackCall
} = (*phoneCall)(nil)
