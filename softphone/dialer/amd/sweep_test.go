package amd

import (
	"os"
	"testing"
	"time"
)

// TestCorpusSweep prints the accuracy and decision times of the tune set
// over a grid of options (AMD_SWEEP=1). A tuning aid: the defaults are
// chosen on "tune" only, then checked once on "holdout" (TestCorpusAccuracy).
func TestCorpusSweep(t *testing.T) {
	if os.Getenv("AMD_SWEEP") == "" {
		t.Skip("tuning aid: set AMD_SWEEP=1")
	}
	var tune []corpusFile
	for _, c := range loadCorpus(t) {
		if c.Set == "tune" {
			tune = append(tune, c)
		}
	}
	smooth := func(k int) Option { return func(c *config) error { c.sylSmooth = k; return nil } }
	for _, sm := range []int{1, 2, 3, 4} {
		for _, hs := range []int{450, 500, 600} {
			for _, syl := range []int{5, 6, 7} {
				for _, depth := range []float64{3, 4, 5} {
					var rs []run
					for _, c := range tune {
						rs = append(rs, classify(t, c, smooth(sm), WithHumanSilence(time.Duration(hs)*time.Millisecond),
							WithMaxHumanSyllables(syl), WithSyllableDepth(depth)))
					}
					t.Logf("smooth %d human-silence %d syllables %d depth %v: %v", sm, hs, syl, depth, summarize(rs))
				}
			}
		}
	}
}
