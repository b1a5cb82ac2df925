package dialer

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/pitchline/pitchline/internal/testlab"
)

// corpusCall is an AudioCall and PlaybackCall whose far end "says" a file
// of the AMD corpus (8 kHz, 20 ms frames) as fast as it is read, then
// hangs up; PlayFile records how much of the file had been heard.
type corpusCall struct {
	id      string
	samples []int16

	mu       sync.Mutex
	sent     int // frames handed over
	playedAt int // frames heard when PlayFile was called; -1 before
	played   string
}

func newCorpusCall(t *testing.T, name string) *corpusCall {
	t.Helper()
	rate, s, err := testlab.ReadWAV(filepath.Join("amd", "testdata", name))
	if err != nil || rate != 8000 {
		t.Fatalf("%s: rate %d, %v", name, rate, err)
	}
	return &corpusCall{id: name, samples: s, playedAt: -1}
}

func (c *corpusCall) ID() string                 { return c.id }
func (c *corpusCall) Updates() <-chan CallUpdate { return nil }

func (c *corpusCall) ReceivedAudio() (<-chan []int16, int, func(), error) {
	frames := make(chan []int16) // unbuffered: sent is what was heard (+1)
	quit, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		defer close(frames)
		for {
			c.mu.Lock()
			i := c.sent
			c.mu.Unlock()
			if (i+1)*160 > len(c.samples) {
				return // the far end hangs up at the end of its file
			}
			select {
			case frames <- c.samples[i*160 : (i+1)*160]:
				c.mu.Lock()
				c.sent++
				c.mu.Unlock()
			case <-quit:
				return
			}
		}
	}()
	var once sync.Once
	return frames, 8000, func() { once.Do(func() { close(quit); <-done }) }, nil
}

func (c *corpusCall) PlayFile(_ context.Context, path string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.playedAt, c.played = c.sent, path
	return nil
}

// TestAMDClassifiesAndDropsAfterTheBeep: the AMD classifier and dropper on
// corpus files. A short "Hello, who's calling?" is human; a greeting with
// a 500 ms beep at 4.445 s (manifest.csv) is machine, and the drop plays
// the voicemail only once the beep has ended, on the detector the
// classifier used. No goroutine outlives Close.
func TestAMDClassifiesAndDropsAfterTheBeep(t *testing.T) {
	noLeak(t)
	a, err := NewAMD(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	human := newCorpusCall(t, "human-tune-02.wav")
	if res, err := a.Classify(ctx, human); err != nil || res != AMDHuman {
		t.Errorf("human-tune-02: %s, %v; want human", res, err)
	}

	machine := newCorpusCall(t, "machine-tune-01.wav")
	res, err := a.Classify(ctx, machine)
	if err != nil || res != AMDMachine {
		t.Fatalf("machine-tune-01: %s, %v; want machine", res, err)
	}
	if err := a.Drop(ctx, machine, "vm.wav"); err != nil {
		t.Fatal(err)
	}
	machine.mu.Lock()
	at := time.Duration(machine.playedAt) * 20 * time.Millisecond
	played := machine.played
	machine.mu.Unlock()
	beepEnd := 4945 * time.Millisecond
	if played != "vm.wav" || at < beepEnd || at > beepEnd+500*time.Millisecond {
		t.Errorf("voicemail %q played after %v of the greeting; want it within 500 ms after the beep ends at %v", played, at, beepEnd)
	}

	// A machine answer never dropped (no voicemail for the list): Close
	// stops its audio stream.
	other := newCorpusCall(t, "machine-tune-01.wav")
	if res, _ := a.Classify(ctx, other); res != AMDMachine {
		t.Fatalf("machine-tune-01 again: %s", res)
	}
}

// TestAMDWithoutAudioIsUnknown: a call that gives no audio is unknown,
// never a guess, and cannot get a voicemail.
func TestAMDWithoutAudioIsUnknown(t *testing.T) {
	a, err := NewAMD(nil)
	if err != nil {
		t.Fatal(err)
	}
	c := &fakeCall{id: "x"}
	if res, err := a.Classify(context.Background(), c); res != AMDUnknown || err != nil {
		t.Errorf("Classify: %s, %v; want unknown", res, err)
	}
	if err := a.Drop(context.Background(), c, "vm.wav"); err == nil {
		t.Error("Drop into a call without playback succeeded")
	}
}
