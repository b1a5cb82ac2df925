package amd

import (
	"os"
	"testing"
	"time"
)

// TestCorpusDump prints every file's decision (AMD_DUMP=1; tuning aid).
func TestCorpusDump(t *testing.T) {
	if os.Getenv("AMD_DUMP") == "" {
		t.Skip("tuning aid: set AMD_DUMP=1")
	}
	for _, c := range loadCorpus(t) {
		r := classify(t, c, dumpOpts...)
		t.Logf("%-24s %-7s %-7s after %5dms greet %5dms seg %2d syl %2d %-28q drop %v at %5dms %-26q beep %v %5dms (want %5dms) %4.0fHz %s %s %q",
			c.Name, c.Label, r.Decision.Result, r.Decision.After.Milliseconds(), r.Decision.Greeting.Milliseconds(), r.Decision.Segments, r.Decision.Syllables,
			r.Decision.Reason, r.Drop, r.DropAt.Milliseconds(), r.DropWhy, r.BeepOK, r.BeepAt.Milliseconds(), c.BeepAt.Milliseconds(), r.BeepFreq, c.Voice, c.Noise, c.Text)
	}
}

var dumpOpts []Option

// TestCorpusSweep prints the accuracy of both sets over a grid of the
// syllable options (AMD_SWEEP=1; tuning aid: defaults are chosen on "tune").
func TestCorpusSweep(t *testing.T) {
	if os.Getenv("AMD_SWEEP") == "" {
		t.Skip("tuning aid: set AMD_SWEEP=1")
	}
	corpus := loadCorpus(t)
	for _, mh := range []int{2200} {
		for _, syl := range []int{6, 7} {
			for _, depth := range []float64{4, 5} {
				var tune, hold []run
				for _, c := range corpus {
					r := classify(t, c, WithMaxHumanGreeting(time.Duration(mh)*time.Millisecond), WithMaxHumanSyllables(syl), WithSyllableDepth(depth))
					if c.Set == "tune" {
						tune = append(tune, r)
					} else {
						hold = append(hold, r)
					}
				}
				t.Logf("mh %d syl %d depth %v TUNE %v", mh, syl, depth, summarize(tune))
				t.Logf("mh %d syl %d depth %v HOLD %v", mh, syl, depth, summarize(hold))
			}
		}
	}
}
