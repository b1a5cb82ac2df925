package amd

import (
	"fmt"
	"math"
	"time"
)

// Question intonation. A person who answers "Hello?" or "Who's calling?"
// ends on a rising pitch and then waits; a greeting's "Hello." before its
// next sentence ends falling. With WithQuestionSilence, a short first
// utterance whose last segment ends rising is a human after that shorter
// silence, instead of after HumanSilence.

// contourLen is how many voiced frames of the current segment the contour
// keeps (300 ms of 20 ms frames: the last syllable or two).
const contourLen = 15

// minContour is how many frames with an F0 the rise needs.
const minContour = 4

// ReasonQuestion is the decision reason for a short utterance that ended
// rising, followed by the question silence.
const ReasonQuestion = "short question then silence"

// WithQuestionSilence turns the question-intonation rule on: a first
// utterance short enough for a human whose last segment ended with a pitch
// rise of at least the question rise (WithQuestionRise) is a human after
// this silence (default 325 ms; 150 ms to 5 s; 0 turns the rule off).
func WithQuestionSilence(d time.Duration) Option {
	return func(c *config) error {
		if d == 0 {
			c.questionSilence = 0
			return nil
		}
		return durOpt("question silence", d, 150*time.Millisecond, 5*time.Second, &c.questionSilence)
	}
}

// WithQuestionRise sets the pitch rise, in semitones from the lowest F0 of
// the last 300 ms of a segment to its end, that makes it a question
// (default 1.5; 0.5 to 24).
func WithQuestionRise(st float64) Option {
	return func(c *config) error {
		if !(st >= 0.5 && st <= 24) {
			return fmt.Errorf("%w: question rise %v semitones out of [0.5, 24]", ErrBadOption, st)
		}
		c.questionRise = st
		return nil
	}
}

// The question rule's defaults: 325 ms of silence after a rise of 1.5
// semitones (a greeting's comma pause, which rises as much, lasts up to 300
// ms at 110 words/min).
const (
	DefaultQuestionSilence = 325 * time.Millisecond
	DefaultQuestionRise    = 1.5
)

// trackPitch estimates this frame's F0 and adds it to the contour.
func (d *Detector) trackPitch() {
	v := math.NaN()
	if f, _, ok := d.pitch.estimate(); ok {
		v = semitones(f)
	}
	d.contour[d.contourPos] = v
	d.contourPos = (d.contourPos + 1) % contourLen
	if d.contourN < contourLen {
		d.contourN++
	}
}

// contourRise returns the rise of the contour's end, in semitones: the
// mean of its last two F0 values (after a 3-point median, which removes
// single octave errors) above the lowest value before them; ok=false with
// fewer than minContour F0 values.
func (d *Detector) contourRise() (rise float64, ok bool) {
	// The F0 values in order, and whether each follows the previous one
	// in the very next frame (no unvoiced frame between).
	var v [contourLen]float64
	var adj [contourLen]bool
	n := 0
	start := d.contourPos - d.contourN
	if start < 0 {
		start += contourLen
	}
	prevOK := false
	for i := 0; i < d.contourN; i++ {
		x := d.contour[(start+i)%contourLen]
		if math.IsNaN(x) {
			prevOK = false
			continue
		}
		v[n], adj[n] = x, prevOK
		n++
		prevOK = true
	}
	if n < minContour {
		return 0, false
	}
	// 3-point median (the ends over their own last three), which removes
	// a single octave error.
	var m [contourLen]float64
	m[0] = median3(v[0], v[1], v[2])
	m[n-1] = median3(v[n-3], v[n-2], v[n-1])
	for i := 1; i < n-1; i++ {
		m[i] = median3(v[i-1], v[i], v[i+1])
	}
	// Only the final continuous stretch counts: between two adjacent
	// frames an F0 does not jump more than maxPitchStep, so a bigger step
	// is an estimation error (or another voice) and what comes before it
	// is dropped. Across an unvoiced consonant the pitch may reset.
	first := 0
	if !d.cfg.noPitchContinuity {
		for i := n - 1; i > 0; i-- {
			if adj[i] && math.Abs(m[i]-m[i-1]) > maxPitchStep {
				first = i
				break
			}
		}
		if n-first < minContour {
			return 0, false
		}
	}
	m2 := m[first:n]
	k := len(m2)
	end := (m2[k-1] + m2[k-2]) / 2
	low := m2[0]
	for _, x := range m2[:k-2] {
		low = min(low, x)
	}
	if end-low > maxPitchRise && !d.cfg.noPitchContinuity {
		return 0, false
	}
	return end - low, true
}

// maxPitchRise is the largest rise a voice makes at the end of a
// question in 300 ms (an octave); a bigger one is an estimation error.
const maxPitchRise = 12

// maxPitchStep is the largest F0 change between two frames with an F0 that
// a voice makes, in semitones (a quick question rise is under 1 per 20 ms).
const maxPitchStep = 3

func median3(a, b, c float64) float64 {
	return max(min(a, b), min(max(a, b), c))
}
