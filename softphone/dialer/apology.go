package dialer

import (
	"bytes"
	"context"
	_ "embed" // the default apology prompt
	"fmt"
	"time"

	"github.com/pitchline/pitchline/audio"
	"github.com/pitchline/pitchline/audio/file"
	"github.com/pitchline/pitchline/audio/resample"
	"github.com/pitchline/pitchline/audio/wav"
)

// defaultApology is the prompt played to a contact whose answer is
// abandoned (the rep is already talking on another line): "Sorry, we are
// busy right now. We will call you back. Goodbye." (4.2 s, 8 kHz mono),
// made with espeak-ng and sox by assets/make-apology.sh.
//
//go:embed assets/apology.wav
var defaultApology []byte

// MaxApology is the longest apology prompt a list takes (CheckApology).
const MaxApology = apologyTimeout

// apologyTimeout bounds the prompt: a file longer than this is cut and the
// call hung up anyway (an abandoned contact is not kept on the line).
const apologyTimeout = 15 * time.Second

// SourceCall is an EngineCall that can play decoded audio to the far end:
// what the apology prompt of an abandoned call needs. PhoneEngine's calls
// implement it with the engine's Call.PlayToRemote.
type SourceCall interface {
	EngineCall
	// PlaySource plays src to the far end and returns when it has been
	// played, the call ended or ctx ended.
	PlaySource(ctx context.Context, src audio.Source) error
}

// WithApologyPrompt sets the WAV or MP3 file played to a contact whose
// answer is abandoned (a parallel line answered while the rep was already
// connected) before the call is hung up. "" keeps the default prompt;
// NewSession refuses a file that cannot be decoded.
func WithApologyPrompt(path string) SessionOption { return func(c *sessionConfig) { c.apology = path } }

// openApology opens the session's apology prompt at playRate.
func openApology(path string) (audio.Source, error) {
	if path != "" {
		src, err := file.OpenSource(path, playRate)
		if err != nil {
			return nil, fmt.Errorf("%w: apology prompt: %w", ErrInvalidSettings, err)
		}
		return src, nil
	}
	r, err := wav.Decode(bytes.NewReader(defaultApology))
	if err != nil {
		return nil, fmt.Errorf("dialer: default apology prompt: %w", err)
	}
	return resample.NewSource(r, playRate)
}

// PlaySource implements SourceCall with the engine's Call.PlayToRemote.
func (c *phoneCall) PlaySource(ctx context.Context, src audio.Source) error {
	return c.play(ctx, src, "the prompt")
}

// play sends src to the contact with the engine's Call.PlayToRemote and
// waits until it has played, the call ends (ErrCallEnded, naming what was
// playing) or ctx is done.
func (c *phoneCall) play(ctx context.Context, src audio.Source, what string) error {
	done, err := c.call.PlayToRemote(src)
	if err != nil {
		return err
	}
	select {
	case <-done:
		return nil
	case <-c.call.Done():
		return fmt.Errorf("%w: the call ended during %s", ErrCallEnded, what)
	case <-ctx.Done():
		return ctx.Err()
	}
}

// abandonLine drops line l, answered while the rep was already connected
// (or the session stopping): the contact hears the apology prompt, then
// the call is hung up (BYE) and counted abandoned when it ends. A call
// that cannot play audio is hung up at once.
func (r *runState) abandonLine(l *lineRun) {
	l.abandon = true
	sc, ok := l.call.(SourceCall)
	if !ok {
		l.cancel() // BYE
		return
	}
	src, err := openApology(r.s.cfg.apology)
	if err != nil {
		r.s.log.Warn("apology prompt unavailable; hanging up at once", "err", err)
		l.cancel()
		return
	}
	c := r.s.list.Contacts[l.idx]
	r.s.log.Info("a second contact answered while the rep was busy: apology prompt, then hang up", "contact", c.Name, "line", l.n)
	r.s.wg.Add(1)
	go func() {
		defer r.s.wg.Done()
		ctx, cancel := context.WithTimeout(r.ctx, apologyTimeout)
		defer cancel()
		if err := sc.PlaySource(ctx, src); err != nil {
			r.s.log.Debug("apology prompt cut short", "contact", c.Name, "err", err)
		}
		r.post(lineUpdate{l: l, apology: true})
	}()
}
