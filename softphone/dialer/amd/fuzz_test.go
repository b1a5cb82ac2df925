package amd

import (
	"encoding/binary"
	"testing"
	"time"
)

// FuzzFeed: arbitrary samples in arbitrary frame sizes at every rate never
// panic, Feed decides exactly once and by the max decision time (plus one
// frame), and FeedGreeting reports at most one drop, by the max greeting.
func FuzzFeed(f *testing.F) {
	f.Add(uint8(0), uint8(0), []byte{})
	f.Add(uint8(1), uint8(160), []byte{0xff, 0x7f, 0x00, 0x80, 0x01, 0x00})
	f.Add(uint8(2), uint8(7), make([]byte, 640))
	tone := make([]byte, 3200)
	for i := 0; i < len(tone)/2; i++ {
		binary.LittleEndian.PutUint16(tone[2*i:], uint16(int16([]int{0, 7071, 10000, 7071, 0, -7071, -10000, -7071}[i%8])))
	}
	f.Add(uint8(0), uint8(160), tone)
	f.Add(uint8(0x80), uint8(160), tone)
	f.Add(uint8(0x81), uint8(5), tone)
	f.Fuzz(func(t *testing.T, rateSel, frameSel uint8, data []byte) {
		rate := []int{8000, 16000, 48000}[int(rateSel)%3]
		frame := int(frameSel)%(rate/50) + 1
		// rateSel's top bit turns the question rule (the pitch tracker) on.
		qs := time.Duration(0)
		if rateSel&0x80 != 0 {
			qs = 150 * time.Millisecond
		}
		d, err := New(rate, WithMaxDecision(500*time.Millisecond), WithInitialSilence(300*time.Millisecond), WithMaxGreeting(time.Second),
			WithQuestionSilence(qs))
		if err != nil {
			t.Fatal(err)
		}
		samples := make([]int16, len(data)/2)
		for i := range samples {
			samples[i] = int16(binary.LittleEndian.Uint16(data[2*i:]))
		}
		if len(samples) == 0 {
			samples = []int16{0}
		}
		buf := make([]int16, frame)
		p := 0
		fill := func() {
			for i := range buf {
				buf[i] = samples[p%len(samples)]
				p++
			}
		}
		limit := 500*time.Millisecond + time.Duration(frame)*time.Second/time.Duration(rate)
		decisions := 0
		for d.Elapsed() < limit+100*time.Millisecond {
			fill()
			dec, ok := d.Feed(buf)
			if ok {
				decisions++
				if dec.After > limit || dec.Result.String() == "" {
					t.Fatalf("decision %+v past %v", dec, limit)
				}
			}
		}
		if decisions != 1 {
			t.Fatalf("%d decisions, want 1", decisions)
		}
		drops := 0
		start := d.Elapsed()
		for d.Elapsed()-start < 1100*time.Millisecond {
			fill()
			if drop, why := d.FeedGreeting(buf); drop {
				drops++
				if why == "" {
					t.Fatal("a drop without a reason")
				}
			}
		}
		if drops != 1 {
			t.Fatalf("%d drops in 1.1 s with a 1 s max greeting, want 1", drops)
		}
	})
}
