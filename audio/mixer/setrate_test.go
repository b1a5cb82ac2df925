package mixer

import (
	"errors"
	"math"
	"testing"

	"github.com/pitchline/pitchline/audio"
	"github.com/pitchline/pitchline/audio/tone"
)

// A leg whose codec changes mid-call (G.711 at 8 kHz to Opus at 48 kHz and
// back) moves its port to the new rate in place (Port.SetRate): same Node,
// same routes, same connection state.

// setRate switches node i's port to rate and runs the two ticks the switch
// takes (the fade-out at the old rate, the swap and fade-in at the new
// one), writing and reading frames at whatever rate the port has at each
// step, as a leg's media tick does. Node i then says its tone at the new
// rate.
func (r *rig) setRate(i, rate int) {
	r.t.Helper()
	p := r.ports[i-1]
	node := p.Node()
	if err := p.SetRate(rate); err != nil {
		r.t.Fatal(err)
	}
	g, err := tone.NewSine(r.freqs[i], rigAmp, rate)
	if err != nil {
		r.t.Fatal(err)
	}
	for range 2 {
		f := make([]int16, audio.FrameSamples(p.Rate()))
		if err := p.WriteFrame(f); err != nil {
			r.t.Fatal(err)
		}
		r.ep.step(r.t, frameOf(r.t, r.gens[0]))
		if err := p.ReadFrame(make([]int16, audio.FrameSamples(p.Rate()))); err != nil {
			r.t.Fatal(err)
		}
	}
	if p.Rate() != rate || p.Node() != node {
		r.t.Fatalf("after SetRate(%d) and two ticks: rate %d, node %v (was %v)", rate, p.Rate(), p.Node(), node)
	}
	r.gens[i] = g
	r.out[i] = make([]int16, audio.FrameSamples(rate))
}

// TestSetRateKeepsRoutes: a rep (Local), a customer and a lead whispering
// (the lead hears everyone, only the rep hears the lead), a muted
// participant and one on hold. The customer switches 8 → 48 kHz, the
// lead 8 → 16 kHz, the muted one 16 → 8 kHz, the held one 8 → 48 kHz
// (while held): every route, the mute and the hold hold as they were,
// by Hears and by what every node hears; then back again.
func TestSetRateKeepsRoutes(t *testing.T) {
	const cust, lead, muted, held = 1, 2, 3, 4
	r := newRig(t, 8000, 8000, 16000, 8000)
	r.mixMinus(0, 1, 2, 3, 4)
	r.update(func(rt *Routes) {
		for i := range r.freqs {
			if i != 0 {
				rt.SetHears(r.node(i), r.node(lead), false) // whisper
			}
			rt.SetHears(r.node(i), r.node(muted), false)
		}
	})
	r.ports[held-1].SetConnected(false)
	routed := func(l, t int) bool { return t != muted && (t != lead || l == 0) }
	heard := func(l, t int) bool { return routed(l, t) && l != held && t != held }
	r.checkMatrix("before", routed)
	r.check("before", heard)

	for _, step := range []struct {
		what  string
		rates map[int]int
	}{
		{"switched up", map[int]int{cust: 48000, lead: 16000, muted: 8000, held: 48000}},
		{"switched back", map[int]int{cust: 8000, lead: 8000, muted: 16000, held: 8000}},
	} {
		for i, rate := range step.rates {
			r.setRate(i, rate)
		}
		r.checkMatrix(step.what, routed)
		r.check(step.what, heard)
		if r.ports[held-1].Connected() {
			t.Errorf("%s: the held port was connected by the switch", step.what)
		}
	}
	r.ports[held-1].SetConnected(true)
	r.check("resumed", routed)
}

// TestSetRateCarriesWideband: Local says a 1 kHz and a 6 kHz tone to a
// port at 8 kHz, which hears only the 1 kHz one (6 kHz is above its
// band); moved to 48 kHz, it hears both. What it says at 48 kHz (7 kHz)
// reaches the speaker, and the switch puts no click in either direction.
func TestSetRateCarriesWideband(t *testing.T) {
	m, ep := newTest(t, rigRate)
	p, err := m.AddPort(8000)
	if err != nil {
		t.Fatal(err)
	}
	p.SetConnected(true)
	lo, hi := gen(t, 1000, rigRate), gen(t, 6000, rigRate)
	say := map[int]*tone.Generator{8000: gen(t, 1500, 8000), 48000: gen(t, 7000, 48000)}
	var heard, spk []int16
	at48 := -1 // index in heard of the first sample read at 48 kHz
	ticks := func(n int) {
		for range n {
			mic := frameOf(t, lo)
			for i, v := range frameOf(t, hi) {
				mic[i] = (mic[i] + v) / 2
			}
			if err := p.WriteFrame(frameOf(t, say[p.Rate()])); err != nil {
				t.Fatal(err)
			}
			spk = append(spk, ep.step(t, mic)...)
			buf := make([]int16, audio.FrameSamples(p.Rate()))
			if len(buf) == 960 && at48 < 0 {
				at48 = len(heard)
			}
			if err := p.ReadFrame(buf); err != nil {
				t.Fatal(err)
			}
			heard = append(heard, buf...)
		}
	}
	ticks(settle + 10)
	if pw := power(heard[settle*160:], 8000, 1000); pw < 1e-3 {
		t.Errorf("at 8 kHz the port does not hear the 1 kHz tone: power %.2g", pw)
	}
	before := len(heard)
	if err := p.SetRate(48000); err != nil {
		t.Fatal(err)
	}
	spkAt := len(spk)
	ticks(settle + 10)
	if p.Rate() != 48000 {
		t.Fatalf("rate %d after the switch, want 48000", p.Rate())
	}
	// The last 10 frames were all read at 48 kHz.
	after := heard[len(heard)-10*960:]
	if pw := power(after, 48000, 6000); pw < 1e-3 {
		t.Errorf("at 48 kHz the port does not hear the 6 kHz tone: power %.2g", pw)
	}
	if pw := power(spk[len(spk)-10*960:], 48000, 7000); pw < 1e-3 {
		t.Errorf("the speaker does not hear the port's 7 kHz tone: power %.2g", pw)
	}
	// No click: the speaker across the switch stays within the tones'
	// own steps (1.5 kHz then 7 kHz at 0.25, and the microphone's are not
	// heard by Local) plus a fade step.
	a := 0.25 * 32768
	bound := int(a*2*math.Pi*7000/rigRate) + int(a/960) + 3
	if j := maxJump(spk[spkAt-960:]); j > bound {
		t.Errorf("speaker across the switch: largest step %d, want at most %d (a click)", j, bound)
	}
	// No click in what the port hears: at 8 kHz up to the fade-out, and
	// at 48 kHz from the fade-in on, within the tones' own steps (1 and
	// 6 kHz at 0.125 each) plus a fade step.
	if at48 < 0 {
		t.Fatal("the port never read at 48 kHz")
	}
	a8 := 0.125 * 32768 * 2 * math.Pi * 1000 / 8000
	if j := maxJump(heard[before-160 : at48]); j > int(a8)+int(0.125*32768)/160+3 {
		t.Errorf("port before the switch: largest step %d (a click)", j)
	}
	mic := 0.125 * 32768 * 2 * math.Pi * (1000 + 6000) / rigRate
	if j := maxJump(heard[at48:]); j > int(mic)+int(a/960)+3 {
		t.Errorf("port after the switch: largest step %d, want at most %d (a click)", j, int(mic)+int(a/960)+3)
	}
	// Errors: an unsupported rate, a removed port.
	if err := p.SetRate(12345); !errors.Is(err, ErrRate) {
		t.Errorf("SetRate(12345) = %v, want ErrRate", err)
	}
	m.RemovePort(p)
	if err := p.SetRate(8000); !errors.Is(err, ErrUnknownPort) {
		t.Errorf("SetRate on a removed port = %v, want ErrUnknownPort", err)
	}
}

// TestSetRateTickDoesNotAllocate: the ticks that switch a port's rate
// (the fade-out, the swap) and every tick after allocate nothing; only
// SetRate does.
func TestSetRateTickDoesNotAllocate(t *testing.T) {
	m, err := newMixer(&benchEndpoint{}) // the test drives tick
	if err != nil {
		t.Fatal(err)
	}
	var ports []*Port
	bufs := map[int][]int16{}
	for _, rate := range []int{8000, 48000, 16000} {
		bufs[rate] = make([]int16, audio.FrameSamples(rate))
		for i := range bufs[rate] {
			bufs[rate][i] = int16(1000 * math.Sin(float64(i)/7))
		}
	}
	out := make([]int16, 960)
	for range 3 {
		p, _ := m.AddPort(8000)
		p.SetConnected(true)
		p.SetOnTick(func() {
			n := audio.FrameSamples(p.Rate())
			p.ReadFrame(out[:n])
			p.WriteFrame(bufs[p.Rate()])
		})
		ports = append(ports, p)
	}
	m.Update(func(r *Routes) { r.MixMinus(Local, ports[0].Node(), ports[1].Node(), ports[2].Node()) })
	m.tick()
	for _, sw := range []struct {
		port, rate int
	}{{0, 48000}, {1, 16000}, {0, 8000}, {2, 48000}} {
		if err := ports[sw.port].SetRate(sw.rate); err != nil {
			t.Fatal(err)
		}
		for k := range 4 {
			if n := tickAllocs(m); n != 0 {
				t.Errorf("switch of port %d to %d Hz (tick %d): the tick allocated %d times", sw.port, sw.rate, k, n)
			}
		}
		if got := ports[sw.port].Rate(); got != sw.rate {
			t.Errorf("port %d at %d Hz, want %d", sw.port, got, sw.rate)
		}
	}
}
