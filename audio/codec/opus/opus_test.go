package opus_test

import (
	"errors"
	"math"
	"testing"

	"github.com/pitchline/pitchline/audio/codec"
	"github.com/pitchline/pitchline/audio/codec/opus"
	"github.com/pitchline/pitchline/audio/dsp"
)

// tone returns n samples of a sine of freq Hz at 48 kHz, amplitude amp of
// full scale, starting at sample offset off.
func tone(n, off int, freq, amp float64) []int16 {
	out := make([]int16, n)
	for i := range out {
		out[i] = int16(amp * 32767 * math.Sin(2*math.Pi*freq*float64(off+i)/opus.SampleRate))
	}
	return out
}

// voice returns frames of a voiced, speech-like signal whose pitch and
// vowel change every frame, so that extrapolating the previous frame (PLC)
// cannot guess a lost one.
func voice(frames int) [][]int16 {
	out := make([][]int16, frames)
	phase := 0.0
	for f := range out {
		pitch := 120 + 80*math.Sin(float64(f)*1.3)
		formant := 700 + 500*math.Sin(float64(f)*0.7)
		fr := make([]int16, opus.FrameSamples)
		for i := range fr {
			phase += 2 * math.Pi * pitch / opus.SampleRate
			var s float64
			for h := 1; h <= 20; h++ {
				fh := pitch * float64(h)
				g := math.Exp(-math.Abs(fh-formant) / 400)
				s += g * math.Sin(float64(h)*phase)
			}
			// Syllables: a 4 Hz envelope, as speech has, so libopus's
			// voice activity detector sees speech (FEC is only coded for
			// active frames) rather than a stationary noise floor.
			t := float64(f*opus.FrameSamples+i) / opus.SampleRate
			env := 0.2 + 0.8*math.Abs(math.Sin(2*math.Pi*2*t))
			fr[i] = int16(6000 * env * s)
		}
		out[f] = fr
	}
	return out
}

func newPair(t testing.TB, opts ...opus.Option) (*opus.Encoder, *opus.Decoder) {
	t.Helper()
	enc, err := opus.NewEncoder(opts...)
	if err != nil {
		t.Fatal(err)
	}
	dec, err := opus.NewDecoder()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { enc.Close(); dec.Close() })
	return enc, dec
}

// TestToneRoundTrip: a 6 kHz tone, above what 8 kHz G.711 can carry (its
// Nyquist limit is 4 kHz), survives Opus at the default 32 kbit/s.
func TestToneRoundTrip(t *testing.T) {
	for _, freq := range []float64{1000, 6000} {
		enc, dec := newPair(t)
		const frames = 50
		var in, out []int16
		pkt := make([]byte, opus.MaxPayload)
		pcm := make([]int16, opus.MaxFrameSamples)
		for f := 0; f < frames; f++ {
			fr := tone(opus.FrameSamples, f*opus.FrameSamples, freq, 0.3)
			n, err := enc.EncodeFrame(pkt, fr)
			if err != nil {
				t.Fatalf("%v Hz frame %d: %v", freq, f, err)
			}
			m, err := dec.DecodeFrame(pcm, pkt[:n])
			if err != nil {
				t.Fatalf("%v Hz frame %d: %v", freq, f, err)
			}
			if m != opus.FrameSamples {
				t.Fatalf("%v Hz frame %d: decoded %d samples, want %d", freq, f, m, opus.FrameSamples)
			}
			in = append(in, fr...)
			out = append(out, pcm[:m]...)
		}
		// Skip the first 200 ms: encoder lookahead and the mode decision.
		steady := out[10*opus.FrameSamples:]
		want := dsp.Goertzel(in[10*opus.FrameSamples:], opus.SampleRate, freq)
		got := dsp.Goertzel(steady, opus.SampleRate, freq)
		dom, _ := dsp.DominantFrequency(steady, opus.SampleRate, 100, 20000, 50)
		t.Logf("%v Hz: power in %.4f out %.4f, dominant %v Hz", freq, want, got, dom)
		if got < want/4 {
			t.Errorf("%v Hz: tone power after Opus %.4f, want at least a quarter of %.4f", freq, got, want)
		}
		if math.Abs(dom-freq) > 50 {
			t.Errorf("%v Hz: dominant frequency after Opus %v Hz", freq, dom)
		}
	}
}

// spectralDistance is the log-spectral distance of got from ref in dB: the
// RMS over 50 Hz bins from 100 Hz to 7 kHz (the band SILK's FEC carries)
// of the difference of their levels. Waveform SNR would punish the small
// phase shifts of a low bit-rate FEC copy that the ear does not hear.
func spectralDistance(ref, got []int16) float64 {
	const floor = 1e-9
	var sum float64
	var n int
	for f := 100.0; f <= 7000; f += 50 {
		a := 10 * math.Log10(dsp.Goertzel(ref, opus.SampleRate, f)+floor)
		b := 10 * math.Log10(dsp.Goertzel(got, opus.SampleRate, f)+floor)
		sum += (a - b) * (a - b)
		n++
	}
	return math.Sqrt(sum / float64(n))
}

// TestFECRecoversLostPacket drops, one at a time, each packet of a second
// of a speech-like signal: the frames rebuilt from the next packet's FEC
// match the lossless decode more closely than libopus's PLC and than
// silence (the spectral distance, averaged over the drops).
func TestFECRecoversLostPacket(t *testing.T) {
	sig := voice(60)
	enc, ref := newPair(t)
	pkts := make([][]byte, len(sig))
	refOut := make([][]int16, len(sig))
	for f, fr := range sig {
		buf := make([]byte, opus.MaxPayload)
		n, err := enc.EncodeFrame(buf, fr)
		if err != nil {
			t.Fatal(err)
		}
		pkts[f] = buf[:n]
		out := make([]int16, opus.FrameSamples)
		if _, err := ref.DecodeFrame(out, pkts[f]); err != nil {
			t.Fatal(err)
		}
		refOut[f] = out
	}
	recover := func(lost int, useFEC bool) []int16 {
		dec, err := opus.NewDecoder()
		if err != nil {
			t.Fatal(err)
		}
		defer dec.Close()
		out := make([]int16, opus.FrameSamples)
		for f := 0; f < lost; f++ {
			if _, err := dec.DecodeFrame(out, pkts[f]); err != nil {
				t.Fatal(err)
			}
		}
		var next []byte
		if useFEC {
			next = pkts[lost+1]
		}
		n, err := dec.ConcealFrame(out, next)
		if err != nil || n != opus.FrameSamples {
			t.Fatalf("conceal frame %d (FEC %v): %d samples, %v", lost, useFEC, n, err)
		}
		return out
	}
	var fec, plc, silence float64
	drops := 0
	for lost := 10; lost < len(sig)-1; lost++ {
		fec += spectralDistance(refOut[lost], recover(lost, true))
		plc += spectralDistance(refOut[lost], recover(lost, false))
		silence += spectralDistance(refOut[lost], make([]int16, opus.FrameSamples))
		drops++
	}
	fec, plc, silence = fec/float64(drops), plc/float64(drops), silence/float64(drops)
	t.Logf("mean spectral distance from the lossless decode over %d drops: FEC %.1f dB, PLC %.1f dB, silence %.1f dB", drops, fec, plc, silence)
	if fec > silence/2 {
		t.Errorf("FEC recovery %.1f dB from the original, not half of silence's %.1f dB", fec, silence)
	}
	if fec > plc-3 {
		t.Errorf("FEC recovery %.1f dB is not 3 dB closer than PLC (%.1f dB): FEC unused?", fec, plc)
	}
}

// TestDTXOnSilence: with DTX on, silence becomes packets of at most 2 bytes
// (which RFC 7587 lets the sender skip); with DTX off it does not.
func TestDTXOnSilence(t *testing.T) {
	count := func(dtx bool) (small, total int) {
		enc, dec := newPair(t, opus.WithDTX(dtx))
		if enc.DTX() != dtx {
			t.Fatalf("DTX() = %v, want %v", enc.DTX(), dtx)
		}
		pkt := make([]byte, opus.MaxPayload)
		pcm := make([]int16, opus.MaxFrameSamples)
		silence := make([]int16, opus.FrameSamples)
		for f := 0; f < 100; f++ {
			// Half a second of tone first, so DTX has speech to end.
			fr := silence
			if f < 25 {
				fr = tone(opus.FrameSamples, f*opus.FrameSamples, 440, 0.3)
			}
			n, err := enc.EncodeFrame(pkt, fr)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := dec.DecodeFrame(pcm, pkt[:n]); err != nil {
				t.Fatalf("decode frame %d (%d bytes): %v", f, n, err)
			}
			if f >= 50 {
				total++
				if n <= 2 {
					small++
				}
			}
		}
		return small, total
	}
	on, total := count(true)
	off, _ := count(false)
	t.Logf("packets of at most 2 bytes during the last second of silence: DTX on %d/%d, off %d/%d", on, total, off, total)
	if on < total*3/4 {
		t.Errorf("DTX on: %d of %d silent packets are DTX packets, want at least 3/4", on, total)
	}
	if off != 0 {
		t.Errorf("DTX off: %d DTX packets, want none", off)
	}
}

func TestOptionsAndErrors(t *testing.T) {
	for _, o := range []opus.Option{opus.WithBitrate(5999), opus.WithBitrate(510001), opus.WithComplexity(-1),
		opus.WithComplexity(11), opus.WithPacketLoss(-1), opus.WithPacketLoss(101)} {
		if _, err := opus.NewEncoder(o); !errors.Is(err, opus.ErrInvalid) {
			t.Errorf("NewEncoder with a bad option: %v, want ErrInvalid", err)
		}
	}
	enc, err := opus.NewEncoder(opus.WithBitrate(64000), opus.WithComplexity(10), opus.WithFEC(false), opus.WithPacketLoss(0))
	if err != nil {
		t.Fatal(err)
	}
	if enc.Bitrate() != 64000 || enc.FEC() {
		t.Errorf("Bitrate %d FEC %v, want 64000 false", enc.Bitrate(), enc.FEC())
	}
	if err := enc.SetPacketLoss(30); err != nil {
		t.Error(err)
	}
	if err := enc.SetPacketLoss(200); !errors.Is(err, opus.ErrInvalid) {
		t.Errorf("SetPacketLoss(200): %v, want ErrInvalid", err)
	}
	pkt := make([]byte, opus.MaxPayload)
	if _, err := enc.EncodeFrame(pkt, make([]int16, 100)); !errors.Is(err, opus.ErrInvalid) {
		t.Errorf("encode 100 samples: %v, want ErrInvalid", err)
	}
	if n := enc.Encode(pkt, make([]int16, 100)); n != 0 {
		t.Errorf("Encode of a bad frame = %d, want 0", n)
	}
	if _, err := enc.EncodeFrame(pkt[:0], make([]int16, opus.FrameSamples)); !errors.Is(err, opus.ErrBufferTooSmall) {
		t.Errorf("encode into an empty buffer: %v, want ErrBufferTooSmall", err)
	}
	n, err := enc.EncodeFrame(pkt, tone(opus.FrameSamples, 0, 440, 0.5))
	if err != nil {
		t.Fatal(err)
	}
	enc.Close()
	if _, err := enc.EncodeFrame(pkt, make([]int16, opus.FrameSamples)); !errors.Is(err, opus.ErrClosed) {
		t.Errorf("encode after Close: %v, want ErrClosed", err)
	}

	dec, err := opus.NewDecoder()
	if err != nil {
		t.Fatal(err)
	}
	defer dec.Close()
	if _, err := dec.DecodeFrame(make([]int16, 100), pkt[:n]); !errors.Is(err, opus.ErrBufferTooSmall) {
		t.Errorf("decode 20 ms into 100 samples: %v, want ErrBufferTooSmall", err)
	}
	// RFC 6716 §3.2.5: code 3 packet with a frame count of 0 is invalid.
	if _, err := dec.DecodeFrame(make([]int16, opus.MaxFrameSamples), []byte{0x03, 0x00}); !errors.Is(err, opus.ErrCorrupt) {
		t.Errorf("decode a corrupt packet: %v, want ErrCorrupt", err)
	}
	if _, err := dec.ConcealFrame(make([]int16, 100), nil); !errors.Is(err, opus.ErrBufferTooSmall) {
		t.Errorf("conceal into 100 samples: %v, want ErrBufferTooSmall", err)
	}
	// An empty payload is a lost packet: concealed, 20 ms.
	if got := dec.Decode(make([]int16, opus.FrameSamples), nil); got != opus.FrameSamples {
		t.Errorf("Decode(nil) = %d samples, want %d", got, opus.FrameSamples)
	}
}

// TestRegistered: the package's init registers Opus for SDP (dynamic
// payload type, 48 kHz clock) and its factories work.
func TestRegistered(t *testing.T) {
	info, err := codec.Lookup("OPUS")
	if err != nil {
		t.Fatal(err)
	}
	if info.Name != "opus" || info.PayloadType != codec.DynamicPayloadType || info.ClockRate != 48000 || info.Channels != 1 {
		t.Errorf("registered %+v", info)
	}
	enc, err := info.NewEncoder()
	if err != nil {
		t.Fatal(err)
	}
	dec, err := info.NewDecoder()
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := dec.(codec.Concealer); !ok {
		t.Error("the registered decoder is not a codec.Concealer")
	}
	pkt := make([]byte, opus.MaxPayload)
	n := enc.Encode(pkt, tone(opus.FrameSamples, 0, 440, 0.3))
	if n <= 0 || dec.Decode(make([]int16, opus.FrameSamples), pkt[:n]) != opus.FrameSamples {
		t.Errorf("registry codec round trip failed (%d bytes)", n)
	}
}

func TestNoAllocs(t *testing.T) {
	enc, dec := newPair(t)
	pkt := make([]byte, opus.MaxPayload)
	pcm := make([]int16, opus.FrameSamples)
	fr := tone(opus.FrameSamples, 0, 440, 0.3)
	var n int
	if a := testing.AllocsPerRun(50, func() { n = enc.Encode(pkt, fr) }); a != 0 {
		t.Errorf("Encode: %v allocs per run", a)
	}
	if a := testing.AllocsPerRun(50, func() { dec.Decode(pcm, pkt[:n]) }); a != 0 {
		t.Errorf("Decode: %v allocs per run", a)
	}
	if a := testing.AllocsPerRun(50, func() { dec.Conceal(pcm, pkt[:n]) }); a != 0 {
		t.Errorf("Conceal: %v allocs per run", a)
	}
}

// FuzzDecode feeds arbitrary payloads to the decoder, alone and as FEC
// source: no crash, a sample count within the buffer, or a sentinel error.
func FuzzDecode(f *testing.F) {
	enc, err := opus.NewEncoder()
	if err != nil {
		f.Fatal(err)
	}
	pkt := make([]byte, opus.MaxPayload)
	n, _ := enc.EncodeFrame(pkt, tone(opus.FrameSamples, 0, 6000, 0.3))
	enc.Close()
	f.Add(append([]byte(nil), pkt[:n]...))
	f.Add([]byte{0x03, 0x00})
	f.Add([]byte{0xFF, 0xFF, 0xFF})
	f.Add([]byte{0x08})
	dec, err := opus.NewDecoder()
	if err != nil {
		f.Fatal(err)
	}
	pcm := make([]int16, opus.MaxFrameSamples)
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, size := range []int{opus.FrameSamples, opus.MaxFrameSamples} {
			n, err := dec.DecodeFrame(pcm[:size], data)
			if err != nil {
				if !errors.Is(err, opus.ErrCorrupt) && !errors.Is(err, opus.ErrBufferTooSmall) && !errors.Is(err, opus.ErrInvalid) {
					t.Fatalf("decode %x: unexpected error %v", data, err)
				}
			} else if n < 0 || n > size {
				t.Fatalf("decode %x: %d samples into %d", data, n, size)
			}
			if n, err := dec.ConcealFrame(pcm[:opus.FrameSamples], data); err != nil || n != opus.FrameSamples {
				t.Fatalf("conceal with next %x: %d samples, %v", data, n, err)
			}
		}
	})
}

func BenchmarkEncode(b *testing.B) {
	enc, _ := newPair(b)
	pkt := make([]byte, opus.MaxPayload)
	frames := voice(50)
	b.ReportAllocs()
	b.SetBytes(opus.FrameSamples * 2)
	for i := 0; b.Loop(); i++ {
		if enc.Encode(pkt, frames[i%len(frames)]) == 0 {
			b.Fatal("encode failed")
		}
	}
}

func BenchmarkDecode(b *testing.B) {
	enc, dec := newPair(b)
	frames := voice(50)
	pkts := make([][]byte, len(frames))
	for i, fr := range frames {
		buf := make([]byte, opus.MaxPayload)
		pkts[i] = buf[:enc.Encode(buf, fr)]
	}
	pcm := make([]int16, opus.FrameSamples)
	b.ReportAllocs()
	b.SetBytes(opus.FrameSamples * 2)
	for i := 0; b.Loop(); i++ {
		if dec.Decode(pcm, pkts[i%len(pkts)]) != opus.FrameSamples {
			b.Fatal("decode failed")
		}
	}
}
