package benchlab

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Median returns the median of ds (the mean of the two middle values for
// an even count). ds is not modified.
func Median(ds []time.Duration) (time.Duration, error) {
	if len(ds) == 0 {
		return 0, ErrNoSamples
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	m := len(s) / 2
	if len(s)%2 == 1 {
		return s[m], nil
	}
	return s[m-1] + (s[m]-s[m-1])/2, nil
}

// MedianInt returns the median of ns (the mean of the two middle values,
// rounded down, for an even count).
func MedianInt(ns []int64) (int64, error) {
	if len(ns) == 0 {
		return 0, ErrNoSamples
	}
	s := slices.Clone(ns)
	slices.Sort(s)
	m := len(s) / 2
	if len(s)%2 == 1 {
		return s[m], nil
	}
	return s[m-1] + (s[m]-s[m-1])/2, nil
}

// Table renders rows as a Markdown table whose first row is the header.
// Short rows are padded with empty cells.
func Table(rows [][]string) string {
	if len(rows) == 0 {
		return ""
	}
	cols := 0
	for _, r := range rows {
		cols = max(cols, len(r))
	}
	var b strings.Builder
	line := func(r []string) {
		b.WriteString("|")
		for i := 0; i < cols; i++ {
			c := ""
			if i < len(r) {
				c = r[i]
			}
			fmt.Fprintf(&b, " %s |", c)
		}
		b.WriteString("\n")
	}
	line(rows[0])
	b.WriteString("|" + strings.Repeat("---|", cols) + "\n")
	for _, r := range rows[1:] {
		line(r)
	}
	return b.String()
}

// Seconds formats d as seconds with three decimals, e.g. "0.231".
func Seconds(d time.Duration) string { return fmt.Sprintf("%.3f", d.Seconds()) }

// Millis formats d as milliseconds with one decimal, e.g. "12.5".
func Millis(d time.Duration) string { return fmt.Sprintf("%.1f", float64(d)/float64(time.Millisecond)) }
