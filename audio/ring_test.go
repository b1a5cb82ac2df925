package audio

import (
	"errors"
	"sync"
	"testing"
)

func TestNewRingRejectsBadCapacity(t *testing.T) {
	for _, c := range []int{0, -4, 3, 100} {
		if _, err := NewRing(c); !errors.Is(err, ErrRingSize) {
			t.Errorf("NewRing(%d) err = %v, want ErrRingSize", c, err)
		}
	}
	if got := RingCapacity(100); got != 128 {
		t.Errorf("RingCapacity(100) = %d", got)
	}
}

func TestRingWrapAndOverflow(t *testing.T) {
	r, err := NewRing(8)
	if err != nil {
		t.Fatal(err)
	}
	var next int16
	var want int16
	buf := make([]int16, 5)
	for round := 0; round < 20; round++ {
		in := []int16{next, next + 1, next + 2, next + 3, next + 4}
		n := r.Write(in)
		next += int16(n)
		if r.Len() > r.Cap() {
			t.Fatalf("len %d > cap", r.Len())
		}
		got := r.Read(buf[:3])
		for i := 0; i < got; i++ {
			if buf[i] != want {
				t.Fatalf("round %d: read %d, want %d", round, buf[i], want)
			}
			want++
		}
	}
	// Ring is now saturated by the 5-in/3-out pattern: writes must be capped.
	free := r.Free()
	if n := r.Write(make([]int16, 20)); n != free || r.Len() != 8 || r.Free() != 0 {
		t.Fatalf("overfill stored %d (free was %d), len=%d", n, free, r.Len())
	}
	if n := r.Write([]int16{1}); n != 0 {
		t.Fatalf("write into full ring stored %d", n)
	}
}

func TestRingTrimDropsOldest(t *testing.T) {
	r, _ := NewRing(16)
	r.Write([]int16{1, 2, 3, 4, 5, 6, 7, 8, 9, 10})
	if d := r.Trim(4); d != 6 {
		t.Fatalf("Trim dropped %d, want 6", d)
	}
	out := make([]int16, 8)
	n := r.Read(out)
	if n != 4 || out[0] != 7 || out[3] != 10 {
		t.Fatalf("after trim read %v", out[:n])
	}
	if r.Discard(3) != 0 || r.Trim(-1) != 0 {
		t.Fatal("discard/trim on empty ring")
	}
}

// TestRingSPSCConcurrent streams a counting sequence through a small ring
// from one goroutine to another; run with -race.
func TestRingSPSCConcurrent(t *testing.T) {
	r, _ := NewRing(64)
	const total = 200000
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var v int16
		chunk := make([]int16, 7)
		sent := 0
		for sent < total {
			k := len(chunk)
			if total-sent < k {
				k = total - sent
			}
			for i := 0; i < k; i++ {
				chunk[i] = v + int16(i)
			}
			n := r.Write(chunk[:k])
			v += int16(n)
			sent += n
		}
	}()
	buf := make([]int16, 13)
	var want int16
	got := 0
	for got < total {
		n := r.Read(buf)
		for i := 0; i < n; i++ {
			if buf[i] != want {
				t.Fatalf("sample %d = %d, want %d", got+i, buf[i], want)
			}
			want++
		}
		got += n
	}
	wg.Wait()
}

func BenchmarkRingWriteRead(b *testing.B) {
	r, _ := NewRing(4096)
	frame := make([]int16, 960)
	out := make([]int16, 960)
	b.ReportAllocs()
	b.SetBytes(960 * 2)
	for b.Loop() {
		r.Write(frame)
		r.Read(out)
	}
}

func TestMeter(t *testing.T) {
	var m Meter
	if m.DBFS() != -96 {
		t.Fatalf("zero meter = %v", m.DBFS())
	}
	m.Update([]int16{0, 100, -16384, 200})
	if db := m.DBFS(); db < -6.1 || db > -5.9 {
		t.Fatalf("half-scale peak = %v dBFS, want about -6", db)
	}
	m.Update([]int16{-32768})
	if m.DBFS() != 0 {
		t.Fatalf("full scale = %v", m.DBFS())
	}
	m.Reset()
	if m.Peak() != 0 {
		t.Fatal("reset")
	}
}

func BenchmarkMeterUpdate(b *testing.B) {
	var m Meter
	frame := make([]int16, 960)
	b.ReportAllocs()
	for b.Loop() {
		m.Update(frame)
	}
}
