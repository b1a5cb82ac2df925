package mixer

import (
	"math"
	"testing"

	"github.com/pitchline/pitchline/audio"
	"github.com/pitchline/pitchline/audio/dsp"
	"github.com/pitchline/pitchline/audio/resample"
	"github.com/pitchline/pitchline/audio/tone"
)

// Each listener mixes at its own rate and converts only what crosses rates
// (planes.go). These tests hold that to a reference that converts every
// talker separately and continuously, to the resampler's image rejection,
// and to click-free route changes across rates.

// xrig is a 48 kHz mixer with ports at several rates, each node saying
// its own signal; it records every node's frames and what each heard.
type xrig struct {
	t     *testing.T
	m     *Mixer
	ep    *fakeEndpoint
	ports []*Port
	rates []int // per node: 0 = Local
	gens  [][]*tone.Generator
	said  [][]int16 // per node: this tick's frame
	heard [][]int16 // per node: this tick's mix
}

// newXrig adds a connected port per rate; node i says the sum of the
// tones freqs[i] (amplitude amp each).
func newXrig(t *testing.T, amp float64, freqs [][]float64, rates ...int) *xrig {
	t.Helper()
	m, ep := newTest(t, rigRate)
	x := &xrig{t: t, m: m, ep: ep, rates: append([]int{rigRate}, rates...)}
	for i, rate := range x.rates {
		if i > 0 {
			p, err := m.AddPort(rate)
			if err != nil {
				t.Fatal(err)
			}
			p.SetConnected(true)
			x.ports = append(x.ports, p)
		}
		var gs []*tone.Generator
		for _, f := range freqs[i] {
			g, err := tone.NewSine(f, amp, rate)
			if err != nil {
				t.Fatal(err)
			}
			gs = append(gs, g)
		}
		x.gens = append(x.gens, gs)
		x.said = append(x.said, make([]int16, audio.FrameSamples(rate)))
		x.heard = append(x.heard, make([]int16, audio.FrameSamples(rate)))
	}
	return x
}

func (x *xrig) node(i int) Node {
	if i == 0 {
		return Local
	}
	return x.ports[i-1].Node()
}

// tick makes every node say its next frame, mixes it, and reads what each
// node heard.
func (x *xrig) tick() {
	x.t.Helper()
	for i, gs := range x.gens {
		clear(x.said[i])
		buf := make([]int16, len(x.said[i]))
		for _, g := range gs {
			if err := g.ReadFrame(buf); err != nil {
				x.t.Fatal(err)
			}
			for k, v := range buf {
				x.said[i][k] += v
			}
		}
	}
	for i, p := range x.ports {
		if err := p.WriteFrame(x.said[i+1]); err != nil {
			x.t.Fatal(err)
		}
	}
	copy(x.heard[0], x.ep.step(x.t, x.said[0]))
	for i, p := range x.ports {
		if err := p.ReadFrame(x.heard[i+1]); err != nil {
			x.t.Fatal(err)
		}
	}
}

func (x *xrig) update(fn func(r *Routes)) {
	x.t.Helper()
	if err := x.m.Update(fn); err != nil {
		x.t.Fatal(err)
	}
}

// TestCrossRateMatchesReference: Local at 48 kHz, four ports at 8 kHz,
// two at 16 kHz, one at 48 kHz, through a sequence of route sets that
// takes every path of the mix (each plane's converted sum, that sum minus
// a few talkers, talkers converted one by one, a plane's set of talkers
// changing by hold and resume). In every steady frame each node hears
// exactly, within rounding, the sum of what it is routed to hear, each
// talker converted on its own by a resampler that ran all along: the
// right talkers, the right gain, no stale filter history.
func TestCrossRateMatchesReference(t *testing.T) {
	rates := []int{8000, 8000, 8000, 8000, 16000, 16000, 48000}
	freqs := [][]float64{{1000, 6000}, {300}, {700}, {1100}, {1900, 3700}, {2300}, {5100, 2900}, {7300, 450}}
	x := newXrig(t, 0.04, freqs, rates...)
	n := len(x.rates)
	// ref[j][rate]: talker j converted to rate, continuously.
	ref := make([]map[int]*resample.Resampler, n)
	refOut := make([]map[int][]int16, n)
	for j, pr := range x.rates {
		ref[j], refOut[j] = map[int]*resample.Resampler{}, map[int][]int16{}
		for _, r := range []int{8000, 16000, 48000} {
			if r != pr {
				ref[j][r], _ = resample.New(pr, r)
				refOut[j][r] = make([]int16, audio.FrameSamples(r))
			}
		}
	}
	connected := make([]bool, n)
	for i := range connected {
		connected[i] = true
	}
	all := make([]Node, n)
	for i := range all {
		all[i] = x.node(i)
	}
	phases := []struct {
		name string
		fn   func(r *Routes)
	}{
		{"mix-minus", func(r *Routes) { r.MixMinus(all...) }},
		{"port 1 muted", func(r *Routes) {
			for i := range n {
				r.SetHears(all[i], all[1], false)
			}
		}},
		{"Local hears one 8 kHz port, port 5 only Local", func(r *Routes) {
			r.MixMinus(all...)
			for _, j := range []int{1, 3, 4} {
				r.SetHears(Local, all[j], false)
			}
			r.Isolate(all[5])
			r.SetHears(all[5], Local, true)
		}},
		{"mix-minus again", func(r *Routes) { r.MixMinus(all...) }},
		{"hold 3 and 6", nil},
		{"port 2 hears only the 16 kHz and 48 kHz ports", func(r *Routes) {
			r.Isolate(all[2])
			for _, j := range []int{5, 7} {
				r.SetHears(all[2], all[j], true)
			}
		}},
		{"resume 3 and 6", nil},
	}
	for _, ph := range phases {
		switch ph.name {
		case "hold 3 and 6":
			x.ports[2].SetConnected(false)
			x.ports[5].SetConnected(false)
			connected[3], connected[6] = false, false
		case "resume 3 and 6":
			x.ports[2].SetConnected(true)
			x.ports[5].SetConnected(true)
			connected[3], connected[6] = true, true
		default:
			x.update(ph.fn)
		}
		hears := make([][]bool, n)
		for i := range n {
			hears[i] = make([]bool, n)
			for j := range n {
				hears[i][j] = connected[i] && connected[j] && x.m.Hears(all[i], all[j])
			}
		}
		worst := 0
		for k := range 8 {
			x.tick()
			for j := range n {
				for r, res := range ref[j] {
					res.Process(refOut[j][r], x.said[j])
				}
			}
			if k < 2 { // the fade, and the frame a resumed talker's history catches up
				continue
			}
			for i := range n {
				want := make([]int32, len(x.heard[i]))
				for j := range n {
					if !hears[i][j] {
						continue
					}
					src := x.said[j]
					if x.rates[j] != x.rates[i] {
						src = refOut[j][x.rates[i]]
					}
					for s, v := range src {
						want[s] += int32(v)
					}
				}
				for s, v := range x.heard[i] {
					d := int(v) - int(want[s])
					if d < 0 {
						d = -d
					}
					worst = max(worst, d)
					if d > 8 {
						t.Fatalf("%s, frame %d: %v hears %d at sample %d, want %d (routes %v)", ph.name, k, x.node(i), v, s, want[s], hears[i])
					}
				}
			}
		}
		t.Logf("%s: largest difference from the reference %d", ph.name, worst)
	}
}

// TestCrossRateNoImages: Local (48 kHz) hears three 8 kHz ports and a
// 16 kHz one; the 8 kHz ports hear the microphone, which says a tone
// above their Nyquist frequency too. Within Goertzel's exact bins (a
// window of whole periods of every frequency), each tone arrives at full
// power, and every image of the narrowband tones up to 24 kHz, and the
// alias of the microphone's 5.5 kHz tone at 8 kHz, stays below -85 dB of
// it (the resampler's stopband is 90 dB).
func TestCrossRateNoImages(t *testing.T) {
	const amp = 0.2
	freqs := [][]float64{{1000, 5500}, {1000}, {2000}, {3000}, {1500}}
	x := newXrig(t, amp, freqs, 8000, 8000, 8000, 16000)
	x.update(func(r *Routes) { r.MixMinus(x.node(0), x.node(1), x.node(2), x.node(3), x.node(4)) })
	for range settle {
		x.tick()
	}
	const frames = 20 // 400 ms: bins of 2.5 Hz
	rec := make([][]int16, len(x.rates))
	for range frames {
		x.tick()
		for i := range rec {
			rec[i] = append(rec[i], x.heard[i]...)
		}
	}
	full := amp * amp
	spk := rec[0]
	for _, f := range []float64{1000, 2000, 3000, 1500} {
		if p := dsp.Goertzel(spk, rigRate, f); p < full*0.9 || p > full*1.1 {
			t.Errorf("speaker: %v Hz at power %.3g, want about %.3g", f, p, full)
		}
	}
	worst := 0.0
	for _, f := range []float64{1000, 2000, 3000} {
		for k := 8000.0; k < 24000; k += 8000 {
			for _, img := range []float64{k - f, k + f} {
				if img == 16000-1500 || img == 16000+1500 || img >= 24000 {
					continue
				}
				worst = max(worst, dsp.Goertzel(spk, rigRate, img))
			}
		}
	}
	for _, img := range []float64{16000 - 1500, 16000 + 1500} {
		worst = max(worst, dsp.Goertzel(spk, rigRate, img))
	}
	t.Logf("speaker: worst image %.1f dB under the tones", 10*math.Log10(full/worst))
	if worst > full*math.Pow(10, -8.5) {
		t.Errorf("speaker: an image at %.1f dB under the tones, want at least 85 dB", 10*math.Log10(full/worst))
	}
	for i := 1; i <= 3; i++ {
		h := rec[i]
		if p := dsp.Goertzel(h, 8000, 1000); p < full*0.9 { // the microphone (and port 1's own tone is not heard)
			t.Errorf("port %d: microphone's 1000 Hz at power %.3g, want about %.3g", i, p, full)
		}
		if p := dsp.Goertzel(h, 8000, 2500); p > full*math.Pow(10, -8.5) {
			t.Errorf("port %d: the microphone's 5.5 kHz aliased to 2.5 kHz at %.1f dB under the tones, want at least 85 dB", i, 10*math.Log10(full/p))
		}
	}
	if p := dsp.Goertzel(rec[4], 16000, 5500); p < full*0.9 {
		t.Errorf("16 kHz port: microphone's 5500 Hz at power %.3g, want about %.3g", p, full)
	}
}

// TestCrossRateSwitchIsClickFree: routes that cross rates turning on and
// off, switching how the mix converts them (a plane's sum, its sum minus
// a talker, talkers one by one), and an 8 kHz port held and resumed, at
// several phases: the largest step between samples stays within that of
// the talkers' tones plus one frame's fade step. A conversion resumed with
// a stale filter history steps by about a talker's amplitude.
func TestCrossRateSwitchIsClickFree(t *testing.T) {
	const amp = 0.1
	// No tone fits a whole number of periods in a frame: a stale history
	// would not equal the right one.
	freqs := [][]float64{{230}, {210}, {260}, {290}, {330}}
	x := newXrig(t, amp, freqs, 8000, 8000, 8000, 8000)
	a := amp * 32768
	var spkBound, portBound float64
	for _, f := range freqs[1:] {
		spkBound += a * 2 * math.Pi * f[0] / rigRate
	}
	spkBound += 4 * a / float64(audio.FrameSamples(rigRate))
	portBound = a*2*math.Pi*230/8000 + a/float64(audio.FrameSamples(8000))
	p := x.ports
	n := func(i int) Node { return x.node(i) }
	set := func(fn func(r *Routes)) func() { return func() { x.update(fn) } }
	switches := []func(){
		set(func(r *Routes) { // Local hears only port 1: converted on its own
			for _, i := range []int{2, 3, 4} {
				r.SetHears(Local, n(i), false)
			}
		}),
		set(func(r *Routes) { // all four: the plane's converted sum
			for _, i := range []int{2, 3, 4} {
				r.SetHears(Local, n(i), true)
			}
		}),
		set(func(r *Routes) { r.SetHears(Local, n(2), false) }), // the sum minus port 2
		func() { p[2].SetConnected(false) },                     // the plane's set changes
		set(func(r *Routes) { r.SetHears(Local, n(2), true) }),
		func() { p[2].SetConnected(true) },
		set(func(r *Routes) { r.SetHears(n(1), Local, false) }), // the microphone, 48 → 8 kHz
		set(func(r *Routes) { r.SetHears(n(1), Local, true) }),
		set(func(r *Routes) { r.SetHears(Local, n(4), false); r.SetHears(Local, n(1), false) }),
		set(func(r *Routes) { r.SetHears(Local, n(4), true); r.SetHears(Local, n(1), true) }),
	}
	var spk, port []int16
	for k := range 3 * len(switches) {
		for range 2 + k%5 {
			x.tick()
			spk = append(spk, x.heard[0]...)
			port = append(port, x.heard[1]...)
		}
		switches[k%len(switches)]()
	}
	if j := maxJump(spk[2*960:]); j > int(spkBound)+3 {
		t.Errorf("speaker: largest step %d, want at most %d (a click)", j, int(spkBound)+3)
	}
	if j := maxJump(port[2*160:]); j > int(portBound)+3 {
		t.Errorf("8 kHz port: largest step %d, want at most %d (a click)", j, int(portBound)+3)
	}
	if dsp.Peak(spk) < 2*amp || dsp.Peak(port) < amp*0.9 {
		t.Errorf("peaks %v and %v: the tones did not get through", dsp.Peak(spk), dsp.Peak(port))
	}
}

// TestCrossRateTickDoesNotAllocate: with 32 ports at 8 kHz, one at 16 kHz
// and Local at 48 kHz, a tick allocates nothing in a steady mix-minus nor
// while the conversions switch (a plane's sum, minus one talker, one by
// one; a set changed by a hold).
func TestCrossRateTickDoesNotAllocate(t *testing.T) {
	m, err := newMixer(&benchEndpoint{}) // the test drives tick
	if err != nil {
		t.Fatal(err)
	}
	nodes := []Node{Local}
	var ports []*Port
	for k := range 33 {
		rate := 8000
		if k == 32 {
			rate = 16000
		}
		p, _ := m.AddPort(rate)
		frame := make([]int16, audio.FrameSamples(rate))
		for i := range frame {
			frame[i] = int16(1000 * math.Sin(float64(i*(k+1))/11))
		}
		out := make([]int16, len(frame))
		p.SetConnected(true)
		p.SetOnTick(func() { p.ReadFrame(out); p.WriteFrame(frame) })
		ports = append(ports, p)
		nodes = append(nodes, p.Node())
	}
	m.Update(func(r *Routes) { r.MixMinus(nodes...) })
	m.tick()
	if a := testing.AllocsPerRun(20, m.tick); a != 0 {
		t.Errorf("steady mix-minus tick: %v allocations", a)
	}
	steps := []struct {
		what string
		fn   func()
	}{
		{"Local stops hearing one 8 kHz port", func() { m.SetHears(Local, nodes[3], false) }},
		{"Local hears only two 8 kHz ports", func() {
			m.Update(func(r *Routes) {
				for _, n := range nodes[4:33] {
					r.SetHears(Local, n, false)
				}
			})
		}},
		{"a port on hold", func() { ports[1].SetConnected(false) }},
		{"mix-minus again", func() { m.Update(func(r *Routes) { r.MixMinus(nodes...) }) }},
		{"a port resumed", func() { ports[1].SetConnected(true) }},
	}
	for _, s := range steps {
		s.fn()
		for k := range 2 { // the fade, then the steady frame
			if n := tickAllocs(m); n != 0 {
				t.Errorf("%s (tick %d): the tick allocated %d times", s.what, k, n)
			}
		}
	}
}

// TestCrossRateSlotReuseIsClickFree: Local hears three 8 kHz ports as
// one converted sum; one is removed and another 8 kHz port takes its slot
// before the next tick. The sum's filter history must not carry the
// removed port's last frame into the new port's place: that would come
// back, after its fade-out, as a burst at the frame boundary.
func TestCrossRateSlotReuseIsClickFree(t *testing.T) {
	const amp = 0.2
	m, ep := newTest(t, rigRate)
	var ports []*Port
	var gens []*tone.Generator
	for k := range 3 {
		p, err := m.AddPort(8000)
		if err != nil {
			t.Fatal(err)
		}
		p.SetConnected(true)
		ports = append(ports, p)
		g, err := tone.NewSine([]float64{210, 270, 330}[k], amp, 8000)
		if err != nil {
			t.Fatal(err)
		}
		gens = append(gens, g)
	}
	silence := make([]int16, audio.FrameSamples(rigRate))
	quiet := make([]int16, audio.FrameSamples(8000))
	var spk []int16
	step := func() {
		for k, p := range ports {
			if gens[k] == nil {
				p.WriteFrame(quiet)
			} else {
				p.WriteFrame(frameOf(t, gens[k]))
			}
		}
		spk = append(spk, ep.step(t, silence)...)
	}
	for range 4 {
		step()
	}
	slot := ports[1].slot
	if err := m.RemovePort(ports[1]); err != nil {
		t.Fatal(err)
	}
	gens[1] = nil
	step() // the fade-out, then the slot is free
	q, err := m.AddPort(8000)
	if err != nil {
		t.Fatal(err)
	}
	if q.slot != slot {
		t.Fatalf("new port in slot %d, want the freed %d", q.slot, slot)
	}
	q.SetConnected(true)
	ports[1] = q
	for range 3 {
		step()
	}
	a := amp * 32768
	bound := a*2*math.Pi*(210+270+330)/rigRate + 3*a/float64(len(silence)) + 3
	if j := maxJump(spk[len(silence):]); j > int(bound) {
		t.Errorf("largest step %d, want at most %d (a click)", j, int(bound))
	}
}
