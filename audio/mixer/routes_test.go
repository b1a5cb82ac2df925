package mixer

import (
	"errors"
	"fmt"
	"math"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/pitchline/pitchline/audio"
	"github.com/pitchline/pitchline/audio/dsp"
	"github.com/pitchline/pitchline/audio/tone"
)

// rig runs a 48 kHz mixer from the test, one tick per step: Local's
// microphone and every port say a tone of their own, and what every node
// hears is recorded (Local: the speaker).
type rig struct {
	t     *testing.T
	m     *Mixer
	ep    *fakeEndpoint
	ports []*Port
	freqs []float64 // per node index: 0 = Local, i = ports[i-1]
	gens  []*tone.Generator
	out   [][]int16 // per node index: read buffers (index 0 unused)
	heard [][]int16 // per node index, since the last reset
}

const (
	rigRate = 48000
	rigAmp  = 0.08 // nine tones sum below full scale
)

// newRig adds one port per rate; every node says its own tone from
// 300 Hz up in 300 Hz steps (all within an 8 kHz port's passband). Ports
// are connected, with the default routes.
func newRig(t *testing.T, rates ...int) *rig {
	t.Helper()
	m, ep := newTest(t, rigRate)
	r := &rig{t: t, m: m, ep: ep}
	for i := 0; i <= len(rates); i++ {
		rate := rigRate
		if i > 0 {
			rate = rates[i-1]
			p, err := m.AddPort(rate)
			if err != nil {
				t.Fatal(err)
			}
			p.SetConnected(true)
			r.ports = append(r.ports, p)
		}
		f := 300 * float64(i+1)
		g, err := tone.NewSine(f, rigAmp, rate)
		if err != nil {
			t.Fatal(err)
		}
		r.freqs = append(r.freqs, f)
		r.gens = append(r.gens, g)
		r.out = append(r.out, make([]int16, audio.FrameSamples(rate)))
	}
	r.heard = make([][]int16, len(r.freqs))
	return r
}

// node returns the Node of node index i.
func (r *rig) node(i int) Node {
	if i == 0 {
		return Local
	}
	return r.ports[i-1].Node()
}

func (r *rig) rate(i int) int { return r.gens[i].Rate() }

// run mixes frames ticks and records what each node heard in them.
func (r *rig) run(frames int) {
	r.t.Helper()
	for i := range r.heard {
		r.heard[i] = r.heard[i][:0]
	}
	for range frames {
		for k, p := range r.ports {
			if err := p.WriteFrame(frameOf(r.t, r.gens[k+1])); err != nil {
				r.t.Fatal(err)
			}
		}
		r.heard[0] = append(r.heard[0], r.ep.step(r.t, frameOf(r.t, r.gens[0]))...)
		for k, p := range r.ports {
			if err := p.ReadFrame(r.out[k+1]); err != nil {
				r.t.Fatal(err)
			}
			r.heard[k+1] = append(r.heard[k+1], r.out[k+1]...)
		}
	}
}

// settle is how many frames of a run are left out of a check: fades and
// resampler delays are over well within it.
const settle = 5

// check runs 25 frames and asserts, by the Goertzel power of each node's
// tone in the last 20, that node i hears node j exactly when hears(i, j).
func (r *rig) check(what string, hears func(listener, talker int) bool) {
	r.t.Helper()
	r.run(settle + 20)
	full := rigAmp * rigAmp // a sine of amplitude a has Goertzel power a²
	for i := range r.freqs {
		h := r.heard[i][settle*audio.FrameSamples(r.rate(i)):]
		for j, f := range r.freqs {
			p := dsp.Goertzel(h, r.rate(i), f)
			want := i != j && hears(i, j)
			if want && p < full/2 {
				r.t.Errorf("%s: %v does not hear %v (%v Hz): power %.2g, want about %.2g", what, r.node(i), r.node(j), f, p, full)
			}
			if !want && p > full*1e-4 {
				r.t.Errorf("%s: %v hears %v (%v Hz) but must not: power %.2g", what, r.node(i), r.node(j), f, p)
			}
		}
	}
}

// checkMatrix compares Mixer.Hears with hears for every pair of nodes.
func (r *rig) checkMatrix(what string, hears func(listener, talker int) bool) {
	r.t.Helper()
	for i := range r.freqs {
		for j := range r.freqs {
			if got, want := r.m.Hears(r.node(i), r.node(j)), i != j && hears(i, j); got != want {
				r.t.Errorf("%s: Hears(%v, %v) = %v, want %v", what, r.node(i), r.node(j), got, want)
			}
		}
	}
}

func (r *rig) update(fn func(*Routes)) {
	r.t.Helper()
	if err := r.m.Update(fn); err != nil {
		r.t.Fatal(err)
	}
}

func (r *rig) mixMinus(nodes ...int) {
	r.t.Helper()
	r.update(func(rt *Routes) {
		var ns []Node
		for _, i := range nodes {
			ns = append(ns, r.node(i))
		}
		rt.MixMinus(ns...)
	})
}

func everyone(listener, talker int) bool { return true }

// twoParty is the default: every port hears Local and Local hears every
// port; ports do not hear each other.
func twoParty(listener, talker int) bool { return listener == 0 || talker == 0 }

func TestDefaultRoutesAreTwoParty(t *testing.T) {
	r := newRig(t, 8000, 16000, 48000)
	r.checkMatrix("default", twoParty)
	r.check("default", twoParty)
}

func TestMixMinus3(t *testing.T) {
	r := newRig(t, 8000, 16000, 48000)
	r.mixMinus(0, 1, 2, 3)
	r.checkMatrix("mix-minus", everyone)
	r.check("mix-minus", everyone)
}

// TestMixMinus8: eight ports at the three port rates and Local, all in one
// conference; then Local leaves it (the others stay bridged).
func TestMixMinus8(t *testing.T) {
	r := newRig(t, 8000, 16000, 48000, 8000, 16000, 48000, 8000, 8000)
	r.mixMinus(0, 1, 2, 3, 4, 5, 6, 7, 8)
	r.check("mix-minus of 9 nodes", everyone)
	r.update(func(rt *Routes) { rt.Isolate(Local) })
	r.check("Local left", func(l, t int) bool { return l != 0 && t != 0 })
}

// The team lead's roles. Node 0 is the rep (Local), 1 the customer, 2 the
// team lead.
const (
	rep, customer, lead = 0, 1, 2
)

// leadRole sets the lead's role in one Update: the lead always hears the
// rep and the customer; listen: nobody hears the lead; whisper: only the
// rep does; barge: everyone does.
func (r *rig) leadRole(role string) {
	r.update(func(rt *Routes) {
		rt.MixMinus(r.node(rep), r.node(customer), r.node(lead))
		switch role {
		case "listen":
			rt.SetHears(r.node(rep), r.node(lead), false)
			rt.SetHears(r.node(customer), r.node(lead), false)
		case "whisper":
			rt.SetHears(r.node(customer), r.node(lead), false)
		}
	})
}

func TestLeadRoles(t *testing.T) {
	r := newRig(t, 8000, 16000)
	roles := []struct {
		role  string
		hears func(l, t int) bool
	}{
		{"listen", func(l, t int) bool { return t != lead }},
		{"whisper", func(l, t int) bool { return t != lead || l == rep }},
		{"barge", everyone},
		{"whisper", func(l, t int) bool { return t != lead || l == rep }},
		{"listen", func(l, t int) bool { return t != lead }},
	}
	// Switching mid-call, in both directions.
	for _, c := range roles {
		r.leadRole(c.role)
		r.checkMatrix(c.role, c.hears)
		r.check(c.role, c.hears)
	}
}

// TestHoldBySetConnected: in a three-way conference, a held port is not
// heard and hears nothing (not even Local), whatever its routes; resumed,
// it is back.
func TestHoldBySetConnected(t *testing.T) {
	r := newRig(t, 8000, 16000, 8000)
	r.mixMinus(0, 1, 2, 3)
	const held = 2
	r.ports[held-1].SetConnected(false)
	r.check("hold", func(l, t int) bool { return l != held && t != held })
	if p := dsp.Peak(r.heard[held][settle*audio.FrameSamples(r.rate(held)):]); p != 0 {
		t.Errorf("held port hears peak %v, want silence", p)
	}
	r.checkMatrix("hold keeps routes", everyone)
	r.ports[held-1].SetConnected(true)
	r.check("resume", everyone)
}

// TestHoldWithMusic: hold by routes, with music on hold. A music port
// (node 4) is heard by nobody until a participant (node 2) is held: then
// that participant hears only the music and nobody hears it; resumed, it
// is back in the conference and the music is heard by nobody again.
func TestHoldWithMusic(t *testing.T) {
	r := newRig(t, 8000, 16000, 8000, 48000)
	const held, music = 2, 4
	conf := []int{0, 1, 2, 3}
	r.mixMinus(conf...)
	r.update(func(rt *Routes) { rt.Isolate(r.node(music)) })
	inConf := func(l, t int) bool { return l != music && t != music }
	r.check("conference, music idle", inConf)
	r.update(func(rt *Routes) {
		rt.Isolate(r.node(held))
		rt.SetHears(r.node(held), r.node(music), true)
	})
	r.check("held with music", func(l, t int) bool {
		if l == held {
			return t == music
		}
		return inConf(l, t) && t != held
	})
	r.update(func(rt *Routes) {
		rt.SetHears(r.node(held), r.node(music), false)
		var ns []Node
		for _, i := range conf {
			ns = append(ns, r.node(i))
		}
		rt.MixMinus(ns...)
	})
	r.check("resumed", inConf)
}

// TestMute: a talker nobody hears; it still hears everyone, and its talk
// indicator still shows it talking.
func TestMute(t *testing.T) {
	r := newRig(t, 8000, 16000, 48000)
	r.mixMinus(0, 1, 2, 3)
	const muted = 3
	r.update(func(rt *Routes) {
		for i := range r.freqs {
			rt.SetHears(r.node(i), r.node(muted), false)
		}
	})
	r.check("mute", func(l, t int) bool { return t != muted })
	if !r.ports[muted-1].Talking() {
		t.Error("a muted port that talks is not shown talking")
	}
	if in, _ := r.ports[muted-1].Levels(); in < -25 || in > -20 {
		t.Errorf("muted port's in level %v dBFS, want about -22", in)
	}
	// The talk indicator falls when the port goes quiet.
	r.ports[muted-1].SetConnected(false)
	r.run(int(talkHoldFrames) + 2)
	if r.ports[muted-1].Talking() {
		t.Error("a silent port is shown talking")
	}
	if !r.ports[0].Talking() || !r.m.Talking() {
		t.Errorf("talking port shown %v, talking Local shown %v", r.ports[0].Talking(), r.m.Talking())
	}
}

// maxJump returns the largest sample-to-sample step in s.
func maxJump(s []int16) int {
	m := 0
	for i := 1; i < len(s); i++ {
		if d := int(s[i]) - int(s[i-1]); d > m {
			m = d
		} else if -d > m {
			m = -d
		}
	}
	return m
}

// TestSwitchIsClickFree: routes turning on and off, and a port held and
// resumed, mid-stream at several phases of a 1 kHz tone: the largest step
// between samples stays within the tone's own plus one frame's fade step.
// Without the fade a route turning on at a peak jumps by the whole
// amplitude.
func TestSwitchIsClickFree(t *testing.T) {
	m, ep := newTest(t, rigRate)
	p, err := m.AddPort(rigRate)
	if err != nil {
		t.Fatal(err)
	}
	p.SetConnected(true)
	const amp, f = 0.5, 1010.0
	a := amp * 32768
	// The tone's own largest step, the fade's step per sample, rounding.
	bound := int(a*2*math.Pi*f/rigRate) + int(a/float64(audio.FrameSamples(rigRate))) + 3
	// 1010 and 990 Hz drift in phase against the frames.
	talker, err := tone.NewSine(f, amp, rigRate)
	if err != nil {
		t.Fatal(err)
	}
	mic, err := tone.NewSine(990, amp, rigRate)
	if err != nil {
		t.Fatal(err)
	}
	var spk, port []int16
	buf := make([]int16, audio.FrameSamples(rigRate))
	switches := []func(){
		func() { m.SetHears(Local, p.Node(), false) },
		func() { m.SetHears(Local, p.Node(), true) },
		func() { p.SetConnected(false) },
		func() { p.SetConnected(true) },
		func() { m.SetHears(p.Node(), Local, false) },
		func() { m.SetHears(p.Node(), Local, true) },
	}
	for k := range 4 * len(switches) {
		for range 3 + k%4 { // switch at varying phases
			p.WriteFrame(frameOf(t, talker))
			spk = append(spk, ep.step(t, frameOf(t, mic))...)
			p.ReadFrame(buf)
			port = append(port, buf...)
		}
		switches[k%len(switches)]()
	}
	if j := maxJump(spk[960:]); j > bound {
		t.Errorf("speaker: largest step %d, want at most %d (a click)", j, bound)
	}
	if j := maxJump(port[960:]); j > bound {
		t.Errorf("port: largest step %d, want at most %d (a click)", j, bound)
	}
	if dsp.Peak(spk) < amp*0.9 || dsp.Peak(port) < amp*0.9 {
		t.Errorf("peaks %v and %v: the tones did not get through", dsp.Peak(spk), dsp.Peak(port))
	}
}

// TestRemoveIsClickFree: a port removed mid-word fades out of the speaker
// over the next tick, is then dropped, and its slot (not its Node) goes to
// the next port added.
func TestRemoveIsClickFree(t *testing.T) {
	m, ep := newTest(t, rigRate)
	const amp = 0.5
	silence := make([]int16, audio.FrameSamples(rigRate))
	for k := range 4 {
		p, err := m.AddPort(rigRate)
		if err != nil {
			t.Fatal(err)
		}
		p.SetConnected(true)
		g, err := tone.NewSine(1010, amp, rigRate)
		if err != nil {
			t.Fatal(err)
		}
		var spk []int16
		for range 3 + k {
			p.WriteFrame(frameOf(t, g))
			spk = append(spk, ep.step(t, silence)...)
		}
		p.WriteFrame(frameOf(t, g))
		slot := p.slot
		if err := m.RemovePort(p); err != nil {
			t.Fatal(err)
		}
		if m.Ports() != 0 {
			t.Fatalf("Ports() = %d after RemovePort", m.Ports())
		}
		fade := ep.step(t, silence)
		spk = append(spk, fade...)
		spk = append(spk, ep.step(t, silence)...)
		a := amp * 32768
		bound := int(a*2*math.Pi*1010/rigRate) + int(a/float64(len(silence))) + 3
		if j := maxJump(spk[len(silence):]); j > bound {
			t.Errorf("removal %d: largest step %d, want at most %d (a click)", k, j, bound)
		}
		if dsp.Peak(fade[:len(fade)/4]) < amp/2 || fade[len(fade)-1] != 0 {
			t.Errorf("removal %d: no fade (peak of its first quarter %v, last sample %d)", k, dsp.Peak(fade[:len(fade)/4]), fade[len(fade)-1])
		}
		q, _ := m.AddPort(rigRate)
		if q.slot != slot || q.Node() == p.Node() {
			t.Errorf("removal %d: next port has slot %d node %v, want slot %d and a node other than %v", k, q.slot, q.Node(), slot, p.Node())
		}
		m.RemovePort(q)
		ep.step(t, silence)
	}
}

// TestUpdateIsAtomic: two ports say the same constant; Local hears one of
// them at a time. Another goroutine keeps swapping which, in one Update,
// while the mixer ticks. Each swap cross-fades (the fade-in and fade-out
// gains add up to one), so the speaker stays at the constant; a tick that
// saw half a swap would hear neither port (a dip) or both (a bump).
func TestUpdateIsAtomic(t *testing.T) {
	m, ep := newTest(t, rigRate)
	x, _ := m.AddPort(rigRate)
	y, _ := m.AddPort(rigRate)
	x.SetConnected(true)
	y.SetConnected(true)
	const level = 8000
	dc := make([]int16, audio.FrameSamples(rigRate))
	for i := range dc {
		dc[i] = level
	}
	m.SetHears(Local, y.Node(), false)
	stop := make(chan struct{})
	var swaps atomic.Int64
	var wg sync.WaitGroup
	wg.Go(func() {
		for k := 0; ; k++ {
			select {
			case <-stop:
				return
			default:
			}
			on, off := x.Node(), y.Node()
			if k%2 == 1 {
				on, off = off, on
			}
			if err := m.Update(func(r *Routes) {
				r.SetHears(Local, off, false)
				r.SetHears(Local, on, true)
			}); err != nil {
				t.Error(err)
				return
			}
			swaps.Add(1)
		}
	})
	silence := make([]int16, len(dc))
	// At least 400 ticks and 1000 swaps (however the two goroutines get
	// the CPU), at most 100 000 ticks.
	for i := 0; i < 400 || swaps.Load() < 1000; i++ {
		if i == 100_000 {
			t.Fatalf("only %d swaps in %d ticks", swaps.Load(), i)
		}
		x.WriteFrame(dc)
		y.WriteFrame(dc)
		out := ep.step(t, silence)
		if i < 2 {
			continue
		}
		for k, s := range out {
			if s < level-1 || s > level {
				t.Fatalf("tick %d sample %d: speaker %d, want %d (a tick saw part of an Update)", i, k, s, level)
			}
		}
	}
	close(stop)
	wg.Wait()
}

func TestRoutesErrors(t *testing.T) {
	m, _ := newTest(t, rigRate)
	a, _ := m.AddPort(8000)
	b, _ := m.AddPort(8000)
	if a.Node() == Local || b.Node() == a.Node() {
		t.Fatalf("nodes %v and %v", a.Node(), b.Node())
	}
	if err := m.SetHears(a.Node(), a.Node(), true); !errors.Is(err, ErrSelfRoute) {
		t.Errorf("self route: %v", err)
	}
	if err := m.SetHears(Local, Local, true); !errors.Is(err, ErrSelfRoute) {
		t.Errorf("Local self route: %v", err)
	}
	if err := m.SetHears(a.Node(), Node(99), true); !errors.Is(err, ErrUnknownNode) {
		t.Errorf("unknown node: %v", err)
	}
	// A failing Update applies none of its changes.
	err := m.Update(func(r *Routes) {
		r.MixMinus(a.Node(), b.Node())
		if !r.Hears(a.Node(), b.Node()) {
			t.Error("Routes.Hears does not see the pending change")
		}
		r.Isolate(Local)
		r.SetHears(b.Node(), Node(-3), false)
	})
	if !errors.Is(err, ErrUnknownNode) {
		t.Errorf("failing update: %v", err)
	}
	if m.Hears(a.Node(), b.Node()) || !m.Hears(Local, a.Node()) || !m.Hears(b.Node(), Local) {
		t.Error("a failed Update changed routes")
	}
	// A removed port's node names nothing, and is not given again; a new
	// port in its place does not inherit its routes.
	if err := m.SetHears(b.Node(), a.Node(), true); err != nil {
		t.Fatal(err)
	}
	old := a.Node()
	if err := m.RemovePort(a); err != nil {
		t.Fatal(err)
	}
	if err := m.SetHears(Local, old, true); !errors.Is(err, ErrUnknownNode) {
		t.Errorf("removed node: %v", err)
	}
	c, _ := m.AddPort(8000)
	if c.Node() == old || c.Node() == b.Node() {
		t.Errorf("new port has node %v (old %v, b %v)", c.Node(), old, b.Node())
	}
	if m.Hears(b.Node(), c.Node()) || m.Hears(Local, old) {
		t.Error("a new port inherited a removed port's routes")
	}
	if !m.Hears(Local, c.Node()) || !m.Hears(c.Node(), Local) {
		t.Error("a new port does not have the default routes")
	}
	m.Close()
	if err := m.SetHears(Local, b.Node(), false); !errors.Is(err, ErrClosed) {
		t.Errorf("after Close: %v", err)
	}
}

// TestManyPortsExact: 70 ports (more than one 64-bit word of routes) at
// the bus rate each say a constant of their own; in a mix-minus every
// port hears exactly the sum of the others, and a port routed to a few
// talkers hears exactly their sum. Exact arithmetic checks both mixing
// paths (sum-and-subtract and direct).
func TestManyPortsExact(t *testing.T) {
	const n = 70
	m, ep := newTest(t, rigRate)
	fr := audio.FrameSamples(rigRate)
	var ports []*Port
	nodes := []Node{Local}
	frames := make([][]int16, n)
	for k := range n {
		p, err := m.AddPort(rigRate)
		if err != nil {
			t.Fatal(err)
		}
		p.SetConnected(true)
		ports = append(ports, p)
		nodes = append(nodes, p.Node())
		frames[k] = make([]int16, fr)
		for i := range frames[k] {
			frames[k][i] = int16(k + 1)
		}
	}
	mic := make([]int16, fr)
	for i := range mic {
		mic[i] = 1000
	}
	if err := m.Update(func(r *Routes) {
		r.MixMinus(nodes...)
		r.Isolate(ports[5].Node())
		for _, k := range []int{1, 65, 69} {
			r.SetHears(ports[5].Node(), ports[k].Node(), true)
		}
	}); err != nil {
		t.Fatal(err)
	}
	total := 1000 + n*(n+1)/2 - 6 // everyone but port 5 (says 6)
	buf := make([]int16, fr)
	for tick := range 3 {
		for k, p := range ports {
			p.WriteFrame(frames[k])
		}
		spk := ep.step(t, mic)
		if tick == 0 { // fades
			for _, p := range ports {
				p.ReadFrame(buf)
			}
			continue
		}
		if spk[0] != int16(total-1000) || spk[fr-1] != spk[0] {
			t.Errorf("speaker %d, want %d", spk[0], total-1000)
		}
		for k, p := range ports {
			p.ReadFrame(buf)
			want := total - (k + 1)
			if k == 5 {
				want = 2 + 66 + 70
			}
			if buf[0] != int16(want) || buf[fr-1] != buf[0] {
				t.Errorf("tick %d port %d hears %d, want %d", tick, k, buf[0], want)
			}
		}
	}
}

// mixerGoroutines lists the goroutines running this package's code.
func mixerGoroutines() []string {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	var found []string
	for g := range strings.SplitSeq(string(buf), "\n\n") {
		if strings.Contains(g, "audio/mixer.(*Mixer).run") {
			found = append(found, g)
		}
	}
	return found
}

// TestCloseLeavesNoGoroutine: Close waits for the mixing goroutine, with
// ports, hooks and routes in use.
func TestCloseLeavesNoGoroutine(t *testing.T) {
	if g := mixerGoroutines(); len(g) != 0 {
		t.Fatalf("mixer goroutines before the test (another test leaked):\n%s", strings.Join(g, "\n\n"))
	}
	for round := range 3 {
		ep := newFake(rigRate)
		m, err := New(ep)
		if err != nil {
			t.Fatal(err)
		}
		var nodes []Node
		for range 4 {
			p, _ := m.AddPort(16000)
			p.SetConnected(true)
			p.SetOnTick(func() { p.ReadFrame(make([]int16, 320)) })
			nodes = append(nodes, p.Node())
		}
		m.Update(func(r *Routes) { r.MixMinus(nodes...) })
		for range 3 {
			ep.step(t, make([]int16, 960))
		}
		if len(mixerGoroutines()) != 1 {
			t.Fatalf("round %d: %d mixer goroutines while running, want 1", round, len(mixerGoroutines()))
		}
		if err := m.Close(); err != nil {
			t.Fatal(err)
		}
		if g := mixerGoroutines(); len(g) != 0 {
			t.Fatalf("round %d: goroutines left after Close:\n%s", round, strings.Join(g, "\n\n"))
		}
	}
}

func ExampleMixer_Update() {
	b, _ := audio.NewNullBackend()
	defer b.Close()
	ep, _ := b.OpenEndpoint("", "", 48000)
	m, _ := New(ep)
	defer m.Close()
	customer, _ := m.AddPort(8000)
	lead, _ := m.AddPort(48000)
	// Whisper: the lead hears the rep (Local) and the customer; only the
	// rep hears the lead. All at one tick.
	err := m.Update(func(r *Routes) {
		r.MixMinus(Local, customer.Node(), lead.Node())
		r.SetHears(customer.Node(), lead.Node(), false)
	})
	fmt.Println(err, m.Hears(Local, lead.Node()), m.Hears(customer.Node(), lead.Node()))
	// Output: <nil> true false
}

// TestKernels checks the unrolled mixing kernels against plain loops, on
// lengths with and without a tail, with and without clipping.
func TestKernels(t *testing.T) {
	for _, n := range []int{0, 1, 4, 7, 960} {
		x := make([]int16, n)
		acc := make([]int32, n)
		want := make([]int32, n)
		for i := range x {
			x[i] = int16((i*7919)%65536 - 32768)
			acc[i] = int32(i * 1000)
			want[i] = acc[i] + int32(x[i])
		}
		addFrame(acc, x)
		for i := range acc {
			if acc[i] != want[i] {
				t.Fatalf("n=%d addFrame[%d] = %d, want %d", n, i, acc[i], want[i])
			}
		}
		subFrame(acc, x)
		for i := range acc {
			if acc[i] != int32(i*1000) {
				t.Fatalf("n=%d subFrame[%d] = %d", n, i, acc[i])
			}
		}
		var wantPeak int32
		for _, s := range x {
			wantPeak = max(wantPeak, int32(s), -int32(s))
		}
		if p := peakOf(x); p != wantPeak {
			t.Errorf("n=%d peakOf = %d, want %d", n, p, wantPeak)
		}
		for _, scale := range []int32{1, 3} { // 3: clips
			src := make([]int32, n)
			for i, s := range x {
				src[i] = int32(s) * scale
			}
			dst := make([]int16, n)
			var peak int32
			for i, v := range src {
				c := min(max(v, -32768), 32767)
				peak = max(peak, c, -c)
				if d := clipPeak(dst[i:i+1], src[i:i+1]); d != max(c, -c) {
					t.Fatalf("clipPeak(%d) peak %d, want %d", v, d, max(c, -c))
				}
			}
			if p := clipPeak(dst, src); p != peak {
				t.Errorf("n=%d scale %d: clipPeak peak %d, want %d", n, scale, p, peak)
			}
			for i, v := range src {
				if c := int16(min(max(v, -32768), 32767)); dst[i] != c {
					t.Fatalf("n=%d scale %d: clipPeak[%d] = %d, want %d", n, scale, i, dst[i], c)
				}
			}
		}
	}
}

// TestTickDoesNotAllocate: a tick allocates nothing with 32 ports in a
// mix-minus, while routes fade, nor while it drops a removed port.
func TestTickDoesNotAllocate(t *testing.T) {
	m, err := newMixer(&benchEndpoint{}) // the test drives tick
	if err != nil {
		t.Fatal(err)
	}
	nodes := []Node{Local}
	var ports []*Port
	frame := make([]int16, audio.FrameSamples(16000))
	for range 32 {
		p, _ := m.AddPort(16000)
		p.SetConnected(true)
		p.SetOnTick(func() { p.ReadFrame(frame); p.WriteFrame(frame) })
		ports = append(ports, p)
		nodes = append(nodes, p.Node())
	}
	m.Update(func(r *Routes) { r.MixMinus(nodes...) })
	if a := testing.AllocsPerRun(20, m.tick); a != 0 {
		t.Errorf("steady mix-minus tick: %v allocations", a)
	}
	allocs := func(what string, before func()) {
		before()
		if n := tickAllocs(m); n != 0 {
			t.Errorf("%s: the tick allocated %d times", what, n)
		}
	}
	allocs("fading", func() { m.Update(func(r *Routes) { r.Isolate(nodes[3]) }) })
	allocs("dropping a removed port", func() { m.RemovePort(ports[7]) })
	allocs("a port on hold", func() { ports[9].SetConnected(false) })
}

// tickAllocs runs one tick of m and returns the heap allocations made by
// the tick's own code (any frame in (*Mixer).tick, inlined ones included),
// from the allocation profile, which records every allocation in this
// package's tests (allocprofile_test.go). runtime.MemStats.Mallocs around
// the tick also counts the runtime's own allocations meanwhile: these
// checks failed about 1 run in 20 with 1 to 7 "allocations" that no
// profiled stack in tick had made.
func tickAllocs(m *Mixer) int64 {
	before := tickAllocated()
	m.tick()
	return tickAllocated() - before
}

// tickAllocated sums the allocations so far whose stack runs through
// (*Mixer).tick. The profile holds what was allocated up to the last
// completed garbage collection, so two run first.
func tickAllocated() int64 {
	runtime.GC()
	runtime.GC()
	n, _ := runtime.MemProfile(nil, true)
	recs := make([]runtime.MemProfileRecord, n+64)
	n, _ = runtime.MemProfile(recs, true)
	var sum int64
	for _, r := range recs[:n] {
		frames := runtime.CallersFrames(r.Stack())
		for {
			f, more := frames.Next()
			if strings.HasSuffix(f.Function, "mixer.(*Mixer).tick") {
				sum += r.AllocObjects
				break
			}
			if !more {
				break
			}
		}
	}
	return sum
}
