package amd

import (
	"os"
	"testing"
	"time"
)

// TestCorpusSweep prints the accuracy of both sets over a grid of the
// syllable options (AMD_SWEEP=1; tuning aid: defaults are chosen on "tune").
func TestCorpusSweep(t *testing.T) {
	if os.Getenv("AMD_SWEEP") == "" {
		t.Skip("tuning aid: set AMD_SWEEP=1")
	}
	corpus := loadCorpus(t)
	for _, mh := range []int{2000, 2200, 2400} {
		for _, syl := range []int{5, 6, 7, 8} {
			for _, depth := range []float64{3, 4, 5, 6} {
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
