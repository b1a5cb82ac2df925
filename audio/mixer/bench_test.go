package mixer

import (
	"fmt"
	"math"
	"testing"

	"github.com/pitchline/pitchline/audio"
)

// benchEndpoint is a non-allocating device edge for benchmarks.
type benchEndpoint struct{ out audio.Meter }

func (e *benchEndpoint) Rate() int                  { return 48000 }
func (e *benchEndpoint) Capture([]int16) error      { return nil }
func (e *benchEndpoint) Play(src []int16) error     { e.out.Update(src); return nil }
func (e *benchEndpoint) Levels() (float64, float64) { return 0, e.out.DBFS() }
func (e *benchEndpoint) Close() error               { return nil }

// benchMixer returns a 48 kHz mixer driven by the benchmark (no
// goroutine) with n connected ports at rate, each fed and drained from its
// tick hook as a call leg's media session does (Port.SetOnTick), routed by
// matrix: "mix-minus" (Local and every port hear everyone but themselves)
// or "one-listener" (Local hears every port; no port hears anything).
func benchMixer(b *testing.B, n, rate int, matrix string) *Mixer {
	b.Helper()
	m, err := newMixer(&benchEndpoint{})
	if err != nil {
		b.Fatal(err)
	}
	for i := range m.mic {
		m.mic[i] = int16(3000 * math.Sin(float64(i)/7))
	}
	nodes := []Node{Local}
	for k := range n {
		p, err := m.AddPort(rate)
		if err != nil {
			b.Fatal(err)
		}
		p.SetConnected(true)
		nodes = append(nodes, p.Node())
		in := make([]int16, audio.FrameSamples(rate))
		for i := range in {
			in[i] = int16(1000 * math.Sin(float64(i*(k+1))/11))
		}
		out := make([]int16, len(in))
		p.SetOnTick(func() {
			p.ReadFrame(out)
			p.WriteFrame(in)
		})
	}
	err = m.Update(func(r *Routes) {
		switch matrix {
		case "mix-minus":
			r.MixMinus(nodes...)
		case "one-listener":
			for _, n := range nodes[1:] {
				r.Isolate(n)
				r.SetHears(Local, n, true)
			}
		default:
			b.Fatalf("matrix %q", matrix)
		}
	})
	if err != nil {
		b.Fatal(err)
	}
	for range 3 { // past the fades, rings primed
		m.tick()
	}
	return m
}

// BenchmarkTick is one 20 ms frame of the whole mixer on a 48 kHz bus:
// every port's uplink and downlink through its ring, the mix, the meters,
// the speaker. Ports at 48 kHz, so no resampling (see BenchmarkTickRates).
func BenchmarkTick(b *testing.B) {
	for _, matrix := range []string{"mix-minus", "one-listener"} {
		for _, n := range []int{2, 8, 32} {
			b.Run(fmt.Sprintf("%s/ports=%d", matrix, n), func(b *testing.B) {
				m := benchMixer(b, n, 48000, matrix)
				b.ReportAllocs()
				for b.Loop() {
					m.tick()
				}
			})
		}
	}
}

// BenchmarkTickRates is BenchmarkTick for a mix-minus conference with
// every port at one codec rate, Local at 48 kHz: the ports mix at their
// own rate, so a tick converts the microphone once down to their rate
// (shared by all) and their sum once up to the bus, whatever the number
// of ports.
func BenchmarkTickRates(b *testing.B) {
	for _, rate := range []int{8000, 16000, 48000} {
		for _, n := range []int{8, 32} {
			b.Run(fmt.Sprintf("rate=%d/ports=%d", rate, n), func(b *testing.B) {
				m := benchMixer(b, n, rate, "mix-minus")
				b.ReportAllocs()
				for b.Loop() {
					m.tick()
				}
			})
		}
	}
}

// BenchmarkPortRoundTrip is one port's share of a frame outside the mix:
// WriteFrame (into the ring) and ReadFrame (out of the ring), both at the
// port's rate (no resampling since the mix runs at each port's rate).
func BenchmarkPortRoundTrip(b *testing.B) {
	for _, rate := range []int{8000, 16000, 48000} {
		b.Run(fmt.Sprintf("rate=%d", rate), func(b *testing.B) {
			m, err := newMixer(&benchEndpoint{})
			if err != nil {
				b.Fatal(err)
			}
			p, _ := m.AddPort(rate)
			p.SetConnected(true)
			frame := make([]int16, audio.FrameSamples(rate))
			for i := range frame {
				frame[i] = int16(1000 * math.Sin(float64(i)/5))
			}
			b.ReportAllocs()
			for b.Loop() {
				p.WriteFrame(frame)
				// What the tick does with the port's rings, without the mix.
				p.io.Load().upRing.Read(p.up)
				p.io.Load().downRing.Write(p.up)
				p.ReadFrame(frame)
			}
		})
	}
}
