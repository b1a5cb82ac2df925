package amd

import (
	"fmt"
	"math"
	"time"
)

// Result is a classification of an answered call.
type Result string

const (
	// Human: a person answered.
	Human Result = "human"
	// Machine: an answering machine or voicemail greeting answered.
	Machine Result = "machine"
	// Unknown: the audio does not say (silence, noise, a late or odd
	// answer); the caller treats it as it would a human, never guesses.
	Unknown Result = "unknown"
)

// String returns the result's name.
func (r Result) String() string { return string(r) }

// Decision is what the detector decided, when (audio time since the first
// frame fed) and why.
type Decision struct {
	Result Result
	// After is the audio time fed before the decision: the decision time.
	After time.Duration
	// Reason is a short constant explanation, e.g. "long greeting".
	Reason string
	// Greeting is the length of the first utterance heard so far (0 when
	// there was no speech).
	Greeting time.Duration
	// Segments is the number of voiced segments in the first utterance.
	Segments int
	// Syllables is the number of syllables (energy peaks) counted in the
	// first utterance.
	Syllables int
}

// Reasons a Decision or a drop gives (constant strings, so that deciding
// never allocates).
const (
	ReasonLongGreeting  = "long greeting"
	ReasonManySyllables = "greeting longer than a human answer"
	ReasonShortGreeting = "short greeting then silence"
	ReasonBeep          = "beep"
	ReasonNoSpeech      = "no speech"
	ReasonMaxTime       = "no decision by the maximum time"

	DropBeep            = "beep ended"
	DropLongTone        = "long tone"
	DropSilence         = "silence after the greeting"
	DropMaxGreeting     = "greeting too long"
	DropAlreadyReported = ""
)

// Option sets a detector parameter.
type Option func(*config) error

type config struct {
	maxDecision       time.Duration
	initialSilence    time.Duration
	humanSilence      time.Duration
	maxHumanGreeting  time.Duration
	greetingSilence   time.Duration
	maxGreeting       time.Duration
	minBeep           time.Duration
	maxBeep           time.Duration
	thresholdDB       float64
	minSpeechDB       float64
	maxSyllables      int
	syllableDB        float64
	questionSilence   time.Duration // 0: the question rule is off (contour.go)
	questionRise      float64
	noPitchContinuity bool // tuning switch: the rise over the whole contour, no 12 st cap (contour.go)
	sylSmooth         int  // frames averaged for the syllable envelope (syllableSmooth; tests sweep it)
	pausePerSyllable  float64
}

// Defaults: the fastest setting without a wrong guess on the tune and
// holdout sets (140 files), then checked once on the fresh set (48 files
// generated before; BENCHMARKS.md): a machine from the 6th syllable (5 dB
// dips), a human after 550 ms of silence or 1.5 mean syllable lengths,
// whichever is longer, or after 325 ms following a rise of 1.5 semitones.
const (
	DefaultMaxDecision      = 4 * time.Second
	DefaultInitialSilence   = 2500 * time.Millisecond
	DefaultHumanSilence     = 550 * time.Millisecond
	DefaultPausePerSyllable = 1.5
	DefaultMaxHumanGreeting = 2600 * time.Millisecond
	DefaultGreetingSilence  = 2 * time.Second
	DefaultMaxGreeting      = 30 * time.Second
	DefaultMinBeep          = 120 * time.Millisecond
	DefaultMaxBeep          = 2 * time.Second
	DefaultThresholdDB      = 10
	DefaultMinSpeechDB      = -50
	DefaultMaxSyllables     = 5
	DefaultSyllableDB       = 5
)

func durOpt(name string, d, lo, hi time.Duration, dst *time.Duration) error {
	if d < lo || d > hi {
		return fmt.Errorf("%w: %s %v out of [%v, %v]", ErrBadOption, name, d, lo, hi)
	}
	*dst = d
	return nil
}

// WithMaxDecision sets the time after which, undecided, the detector says
// Unknown (default 4 s: a slow 2.5 s answer after up to a second of
// silence, then the human silence, fits; 500 ms to 30 s).
func WithMaxDecision(d time.Duration) Option {
	return func(c *config) error {
		return durOpt("max decision", d, 500*time.Millisecond, 30*time.Second, &c.maxDecision)
	}
}

// WithInitialSilence sets how long the line may stay silent before the
// detector says Unknown ("no speech"; default 2.5 s; 100 ms to 30 s).
func WithInitialSilence(d time.Duration) Option {
	return func(c *config) error {
		return durOpt("initial silence", d, 100*time.Millisecond, 30*time.Second, &c.initialSilence)
	}
}

// WithHumanSilence sets the silence after a short first utterance that
// means a human waiting for an answer (default 550 ms; 200 ms to 5 s).
// With WithPausePerSyllable it is a floor: a greeting's pause between
// sentences grows with slow speech (620 ms measured after a 110 words/min
// "Hey, it's Tom.").
func WithHumanSilence(d time.Duration) Option {
	return func(c *config) error {
		return durOpt("human silence", d, 200*time.Millisecond, 5*time.Second, &c.humanSilence)
	}
}

// WithMaxHumanGreeting sets the longest first utterance a human makes; a
// longer one is a machine's greeting (default 2.6 s: a "Hello, who's
// calling?" at 110 words/min lasts 2.2 s; 300 ms to 10 s).
func WithMaxHumanGreeting(d time.Duration) Option {
	return func(c *config) error {
		return durOpt("max human greeting", d, 300*time.Millisecond, 10*time.Second, &c.maxHumanGreeting)
	}
}

// WithGreetingSilence sets the silence after a machine's greeting that,
// without a beep, means it is recording (default 2 s; 300 ms to 10 s).
func WithGreetingSilence(d time.Duration) Option {
	return func(c *config) error {
		return durOpt("greeting silence", d, 300*time.Millisecond, 10*time.Second, &c.greetingSilence)
	}
}

// WithMaxGreeting bounds how long FeedGreeting listens before it reports a
// drop anyway (default 30 s; 1 s to 5 min).
func WithMaxGreeting(d time.Duration) Option {
	return func(c *config) error { return durOpt("max greeting", d, time.Second, 5*time.Minute, &c.maxGreeting) }
}

// WithMinBeep sets how long a steady tone must last to be a beep (default
// 120 ms; 40 ms to 1 s).
func WithMinBeep(d time.Duration) Option {
	return func(c *config) error { return durOpt("min beep", d, 40*time.Millisecond, time.Second, &c.minBeep) }
}

// WithThreshold sets how far above the noise floor a frame's energy must
// be to count as speech, in dB (default 10; 3 to 40).
func WithThreshold(db float64) Option {
	return func(c *config) error {
		if !(db >= 3 && db <= 40) {
			return fmt.Errorf("%w: threshold %v dB out of [3, 40]", ErrBadOption, db)
		}
		c.thresholdDB = db
		return nil
	}
}

// WithMinSpeechLevel sets the absolute level below which a frame is never
// speech, in dBFS (default -50; -90 to -10).
func WithMinSpeechLevel(dbfs float64) Option {
	return func(c *config) error {
		if !(dbfs >= -90 && dbfs <= -10) {
			return fmt.Errorf("%w: min speech level %v dBFS out of [-90, -10]", ErrBadOption, dbfs)
		}
		c.minSpeechDB = dbfs
		return nil
	}
}

// hpCutoff is the corner of the high-pass filter in front of the energy
// measure: rumble, hum and brown noise below it are not speech (a
// telephone line passes 300-3400 Hz).
const hpCutoff = 200

// WithMaxHumanSyllables sets the most syllables a human's first utterance
// has; one more is a machine's greeting, whatever the speaking rate
// (default 5: the 6th syllable is a machine; 0 turns the count off; 3 to
// 30).
func WithMaxHumanSyllables(n int) Option {
	return func(c *config) error {
		if n != 0 && (n < 3 || n > 30) {
			return fmt.Errorf("%w: max human syllables %d out of [3, 30]", ErrBadOption, n)
		}
		c.maxSyllables = n
		return nil
	}
}

// WithPausePerSyllable makes the silence that ends a first utterance at
// least k times the utterance's mean syllable length, when that is longer
// than the human silence: a slow talker's pause between two sentences of
// a greeting is longer than a fast talker's (a "Hey, it's Tom." at 110
// words/min pauses 620 ms before "Leave a message."). Default 1.5; 0
// turns it off; 0.5 to 5.
func WithPausePerSyllable(k float64) Option {
	return func(c *config) error {
		if k != 0 && !(k >= 0.5 && k <= 5) {
			return fmt.Errorf("%w: pause per syllable %v out of [0.5, 5]", ErrBadOption, k)
		}
		c.pausePerSyllable = k
		return nil
	}
}

// endSilence is the silence after the first utterance's last voiced frame
// that ends it: the human silence, or k mean syllable lengths of the
// utterance so far when longer (WithPausePerSyllable).
func (d *Detector) endSilence() int64 {
	w := d.humanSilence
	if k := d.cfg.pausePerSyllable; k > 0 && d.syllables > 0 {
		if g := int64(k * float64(d.lastVoiced-d.uttStart) / float64(d.syllables)); g > w {
			w = g
		}
	}
	return w
}

// WithSyllableDepth sets the dip in dB between two energy peaks that makes
// them two syllables (default 5; 1 to 20).
func WithSyllableDepth(db float64) Option {
	return func(c *config) error {
		if !(db >= 1 && db <= 20) {
			return fmt.Errorf("%w: syllable depth %v dB out of [1, 20]", ErrBadOption, db)
		}
		c.syllableDB = db
		return nil
	}
}

// The syllable count runs on the frame energy averaged over
// syllableSmooth frames (60 ms): a syllable's nucleus lasts 100-250 ms, but
// single 20 ms frames jitter by more than the dip depth in noise and
// across a voiced consonant, which added syllables (a brown-noise
// "Hello, Mark speaking." counted 7). maxSylSmooth bounds the window.
const (
	syllableSmooth = 3
	maxSylSmooth   = 8
)

// floorFrames is the noise-floor window in frames (1 s of 20 ms frames).
const floorFrames = 50

// Beep bank: Goertzel bins every beepStep Hz from beepLo to beepHi.
const (
	beepLo    = 400
	beepHi    = 2000
	beepStep  = 25
	beepBins  = (beepHi-beepLo)/beepStep + 1
	beepTonal = 0.8 // share of a frame's energy in one bin for a tonal frame
	// beepFirst is the lowest bin a beep may peak in (450 Hz; a 440 Hz
	// beep peaks there): voices' second harmonics make frames just as
	// tonal around 400-425 Hz, never a beep.
	beepFirst = 2
	beepSlack = 2 // bins a beep's frequency may wander (±50 Hz)
)

// Detector classifies one call's received audio. It is not safe for
// concurrent use; one per call.
type Detector struct {
	cfg  config
	rate int64

	// Limits in samples.
	maxDecision, initialSilence, humanSilence, maxHumanGreeting int64
	greetingSilence, maxGreeting, minBeep, maxBeep              int64
	questionSilence                                             int64

	coeff [beepBins]float64
	hpA   float64 // one-pole high-pass coefficient (200 Hz)

	hpX, hpY float64 // high-pass state

	decim  int     // rate / 8000: the beep bank runs at 8 kHz
	decAcc float64 // decimator state: sum and count of samples so far
	decN   int

	now int64 // samples fed

	floorRing [floorFrames]float64
	floorN    int
	floorPos  int

	// Voice activity and segmentation (sample positions).
	voicedRun   int   // consecutive voiced frames
	lastVoiced  int64 // end of the last voiced frame; -1 before any
	uttStart    int64 // start of the first utterance; -1 before any
	uttEnd      int64 // end of the first utterance's last voiced frame
	uttDone     bool  // the first utterance ended (HumanSilence passed)
	segments    int
	segmentOpen bool

	// Syllable count: peaks of the frame energy with dips of syllableDB.
	sylRing   [maxSylSmooth]float64
	syllables int
	sylRising bool
	sylPeak   float64
	sylValley float64

	// Pitch: F0 of the voiced frames of the first utterance's current
	// segment (the last contourLen of them), and the rise of the last
	// ended segment's final syllable (pitch.go, contour.go).
	pitch      pitchTracker
	pdecAcc    float64             // decimator state of the high-passed signal
	contour    [contourLen]float64 // semitones re 100 Hz; NaN: no F0
	contourN   int                 // frames in contour (capped at contourLen)
	contourPos int
	segRise    float64 // rise of the last ended segment (semitones)
	segRiseOK  bool

	// Tone tracking.
	toneRun   int64 // samples of the current tonal run
	toneStart int64
	toneBin   int
	beepAt    int64 // onset of the first beep; -1 before any
	beepFreq  float64
	inBeep    bool

	decided  bool
	decision Decision

	greetStart int64 // when FeedGreeting was first called; -1 before
	dropped    bool
}

// New returns a detector for audio at rate Hz (8000, 16000 or 48000),
// mono 16-bit samples fed in frames of 20 ms.
func New(rate int, opts ...Option) (*Detector, error) {
	switch rate {
	case 8000, 16000, 48000:
	default:
		return nil, fmt.Errorf("%w: %d Hz (want 8000, 16000 or 48000)", ErrBadRate, rate)
	}
	cfg := config{
		maxDecision:      DefaultMaxDecision,
		initialSilence:   DefaultInitialSilence,
		humanSilence:     DefaultHumanSilence,
		maxHumanGreeting: DefaultMaxHumanGreeting,
		greetingSilence:  DefaultGreetingSilence,
		maxGreeting:      DefaultMaxGreeting,
		minBeep:          DefaultMinBeep,
		maxBeep:          DefaultMaxBeep,
		thresholdDB:      DefaultThresholdDB,
		minSpeechDB:      DefaultMinSpeechDB,
		maxSyllables:     DefaultMaxSyllables,
		syllableDB:       DefaultSyllableDB,
		sylSmooth:        syllableSmooth,
		questionSilence:  DefaultQuestionSilence,
		questionRise:     DefaultQuestionRise,
		pausePerSyllable: DefaultPausePerSyllable,
	}
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o(&cfg); err != nil {
			return nil, err
		}
	}
	d := &Detector{cfg: cfg, rate: int64(rate)}
	s := func(t time.Duration) int64 { return int64(t) * d.rate / int64(time.Second) }
	d.maxDecision = s(cfg.maxDecision)
	d.initialSilence = s(cfg.initialSilence)
	d.humanSilence = s(cfg.humanSilence)
	d.maxHumanGreeting = s(cfg.maxHumanGreeting)
	d.greetingSilence = s(cfg.greetingSilence)
	d.maxGreeting = s(cfg.maxGreeting)
	d.minBeep = s(cfg.minBeep)
	d.maxBeep = s(cfg.maxBeep)
	d.questionSilence = s(cfg.questionSilence)
	for i := range d.coeff {
		f := float64(beepLo + i*beepStep)
		d.coeff[i] = 2 * math.Cos(2*math.Pi*f/8000)
	}
	d.decim = rate / 8000
	d.hpA = math.Exp(-2 * math.Pi * hpCutoff / float64(rate))
	d.Reset()
	return d, nil
}

// Reset makes the detector ready for a new call with the same settings.
func (d *Detector) Reset() {
	cfg, rate, coeff, hpA, decim := d.cfg, d.rate, d.coeff, d.hpA, d.decim
	lim := [...]int64{d.maxDecision, d.initialSilence, d.humanSilence, d.maxHumanGreeting,
		d.greetingSilence, d.maxGreeting, d.minBeep, d.maxBeep, d.questionSilence}
	*d = Detector{cfg: cfg, rate: rate, coeff: coeff, hpA: hpA, decim: decim}
	d.maxDecision, d.initialSilence, d.humanSilence, d.maxHumanGreeting = lim[0], lim[1], lim[2], lim[3]
	d.greetingSilence, d.maxGreeting, d.minBeep, d.maxBeep = lim[4], lim[5], lim[6], lim[7]
	d.questionSilence = lim[8]
	d.lastVoiced, d.uttStart, d.beepAt, d.greetStart = -1, -1, -1, -1
}

func (d *Detector) dur(samples int64) time.Duration {
	return time.Duration(samples * int64(time.Second) / d.rate)
}

// Decision returns the decision once made.
func (d *Detector) Decision() (Decision, bool) { return d.decision, d.decided }

// Beep returns the onset (audio time since the first frame) and frequency
// of the first beep heard, by Feed or FeedGreeting.
func (d *Detector) Beep() (at time.Duration, freqHz float64, ok bool) {
	if d.beepAt < 0 {
		return 0, 0, false
	}
	return d.dur(d.beepAt), d.beepFreq, true
}

// Elapsed returns the audio time fed so far.
func (d *Detector) Elapsed() time.Duration { return d.dur(d.now) }

// Feed analyses the next frame (20 ms of mono samples at the detector's
// rate) and returns the decision with decided=true exactly once: on the
// frame that makes it. It never allocates.
func (d *Detector) Feed(frame []int16) (Decision, bool) {
	if len(frame) == 0 || d.decided {
		if len(frame) > 0 {
			d.step(frame)
		}
		return Decision{}, false
	}
	d.step(frame)
	switch {
	case d.beepAt >= 0:
		d.decide(Machine, ReasonBeep)
	case d.uttStart >= 0 && !d.uttDone && d.lastVoiced-d.uttStart >= d.maxHumanGreeting:
		d.decide(Machine, ReasonLongGreeting)
	case d.cfg.maxSyllables > 0 && !d.uttDone && d.syllables > d.cfg.maxSyllables:
		d.decide(Machine, ReasonManySyllables)
	case d.uttDone && d.uttEnd-d.uttStart >= d.maxHumanGreeting:
		d.decide(Machine, ReasonLongGreeting)
	case d.uttDone:
		d.decide(Human, ReasonShortGreeting)
	case d.questionSilence > 0 && d.uttStart >= 0 && !d.segmentOpen && d.segRiseOK &&
		d.segRise >= d.cfg.questionRise && d.now-d.lastVoiced >= d.questionSilence:
		d.decide(Human, ReasonQuestion)
	case d.uttStart < 0 && d.now >= d.initialSilence:
		d.decide(Unknown, ReasonNoSpeech)
	case d.now >= d.maxDecision:
		d.decide(Unknown, ReasonMaxTime)
	default:
		return Decision{}, false
	}
	return d.decision, true
}

func (d *Detector) decide(r Result, why string) {
	d.decided = true
	var g time.Duration
	if d.uttStart >= 0 {
		end := d.lastVoiced
		if d.uttDone {
			end = d.uttEnd
		}
		g = d.dur(end - d.uttStart)
	}
	d.decision = Decision{Result: r, After: d.dur(d.now), Reason: why, Greeting: g, Segments: d.segments, Syllables: d.syllables}
}

// FeedGreeting analyses the next frame after a machine decision and
// reports drop=true once, with why, when the voicemail should start: on
// the first frame after a beep ends (or once a tone has lasted 2 s), when
// the greeting's speech has been followed by the greeting-silence limit, or
// after the max-greeting time since the first FeedGreeting call. It never
// allocates.
func (d *Detector) FeedGreeting(frame []int16) (drop bool, why string) {
	if len(frame) == 0 || d.dropped {
		if len(frame) > 0 {
			d.step(frame)
		}
		return false, DropAlreadyReported
	}
	if d.greetStart < 0 {
		d.greetStart = d.now
	}
	wasBeep := d.inBeep
	d.step(frame)
	switch {
	case wasBeep && !d.inBeep:
		why = DropBeep
	case d.inBeep && d.toneRun >= d.maxBeep:
		why = DropLongTone
	case !d.inBeep && d.toneRun == 0 && d.lastVoiced >= 0 && d.now-d.lastVoiced >= d.greetingSilence:
		why = DropSilence
	case d.now-d.greetStart >= d.maxGreeting:
		why = DropMaxGreeting
	default:
		return false, DropAlreadyReported
	}
	d.dropped = true
	return true, why
}

// step updates every feature with one frame.
func (d *Detector) step(frame []int16) {
	n := int64(len(frame))
	start := d.now
	d.now += n

	// Energy (high-passed, for speech) and, on the signal decimated to
	// 8 kHz (the mean of each decim samples: a beep is below 2 kHz), its
	// energy (for the tone share) and the Goertzel bank, in one pass.
	var sum, raw float64
	var s1, s2 [beepBins]float64
	hx, hy := d.hpX, d.hpY
	acc, cnt, m := d.decAcc, d.decN, 0
	pacc := d.pdecAcc
	pitchOn := d.cfg.questionSilence > 0 && !d.decided // the pitch buffer, only while it can be used
	k := d.decim
	for _, v := range frame {
		x := float64(v)
		hy = d.hpA * (hy + x - hx)
		hx = x
		sum += hy * hy
		acc += x
		pacc += hy
		if cnt++; cnt < k {
			continue
		}
		x = acc / float64(k)
		if pitchOn {
			d.pitch.push(pacc / float64(k))
		}
		acc, cnt, pacc = 0, 0, 0
		m++
		raw += x * x
		for i := range s1 {
			s0 := x + d.coeff[i]*s1[i] - s2[i]
			s2[i] = s1[i]
			s1[i] = s0
		}
	}
	d.hpX, d.hpY = hx, hy
	d.decAcc, d.decN, d.pdecAcc = acc, cnt, pacc
	db := 10 * math.Log10(sum/float64(n)/(32768*32768)+1e-10)

	// Noise floor: the quietest frame of the last second (this one
	// included, so a frame is never louder than a floor it set itself).
	d.floorRing[d.floorPos] = db
	d.floorPos = (d.floorPos + 1) % floorFrames
	if d.floorN < floorFrames {
		d.floorN++
	}
	floor := db
	for i := 0; i < d.floorN; i++ {
		floor = min(floor, d.floorRing[i])
	}
	voiced := db > floor+d.cfg.thresholdDB && db > d.cfg.minSpeechDB

	// Tone: the strongest bin's share of the frame's energy.
	tonal := false
	best := 0
	if voiced && raw > 0 {
		bestP := 0.0
		for i := range s1 {
			p := s1[i]*s1[i] + s2[i]*s2[i] - d.coeff[i]*s1[i]*s2[i]
			if p > bestP {
				bestP, best = p, i
			}
		}
		tonal = best >= beepFirst && 2*bestP/(float64(m)*raw) >= beepTonal
	}
	if tonal && d.toneRun > 0 && abs(best-d.toneBin) <= beepSlack {
		d.toneRun += n
	} else if tonal {
		d.toneRun, d.toneStart, d.toneBin = n, start, best
	} else {
		d.toneRun = 0
	}
	d.inBeep = d.toneRun >= d.minBeep
	if d.inBeep && d.beepAt < 0 {
		d.beepAt = d.toneStart
		d.beepFreq = float64(beepLo + d.toneBin*beepStep)
	}

	// Speech segments. A single voiced frame (a click) opens nothing;
	// two in a row do, from the first of them.
	if voiced {
		d.voicedRun++
	} else {
		d.voicedRun = 0
		if d.segmentOpen && !d.uttDone && !d.decided {
			d.segRise, d.segRiseOK = d.contourRise()
		}
		d.segmentOpen = false
	}
	if d.voicedRun >= 2 || (voiced && d.uttStart >= 0 && !d.uttDone) {
		if d.uttStart < 0 {
			d.uttStart = start - n*int64(d.voicedRun-1)
		}
		if !d.segmentOpen && !d.uttDone {
			d.segments++
			d.contourN, d.contourPos = 0, 0
		}
		if d.cfg.questionSilence > 0 && !d.uttDone && !d.decided {
			d.trackPitch()
		}
		d.segmentOpen = true
		d.lastVoiced = d.now
	}
	copy(d.sylRing[1:], d.sylRing[:maxSylSmooth-1])
	d.sylRing[0] = db
	if k := d.cfg.sylSmooth; k > 1 {
		var e float64
		for _, v := range d.sylRing[:k] {
			e += v
		}
		db = e / float64(k)
	}
	if d.uttStart >= 0 && !d.uttDone {
		switch {
		case d.syllables == 0:
			d.syllables, d.sylRising, d.sylPeak = 1, true, db
		case d.sylRising && db > d.sylPeak:
			d.sylPeak = db
		case d.sylRising && db < d.sylPeak-d.cfg.syllableDB:
			d.sylRising, d.sylValley = false, db
		case !d.sylRising && db < d.sylValley:
			d.sylValley = db
		case !d.sylRising && voiced && db > d.sylValley+d.cfg.syllableDB:
			d.syllables++
			d.sylRising, d.sylPeak = true, db
		}
	}
	if d.uttStart >= 0 && !d.uttDone && d.now-d.lastVoiced >= d.endSilence() {
		d.uttDone = true
		d.uttEnd = d.lastVoiced
	}
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
