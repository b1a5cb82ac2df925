package tone

import (
	"fmt"
	"time"
)

// Region selects a national call-progress tone plan.
type Region string

// Supported regions.
const (
	// RegionUS is North America (ANSI T1.401 precise tones).
	RegionUS Region = "us"
	// RegionUK is the United Kingdom (BT SIN 350).
	RegionUK Region = "uk"
	// RegionEU is the CEPT/ETSI European plan (ETSI TR 101 041), 425 Hz.
	RegionEU Region = "eu"
	// RegionJP is Japan (NTT).
	RegionJP Region = "jp"
)

// String returns the region code.
func (r Region) String() string { return string(r) }

// Regions lists the supported regions.
func Regions() []Region { return []Region{RegionUS, RegionUK, RegionEU, RegionJP} }

// Levels: each component of a call-progress tone sits at about -17 dBFS
// (dual tones peak near -11 dBFS), DTMF components at -12 dBFS.
const (
	progressAmp = 0.14
	dtmfAmp     = 0.25
)

func ms(v int) time.Duration { return time.Duration(v) * time.Millisecond }

func on(d time.Duration, f1, f2 float64) Segment {
	s := Segment{Duration: d, Freq: [2]float64{f1, f2}, Amp: [2]float64{progressAmp, progressAmp}}
	if f2 == 0 {
		s.Amp[1] = 0
	}
	return s
}

// RingbackCadence returns the ringing (ringback) tone cadence of region, as
// listed in ITU-T E.180 Suppl. 2:
//
//	us: 440+480 Hz, 2 s on, 4 s off
//	uk: 400+450 Hz, 0.4 s on, 0.2 s off, 0.4 s on, 2 s off
//	eu: 425 Hz, 1 s on, 4 s off
//	jp: 400 Hz modulated by 16 Hz, 1 s on, 2 s off
func RingbackCadence(region Region) ([]Segment, error) {
	switch region {
	case RegionUS:
		return []Segment{on(2*time.Second, 440, 480), Silence(4 * time.Second)}, nil
	case RegionUK:
		return []Segment{on(ms(400), 400, 450), Silence(ms(200)), on(ms(400), 400, 450), Silence(2 * time.Second)}, nil
	case RegionEU:
		return []Segment{on(time.Second, 425, 0), Silence(4 * time.Second)}, nil
	case RegionJP:
		return []Segment{on(time.Second, 400, 0), Silence(2 * time.Second)}, nil
	}
	return nil, fmt.Errorf("tone: region %q: %w", string(region), ErrRegion)
}

// BusyCadence returns the busy tone cadence of region:
//
//	us: 480+620 Hz, 0.5 s on, 0.5 s off
//	uk: 400 Hz, 0.375 s on, 0.375 s off
//	eu: 425 Hz, 0.5 s on, 0.5 s off
//	jp: 400 Hz, 0.5 s on, 0.5 s off
func BusyCadence(region Region) ([]Segment, error) {
	switch region {
	case RegionUS:
		return []Segment{on(ms(500), 480, 620), Silence(ms(500))}, nil
	case RegionUK:
		return []Segment{on(ms(375), 400, 0), Silence(ms(375))}, nil
	case RegionEU:
		return []Segment{on(ms(500), 425, 0), Silence(ms(500))}, nil
	case RegionJP:
		return []Segment{on(ms(500), 400, 0), Silence(ms(500))}, nil
	}
	return nil, fmt.Errorf("tone: region %q: %w", string(region), ErrRegion)
}

// NewRingback returns the endless ringback tone of region at rate.
func NewRingback(rate int, region Region) (*Generator, error) {
	c, err := RingbackCadence(region)
	if err != nil {
		return nil, err
	}
	g, err := NewGenerator(rate, c, 0)
	if err != nil {
		return nil, err
	}
	if region == RegionJP {
		// 400 Hz fully amplitude-modulated by 16 Hz (sidebands 384/416 Hz).
		g.withAM(16, 1)
	}
	return g, nil
}

// NewBusy returns the endless busy tone of region at rate.
func NewBusy(rate int, region Region) (*Generator, error) {
	c, err := BusyCadence(region)
	if err != nil {
		return nil, err
	}
	return NewGenerator(rate, c, 0)
}

// DTMFFrequencies returns the Q.23 row (low) and column (high) frequencies
// of digit (0-9, *, #, A-D; lower-case a-d accepted).
//
//	        1209  1336  1477  1633 Hz
//	697 Hz   1     2     3     A
//	770 Hz   4     5     6     B
//	852 Hz   7     8     9     C
//	941 Hz   *     0     #     D
func DTMFFrequencies(digit rune) (low, high float64, err error) {
	rows := [4]float64{697, 770, 852, 941}
	cols := [4]float64{1209, 1336, 1477, 1633}
	const keys = "123A456B789C*0#D"
	if digit >= 'a' && digit <= 'd' {
		digit -= 'a' - 'A'
	}
	for i, k := range keys {
		if k == digit {
			return rows[i/4], cols[i%4], nil
		}
	}
	return 0, 0, fmt.Errorf("tone: %q: %w", digit, ErrDigit)
}

// NewDTMF returns the dual tone of digit lasting duration at rate; after
// that ReadFrame returns io.EOF.
func NewDTMF(digit rune, rate int, duration time.Duration) (*Generator, error) {
	lo, hi, err := DTMFFrequencies(digit)
	if err != nil {
		return nil, err
	}
	if duration <= 0 || duration > time.Minute {
		return nil, fmt.Errorf("tone: DTMF duration %v: %w", duration, ErrParam)
	}
	return NewGenerator(rate, []Segment{{Duration: duration, Freq: [2]float64{lo, hi}, Amp: [2]float64{dtmfAmp, dtmfAmp}}}, duration)
}

// NewDTMFSequence returns the dual tones of digits one after the other,
// each lasting tone and followed by gap of silence (the local feedback of
// keys sent as RFC 4733 events, which go out one by one); after that
// ReadFrame returns io.EOF. It reports ErrParam for an empty or invalid
// digit or a non-positive tone.
func NewDTMFSequence(digits string, rate int, tone, gap time.Duration) (*Generator, error) {
	if digits == "" || tone <= 0 || gap < 0 {
		return nil, fmt.Errorf("tone: DTMF sequence %q (%v on, %v off): %w", digits, tone, gap, ErrParam)
	}
	var cadence []Segment
	var total time.Duration
	for _, d := range digits {
		lo, hi, err := DTMFFrequencies(d)
		if err != nil {
			return nil, err
		}
		cadence = append(cadence, Segment{Duration: tone, Freq: [2]float64{lo, hi}, Amp: [2]float64{dtmfAmp, dtmfAmp}})
		total += tone
		if gap > 0 {
			cadence = append(cadence, Silence(gap))
			total += gap
		}
	}
	if total > time.Hour {
		return nil, fmt.Errorf("tone: DTMF sequence of %d digits is too long: %w", len(digits), ErrParam)
	}
	return NewGenerator(rate, cadence, total)
}

// Notes of the ringer melody (equal temperament, A4 = 440 Hz).
const (
	noteE5  = 659.26
	noteGs5 = 830.61
	noteB5  = 987.77
	noteE6  = 1318.51
)

// RingtoneCadence is the ringer: a bell-like rising E-major arpeggio
// (E5 G♯5 B5 E6) played twice, then 2 s of quiet; 3.6 s per cycle. Each
// note has a soft octave overtone and decays like a struck bell.
func RingtoneCadence() []Segment {
	note := func(f float64, d time.Duration) Segment {
		return Segment{Duration: d, Freq: [2]float64{f, 2 * f}, Amp: [2]float64{0.3, 0.08}, Decay: ms(150)}
	}
	phrase := []Segment{note(noteE5, ms(120)), note(noteGs5, ms(120)), note(noteB5, ms(120)), note(noteE6, ms(240)), Silence(ms(200))}
	out := append(append([]Segment{}, phrase...), phrase...)
	return append(out, Silence(2*time.Second))
}

// NewRingtone returns the endless ringer melody at rate.
func NewRingtone(rate int) (*Generator, error) {
	return NewGenerator(rate, RingtoneCadence(), 0)
}
