package amd

import (
	"fmt"
	"os"
	"testing"
	"time"
)

// TestPitchDump prints, for each tune file, every segment end of the first
// utterance with its pitch rise and the silence after it (AMD_PITCHDUMP=1;
// a tuning aid, tune set only; AMD_PITCHDUMP=nocontinuity for the second
// tracker). AMD_PITCHDUMP_FILE=name also prints that file's F0 contour at
// every frame, and dumps it even from holdout: only to explain a failure
// after its idea was checked, which makes later figures on it not held out.
func TestPitchDump(t *testing.T) {
	if os.Getenv("AMD_PITCHDUMP") == "" {
		t.Skip("tuning aid: set AMD_PITCHDUMP=1")
	}
	for _, c := range loadCorpus(t) {
		if c.Set != "tune" && os.Getenv("AMD_PITCHDUMP_FILE") != c.Name {
			continue
		}
		d, err := New(c.Rate, WithQuestionSilence(5*time.Second), WithMaxDecision(6*time.Second),
			withPitchContinuity(os.Getenv("AMD_PITCHDUMP") != "nocontinuity"))
		if err != nil {
			t.Fatal(err)
		}
		n := c.Rate / 50
		line := ""
		wasOpen := false
		var endAt int64
		for p := 0; p+n <= len(c.Samples) && !d.decided; p += n {
			if d.segmentOpen && os.Getenv("AMD_PITCHDUMP_FILE") == c.Name {
				var cs []string
				for i := 0; i < d.contourN; i++ {
					cs = append(cs, ftoa(d.contour[(d.contourPos-d.contourN+i+2*contourLen)%contourLen]))
				}
				line += fmt.Sprint(cs)
			}
			d.Feed(c.Samples[p : p+n])
			if wasOpen && !d.segmentOpen {
				endAt = d.lastVoiced
				if d.segRiseOK {
					line += " | end " + d.dur(endAt).Round(10*time.Millisecond).String() + " rise " + ftoa(d.segRise)
				} else {
					line += " | end " + d.dur(endAt).Round(10*time.Millisecond).String() + " rise ?"
				}
			}
			if !wasOpen && d.segmentOpen && endAt > 0 {
				line += " gap " + d.dur(d.now-int64(n)-endAt).Round(10*time.Millisecond).String()
			}
			wasOpen = d.segmentOpen
		}
		t.Logf("%s %s %s %q syl %d:%s", c.Name, c.Voice, c.Noise, c.Text, d.decision.Syllables, line)
	}
}

func ftoa(f float64) string {
	b := []byte{}
	if f < 0 {
		b = append(b, '-')
		f = -f
	}
	i := int(f*10 + 0.5)
	b = append(b, byte('0'+i/100%10), byte('0'+i/10%10), '.', byte('0'+i%10))
	return string(b)
}

// withPitchContinuity turns the continuity constraint of the contour's
// rise and its 12 st cap on or off (a tuning switch; off is the second
// version of the tracker, "question-v2" in holdoutIdeas).
func withPitchContinuity(on bool) Option {
	return func(c *config) error {
		c.noPitchContinuity = !on
		return nil
	}
}
