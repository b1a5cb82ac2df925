package jitter

import (
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"sort"
	"testing"
	"time"
)

type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time { return c.t }

const frame = 20 * time.Millisecond

type arrival struct {
	seq uint16
	at  time.Duration // arrival time relative to start
}

// simulate delivers packets at their arrival times and pops once per 20 ms
// tick for ticks ticks. Packet k carries seq in its first two bytes and has
// RTP timestamp 160*k. It returns what each Pop produced: the popped
// sequence number, or -1 for StatusMissing, -2 for StatusBuffering.
func simulate(t *testing.T, b *Buffer, clk *fakeClock, base uint16, arrivals []arrival, ticks int) []int {
	t.Helper()
	sort.SliceStable(arrivals, func(i, j int) bool { return arrivals[i].at < arrivals[j].at })
	start := clk.t
	out := make([]int, 0, ticks)
	dst := make([]byte, 1500)
	next := 0
	for tick := 0; tick < ticks; tick++ {
		now := time.Duration(tick) * frame
		for next < len(arrivals) && arrivals[next].at <= now {
			a := arrivals[next]
			clk.t = start.Add(a.at)
			var p [160]byte
			binary.BigEndian.PutUint16(p[:], a.seq)
			_ = b.Push(a.seq, uint32(a.seq-base)*160, p[:])
			next++
		}
		clk.t = start.Add(now)
		n, st := b.Pop(dst)
		switch st {
		case StatusPacket:
			if n != 160 {
				t.Fatalf("tick %d: popped %d bytes", tick, n)
			}
			out = append(out, int(binary.BigEndian.Uint16(dst)))
		case StatusMissing:
			out = append(out, -1)
		case StatusBuffering:
			out = append(out, -2)
		default:
			t.Fatalf("unknown status %q", st)
		}
	}
	return out
}

func newTestBuffer(t *testing.T, opts ...Option) (*Buffer, *fakeClock) {
	t.Helper()
	clk := &fakeClock{t: time.Unix(1000, 0)}
	b, err := New(append([]Option{WithNow(clk.now), WithAdaptInterval(1000)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return b, clk
}

// steady returns packets base..base+n-1 arriving every 20 ms after a fixed
// network delay, with the given sequence offsets removed (lost) and
// extra delays applied.
func steady(base uint16, n int, lost map[int]bool, extra map[int]time.Duration) []arrival {
	var a []arrival
	for k := 0; k < n; k++ {
		if lost[k] {
			continue
		}
		a = append(a, arrival{seq: base + uint16(k), at: time.Duration(k)*frame + 5*time.Millisecond + extra[k]})
	}
	return a
}

func played(out []int) (pk []int, missing int) {
	for _, v := range out {
		switch {
		case v >= 0:
			pk = append(pk, v)
		case v == -1:
			missing++
		}
	}
	return pk, missing
}

func TestScenarios(t *testing.T) {
	for _, tc := range []struct {
		name        string
		base        uint16
		lost        map[int]bool
		extra       map[int]time.Duration
		dups        []int
		wantMissing int
		wantLost    int64
		wantLate    int64
		wantDup     int64
	}{
		{name: "in order", base: 100},
		{name: "reorder", base: 100, extra: map[int]time.Duration{4: 25 * time.Millisecond, 9: 21 * time.Millisecond}},
		{name: "reorder at start", base: 100, extra: map[int]time.Duration{0: 19 * time.Millisecond}},
		{name: "single loss", base: 100, lost: map[int]bool{10: true}, wantMissing: 1, wantLost: 1},
		{name: "burst loss", base: 100, lost: map[int]bool{10: true, 11: true, 12: true, 13: true, 14: true}, wantMissing: 5, wantLost: 5},
		{name: "late", base: 100, extra: map[int]time.Duration{10: 200 * time.Millisecond}, wantMissing: 1, wantLost: 1, wantLate: 1},
		{name: "duplicate", base: 100, dups: []int{3, 7, 7}, wantDup: 3},
		{name: "sequence wrap", base: 65520},
		{name: "wrap with loss and reorder", base: 65530, lost: map[int]bool{6: true},
			extra: map[int]time.Duration{5: 30 * time.Millisecond}, wantMissing: 1, wantLost: 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, clk := newTestBuffer(t)
			const n = 40
			arr := steady(tc.base, n, tc.lost, tc.extra)
			for _, k := range tc.dups {
				arr = append(arr, arrival{seq: tc.base + uint16(k), at: time.Duration(k)*frame + 6*time.Millisecond})
			}
			out := simulate(t, b, clk, tc.base, arr, n+10)
			pk, missing := played(out)
			// Everything that was delivered in time plays exactly once, in order.
			var want []int
			for k := 0; k < n; k++ {
				if !tc.lost[k] && tc.extra[k] < 100*time.Millisecond {
					want = append(want, int(tc.base+uint16(k)))
				}
			}
			if len(pk) != len(want) {
				t.Fatalf("played %d packets %v, want %d %v", len(pk), pk, len(want), want)
			}
			for i := range want {
				if pk[i] != want[i] {
					t.Fatalf("played %v, want %v", pk, want)
				}
			}
			// Missing counted only for the gaps (+ underrun ticks after the end).
			st := b.Stats()
			if got := int(st.Lost); got != tc.wantMissing {
				t.Errorf("missing frames (Lost) = %d, want %d", got, tc.wantMissing)
			}
			if missing < tc.wantMissing {
				t.Errorf("StatusMissing %d times, want >= %d", missing, tc.wantMissing)
			}
			if st.Lost != tc.wantLost || st.Late != tc.wantLate || st.Duplicates != tc.wantDup {
				t.Errorf("stats lost/late/dup = %d/%d/%d, want %d/%d/%d", st.Lost, st.Late, st.Duplicates,
					tc.wantLost, tc.wantLate, tc.wantDup)
			}
		})
	}
}

func TestPushErrors(t *testing.T) {
	b, _ := newTestBuffer(t, WithMaxPayload(10))
	if err := b.Push(1, 0, make([]byte, 11)); !errors.Is(err, ErrTooLarge) {
		t.Errorf("oversize push err = %v", err)
	}
	if err := b.Push(1, 0, []byte{1}); err != nil {
		t.Fatal(err)
	}
	if err := b.Push(1, 0, []byte{1}); !errors.Is(err, ErrDuplicate) {
		t.Errorf("duplicate push err = %v", err)
	}
	for _, opt := range []Option{WithCapacity(3), WithCapacity(0), WithMaxPayload(0), WithClockRate(0),
		WithFrameDuration(0), WithDelay(50*time.Millisecond, 10*time.Millisecond), WithUnderrunLimit(0),
		WithAdaptInterval(0), WithNow(nil)} {
		if _, err := New(opt); !errors.Is(err, ErrInvalidOption) {
			t.Errorf("New with bad option: err = %v", err)
		}
	}
	if _, err := New(WithCapacity(8), WithDelay(20*time.Millisecond, time.Second)); !errors.Is(err, ErrInvalidOption) {
		t.Errorf("max delay beyond capacity: err = %v", err)
	}
}

func TestStateMachine(t *testing.T) {
	b, _ := newTestBuffer(t) // target 40 ms = 2 packets
	dst := make([]byte, 1500)
	if _, st := b.Pop(dst); st != StatusBuffering || b.State() != StateBuffering {
		t.Fatalf("empty buffer: %v %v", st, b.State())
	}
	_ = b.Push(10, 0, []byte{1})
	if _, st := b.Pop(dst); st != StatusBuffering {
		t.Fatalf("one packet below target: %v", st)
	}
	_ = b.Push(11, 160, []byte{2})
	if n, st := b.Pop(dst); st != StatusPacket || n != 1 || dst[0] != 1 || b.State() != StatePlaying {
		t.Fatalf("target reached: %d %v %v", n, st, b.State())
	}
	if _, st := b.Pop(dst); st != StatusPacket {
		t.Fatal(st)
	}
	// Underrun: three missing ticks, then back to buffering.
	for i := 0; i < 3; i++ {
		if _, st := b.Pop(dst); st != StatusMissing {
			t.Fatalf("underrun tick %d: %v", i, st)
		}
	}
	if b.State() != StateBuffering || b.State().String() != "buffering" {
		t.Fatalf("after underrun: %v", b.State())
	}
	if b.Stats().Underruns != 3 || b.Stats().Lost != 0 {
		t.Errorf("stats %+v", b.Stats())
	}
	// Stream resumes contiguously (sender paused): plays on without loss.
	_ = b.Push(12, 320, []byte{3})
	_ = b.Push(13, 480, []byte{4})
	if n, st := b.Pop(dst); st != StatusPacket || dst[:n][0] != 3 {
		t.Fatalf("resume: %v", st)
	}
	// A new stream far away restarts the buffer.
	_ = b.Push(40000, 0, []byte{9})
	_ = b.Push(40001, 160, []byte{9})
	if _, st := b.Pop(dst); st != StatusPacket {
		t.Fatalf("restart: %v", st)
	}
	b.Reset()
	if b.State() != StateBuffering || b.Stats().Delay != 0 {
		t.Error("Reset did not empty the buffer")
	}
}

func TestAdaptation(t *testing.T) {
	b, clk := newTestBuffer(t, WithAdaptInterval(5))
	const n = 600
	rng := rand.New(rand.NewPCG(1, 2))
	extra := map[int]time.Duration{}
	// First 300 packets: up to 100 ms of random network jitter; then none.
	for k := 0; k < 300; k++ {
		extra[k] = time.Duration(rng.IntN(100)) * time.Millisecond
	}
	arr := steady(1000, n, nil, extra)
	start := clk.t
	dst := make([]byte, 1500)
	next := 0
	var maxTarget, endTarget, maxDelay, endDelay, maxJitter time.Duration
	for tick := 0; tick < n; tick++ {
		now := time.Duration(tick) * frame
		sort.SliceStable(arr, func(i, j int) bool { return arr[i].at < arr[j].at })
		for next < len(arr) && arr[next].at <= now {
			clk.t = start.Add(arr[next].at)
			_ = b.Push(arr[next].seq, uint32(arr[next].seq-1000)*160, make([]byte, 160))
			next++
		}
		clk.t = start.Add(now)
		b.Pop(dst)
		st := b.Stats()
		if tick > 100 && tick < 300 {
			maxTarget = max(maxTarget, st.Target)
			maxDelay = max(maxDelay, st.Delay)
			maxJitter = max(maxJitter, st.Jitter)
		}
		endTarget, endDelay = st.Target, st.Delay
	}
	st := b.Stats()
	t.Logf("jittery: max target %v, max delay %v; smooth: target %v, delay %v; %+v", maxTarget, maxDelay, endTarget, endDelay, st)
	if maxTarget < 100*time.Millisecond {
		t.Errorf("target under 100 ms of jitter = %v, want >= 100 ms (adapt up)", maxTarget)
	}
	if st.Stretched == 0 {
		t.Error("buffer never grew its delay")
	}
	if endTarget != 40*time.Millisecond {
		t.Errorf("target after jitter stopped = %v, want back at minimum 40 ms (adapt down)", endTarget)
	}
	if st.Shrunk == 0 || endDelay > 80*time.Millisecond {
		t.Errorf("delay after jitter stopped = %v, shrunk %d: buffer did not shrink", endDelay, st.Shrunk)
	}
	if maxJitter < 10*time.Millisecond {
		t.Errorf("jitter estimate under 0..100 ms random delay = %v", maxJitter)
	}
}

func BenchmarkPushPop(b *testing.B) {
	buf, err := New()
	if err != nil {
		b.Fatal(err)
	}
	payload := make([]byte, 160)
	dst := make([]byte, 1500)
	var seq uint16
	_ = buf.Push(seq, 0, payload)
	seq++
	b.ReportAllocs()
	for b.Loop() {
		_ = buf.Push(seq, uint32(seq)*160, payload)
		seq++
		buf.Pop(dst)
	}
}

// TestNextAfterLoss: after a Pop that skipped a lost packet the packet
// after it is offered (for FEC), and only then: not after a played packet,
// a stretch or an underrun, nor when the next packet is missing too.
func TestNextAfterLoss(t *testing.T) {
	b, clk := newTestBuffer(t, WithDelay(40*time.Millisecond, 200*time.Millisecond))
	dst := make([]byte, 1500)
	push := func(seq uint16) {
		var p [160]byte
		binary.BigEndian.PutUint16(p[:], seq)
		if err := b.PushAt(seq, uint32(seq)*160, p[:], clk.t); err != nil {
			t.Fatal(err)
		}
	}
	if b.NextAfterLoss(dst) != 0 {
		t.Error("offered a packet before any Pop")
	}
	for _, seq := range []uint16{10, 11, 12, 14, 15} { // 13 is lost
		push(seq)
	}
	var got []string
	for i := 0; i < 7; i++ {
		clk.t = clk.t.Add(frame)
		n, st := b.Pop(dst)
		entry := string(st)
		if st == StatusPacket && n > 1 {
			entry = "packet " + itoa(int(binary.BigEndian.Uint16(dst)))
		}
		if m := b.NextAfterLoss(dst); m > 0 {
			entry += " next " + itoa(int(binary.BigEndian.Uint16(dst)))
		}
		got = append(got, entry)
	}
	want := []string{"packet 10", "packet 11", "packet 12", string(StatusMissing) + " next 14", "packet 14", "packet 15", string(StatusMissing)}
	if len(got) != len(want) {
		t.Fatalf("got %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("pop %d: %q, want %q (all: %q)", i, got[i], want[i], got)
		}
	}
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}

// TestSetClockRateKeepsTiming plays a stream whose sender switches from a
// 48 kHz codec to an 8 kHz one mid-stream, keeping its SSRC and sequence
// (a peer going from Opus to PCMU): the timestamps jump to another unit.
// With SetClockRate at the switch the jitter estimate stays at zero for
// perfectly paced packets, so the target delay stays at its minimum, and
// every packet plays in order; timed at the old rate, the jump would read
// as hundreds of milliseconds of jitter and grow the delay.
func TestSetClockRateKeepsTiming(t *testing.T) {
	clk := &fakeClock{t: time.Unix(1000, 0)}
	b, err := New(WithClockRate(48000), WithNow(clk.now))
	if err != nil {
		t.Fatal(err)
	}
	start := clk.t
	dst := make([]byte, 1500)
	ts := uint32(123456)
	var played []uint16
	for k := range 200 {
		clk.t = start.Add(time.Duration(k) * frame)
		rate := 48000
		if k >= 100 {
			rate = 8000
			if k == 100 {
				b.SetClockRate(8000)
				ts = 987654 // the new codec's timestamps, another origin and unit
			}
		}
		var p [2]byte
		binary.BigEndian.PutUint16(p[:], uint16(k))
		if err := b.Push(uint16(k), ts, p[:]); err != nil {
			t.Fatalf("push %d: %v", k, err)
		}
		ts += uint32(rate / 50)
		if n, st := b.Pop(dst); st == StatusPacket && n == 2 {
			played = append(played, binary.BigEndian.Uint16(dst))
		}
		if k == 150 {
			st := b.Stats()
			if st.Jitter > time.Millisecond || st.Target != 40*time.Millisecond {
				t.Errorf("after the switch: jitter %v, target %v; want ~0 and 40ms", st.Jitter, st.Target)
			}
		}
	}
	if b.ClockRate() != 8000 {
		t.Errorf("clock rate %d, want 8000", b.ClockRate())
	}
	for i, seq := range played {
		if i > 0 && seq != played[i-1]+1 {
			t.Fatalf("played %d after %d: packets skipped across the switch", seq, played[i-1])
		}
	}
	if len(played) < 190 {
		t.Errorf("played %d of 200 packets", len(played))
	}
}

// TestSetFrameDuration: a sender moving to 60 ms packets (three 20 ms
// frames each) and popped once per packet keeps a delay target within
// the configured bounds, counted in those packets.
func TestSetFrameDuration(t *testing.T) {
	clk := &fakeClock{t: time.Unix(1000, 0)}
	b, err := New(WithClockRate(48000), WithNow(clk.now), WithDelay(40*time.Millisecond, 300*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	b.SetFrameDuration(60 * time.Millisecond)
	if b.FrameDuration() != 60*time.Millisecond {
		t.Fatalf("frame %v", b.FrameDuration())
	}
	start := clk.t
	dst := make([]byte, 1500)
	played := 0
	for k := range 100 {
		clk.t = start.Add(time.Duration(k) * 60 * time.Millisecond)
		if err := b.Push(uint16(k), uint32(k*2880), []byte{1}); err != nil {
			t.Fatal(err)
		}
		if _, st := b.Pop(dst); st == StatusPacket {
			played++
		}
	}
	st := b.Stats()
	if st.Target != 60*time.Millisecond || st.Lost != 0 || played < 98 {
		t.Errorf("target %v (want one 60 ms packet for the 40 ms minimum), lost %d, played %d of 100", st.Target, st.Lost, played)
	}
	b.SetFrameDuration(time.Millisecond) // 300 packets for the max delay: does not fit, ignored
	if b.FrameDuration() != 60*time.Millisecond {
		t.Errorf("frame %v after an impossible duration", b.FrameDuration())
	}
}
