package codec

import (
	"errors"
	"math"
	"testing"

	"github.com/pitchline/pitchline/audio/dsp"
)

func sine(freq float64, rate, n int, amp float64) []int16 {
	out := make([]int16, n)
	for i := range out {
		out[i] = int16(amp * math.Sin(2*math.Pi*freq*float64(i)/float64(rate)))
	}
	return out
}

func snrDB(ref, got []int16) float64 {
	var sig, noise float64
	for i := range ref {
		d := float64(ref[i]) - float64(got[i])
		sig += float64(ref[i]) * float64(ref[i])
		noise += d * d
	}
	return 10 * math.Log10(sig/noise)
}

type codecPair interface {
	Encoder
	Decoder
}

func TestRoundTripSNR(t *testing.T) {
	for _, tc := range []struct {
		name string
		c    codecPair
		amp  float64
	}{
		{"PCMU/-6dBFS", PCMU{}, 16000},
		{"PCMU/-20dBFS", PCMU{}, 3277},
		{"PCMA/-6dBFS", PCMA{}, 16000},
		{"PCMA/-20dBFS", PCMA{}, 3277},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := sine(1004, 8000, 8000, tc.amp)
			enc := make([]byte, len(in))
			out := make([]int16, len(in))
			if n := tc.c.Encode(enc, in); n != len(in) {
				t.Fatalf("Encode = %d", n)
			}
			if n := tc.c.Decode(out, enc); n != len(in) {
				t.Fatalf("Decode = %d", n)
			}
			if snr := snrDB(in, out); snr < 35 {
				t.Errorf("SNR = %.1f dB, want >= 35", snr)
			}
			if f, _ := dsp.DominantFrequency(out, 8000, 300, 3400, 4); math.Abs(f-1004) > 4 {
				t.Errorf("dominant frequency %.0f Hz", f)
			}
		})
	}
}

func TestCodeWordsStable(t *testing.T) {
	for i := 0; i < 256; i++ {
		u := byte(i)
		want := u
		if u == 0x7F { // µ-law negative zero decodes to 0, which encodes as +0 (0xFF)
			want = 0xFF
		}
		if got := ULawEncode(ULawDecode(u)); got != want {
			t.Errorf("µ-law %#02x: decode→encode = %#02x", u, got)
		}
		if got := ALawEncode(ALawDecode(u)); got != u {
			t.Errorf("A-law %#02x: decode→encode = %#02x", u, got)
		}
	}
}

// TestReferenceValues compares against SoX, an independent G.711
// implementation: every code word's decoded value, and encoded values of
// samples away from zero (SoX rounds tiny negative samples to +0, the ITU
// reference truncates them to -0; both are valid G.711).
func TestReferenceValues(t *testing.T) {
	for i := 0; i < 256; i++ {
		if got := ULawDecode(byte(i)); got != soxULaw[i] {
			t.Errorf("ULawDecode(%#02x) = %d, SoX %d", i, got, soxULaw[i])
		}
		if got := ALawDecode(byte(i)); got != soxALaw[i] {
			t.Errorf("ALawDecode(%#02x) = %d, SoX %d", i, got, soxALaw[i])
		}
	}
	// sox -D -t raw -e signed -b 16 lin.raw -e u-law|a-law -b 8 out.raw
	enc := []struct {
		in   int16
		u, a byte
	}{
		{0, 0xFF, 0xD5}, {32767, 0x80, 0xAA}, {-32768, 0x00, 0x2A},
		{1000, 0xCE, 0xFA}, {-1000, 0x4E, 0x7A}, {5, 0xFE, 0xD5},
		{-4567, 0x2D, 0x04},
	}
	for _, c := range enc {
		if got := ULawEncode(c.in); got != c.u {
			t.Errorf("ULawEncode(%d) = %#02x, want %#02x", c.in, got, c.u)
		}
		if got := ALawEncode(c.in); got != c.a {
			t.Errorf("ALawEncode(%d) = %#02x, want %#02x", c.in, got, c.a)
		}
	}
	// Spot values from G.711 Tables 1 and 2 (16-bit scaled).
	if ULawDecode(0x80) != 32124 || ULawDecode(0xFF) != 0 || ALawDecode(0xAA) != 32256 || ALawDecode(0xD5) != 8 {
		t.Error("G.711 table extremes wrong")
	}
}

func TestRegistry(t *testing.T) {
	for _, tc := range []struct {
		name string
		pt   uint8
	}{{"PCMU", 0}, {"pcma", 8}} {
		i, err := Lookup(tc.name)
		if err != nil {
			t.Fatalf("Lookup(%q): %v", tc.name, err)
		}
		if i.PayloadType != tc.pt || i.ClockRate != 8000 || i.Channels != 1 {
			t.Errorf("Lookup(%q) = %+v", tc.name, i)
		}
		j, err := LookupPayloadType(tc.pt)
		if err != nil || j.Name != i.Name {
			t.Errorf("LookupPayloadType(%d) = %v, %v", tc.pt, j.Name, err)
		}
		if _, err := i.NewEncoder(); err != nil {
			t.Error(err)
		}
	}
	if _, err := Lookup("G729"); !errors.Is(err, ErrUnknownCodec) {
		t.Errorf("Lookup(G729) err = %v", err)
	}
	if _, err := LookupPayloadType(18); !errors.Is(err, ErrUnknownCodec) {
		t.Errorf("LookupPayloadType(18) err = %v", err)
	}
	if err := Register(Info{Name: "pcmu", PayloadType: 0, ClockRate: 8000, Channels: 1,
		NewEncoder: func() (Encoder, error) { return PCMU{}, nil },
		NewDecoder: func() (Decoder, error) { return PCMU{}, nil }}); !errors.Is(err, ErrDuplicate) {
		t.Errorf("duplicate Register err = %v", err)
	}
	if err := Register(Info{Name: "x"}); !errors.Is(err, ErrInvalid) {
		t.Errorf("invalid Register err = %v", err)
	}
	if n := Names(); len(n) < 2 {
		t.Errorf("Names = %v", n)
	}
}

func TestPLC(t *testing.T) {
	const rate, frame = 8000, 160
	p, err := NewPLC(rate)
	if err != nil {
		t.Fatal(err)
	}
	sig := sine(200, rate, frame*20, 10000)
	for i := 0; i < 10; i++ {
		p.Good(append([]int16(nil), sig[i*frame:(i+1)*frame]...))
	}
	// One lost frame: the concealment continues the 200 Hz tone closely.
	c := make([]int16, frame)
	p.Conceal(c)
	if snr := snrDB(sig[10*frame:11*frame], c); snr < 15 {
		t.Errorf("first concealed frame SNR vs. true signal = %.1f dB, want >= 15", snr)
	}
	if f, _ := dsp.DominantFrequency(c, rate, 100, 1000, 5); math.Abs(f-200) > 10 {
		t.Errorf("concealed frequency %.0f Hz, want 200", f)
	}
	// Levels fade: frames 2 and 3 are quieter, frame 4 onwards (>= 60 ms) silent.
	prev := dsp.RMS(c)
	for i := 2; i <= 4; i++ {
		p.Conceal(c)
		r := dsp.RMS(c)
		if i < 4 && r >= prev {
			t.Errorf("concealed frame %d RMS %.3f not below %.3f", i, r, prev)
		}
		prev = r
	}
	if dsp.Peak(c) != 0 {
		t.Errorf("frame after 60 ms of loss not silent: peak %.3f", dsp.Peak(c))
	}
	if !p.Concealing() {
		t.Error("Concealing() = false")
	}
	g := append([]int16(nil), sig[15*frame:16*frame]...)
	p.Good(g)
	if p.Concealing() {
		t.Error("Concealing() after Good")
	}
	if _, err := NewPLC(0); !errors.Is(err, ErrInvalid) {
		t.Errorf("NewPLC(0) err = %v", err)
	}
}

func TestPLCSilenceHistory(t *testing.T) {
	p, _ := NewPLC(8000)
	c := make([]int16, 160)
	p.Conceal(c) // no history: silence, no panic
	if dsp.Peak(c) != 0 {
		t.Error("concealment from empty history not silent")
	}
}

func BenchmarkPCMUEncode(b *testing.B) {
	in := sine(440, 8000, 160, 8000)
	out := make([]byte, 160)
	b.ReportAllocs()
	for b.Loop() {
		PCMU{}.Encode(out, in)
	}
}

func BenchmarkPCMADecode(b *testing.B) {
	in := make([]byte, 160)
	out := make([]int16, 160)
	b.ReportAllocs()
	for b.Loop() {
		PCMA{}.Decode(out, in)
	}
}

func BenchmarkPLCConceal(b *testing.B) {
	p, _ := NewPLC(8000)
	p.Good(sine(200, 8000, 160, 8000))
	c := make([]int16, 160)
	b.ReportAllocs()
	for b.Loop() {
		p.Conceal(c)
		if !p.Concealing() {
			b.Fatal()
		}
		p.Good(c)
	}
}
