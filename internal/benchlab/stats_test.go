package benchlab

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestMedian(t *testing.T) {
	in := []time.Duration{3, 1, 2}
	if m, err := Median(in); err != nil || m != 2 {
		t.Errorf("Median odd = %v, %v", m, err)
	}
	if in[0] != 3 {
		t.Error("Median modified its input")
	}
	if m, _ := Median([]time.Duration{4, 1, 2, 10}); m != 3 {
		t.Errorf("Median even = %v, want 3", m)
	}
	if _, err := Median(nil); !errors.Is(err, ErrNoSamples) {
		t.Errorf("Median(nil) err %v", err)
	}
	if m, _ := MedianInt([]int64{9, 1, 5}); m != 5 {
		t.Errorf("MedianInt = %d", m)
	}
	if m, _ := MedianInt([]int64{1, 2}); m != 1 {
		t.Errorf("MedianInt even = %d, want 1 (rounded down)", m)
	}
	if _, err := MedianInt(nil); !errors.Is(err, ErrNoSamples) {
		t.Errorf("MedianInt(nil) err %v", err)
	}
}

func TestTableAndFormat(t *testing.T) {
	got := Table([][]string{{"a", "b"}, {"1"}, {"2", "3"}})
	want := "| a | b |\n|---|---|\n| 1 |  |\n| 2 | 3 |\n"
	if got != want {
		t.Errorf("Table:\n%s\nwant:\n%s", got, want)
	}
	if Table(nil) != "" {
		t.Error("Table(nil) not empty")
	}
	if s := Seconds(231500 * time.Microsecond); s != "0.232" && s != "0.231" {
		t.Errorf("Seconds = %s", s)
	}
	if s := Millis(12340 * time.Microsecond); !strings.HasPrefix(s, "12.3") {
		t.Errorf("Millis = %s", s)
	}
}
