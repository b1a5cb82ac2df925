package testlab

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// ErrSippStats is returned when a sipp statistics file cannot be parsed.
var ErrSippStats = errors.New("testlab: bad sipp statistics")

// ParseSippStats parses a sipp -trace_stat CSV file (";"-separated, header
// row first) and returns the cumulative counters of its last data row: each
// integer column named "X(C)" becomes key "X" (e.g. "SuccessfulCall",
// "FailedCall", "FailedTimeoutOnRecv"). Non-integer columns are skipped.
func ParseSippStats(data []byte) (map[string]int, error) {
	var header []string
	var last []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), "\r")
		if line == "" {
			continue
		}
		fields := strings.Split(line, ";")
		if header == nil {
			header = fields
			continue
		}
		last = fields
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrSippStats, err)
	}
	if header == nil {
		return nil, fmt.Errorf("%w: empty file", ErrSippStats)
	}
	if last == nil {
		return nil, fmt.Errorf("%w: no data row", ErrSippStats)
	}
	stats := map[string]int{}
	for i, name := range header {
		base, ok := strings.CutSuffix(name, "(C)")
		if !ok || base == "" || i >= len(last) {
			continue
		}
		v, err := strconv.Atoi(strings.TrimSpace(last[i]))
		if err != nil {
			continue
		}
		stats[base] = v
	}
	if _, ok := stats["SuccessfulCall"]; !ok {
		return stats, fmt.Errorf("%w: no SuccessfulCall(C) column", ErrSippStats)
	}
	return stats, nil
}

// ParseSippScreen returns the cumulative "Successful call" and "Failed
// call" counters from the last statistics screen in a sipp -trace_screen
// file (or sipp's screen output). Missing counters are returned as 0.
func ParseSippScreen(data []byte) (successful, failed int) {
	for _, line := range strings.Split(string(data), "\n") {
		cols := strings.Split(line, "|")
		if len(cols) < 3 {
			continue
		}
		name := strings.TrimSpace(cols[0])
		v, err := strconv.Atoi(strings.TrimSpace(cols[2]))
		if err != nil {
			continue
		}
		switch name {
		case "Successful call":
			successful = v
		case "Failed call":
			failed = v
		}
	}
	return successful, failed
}

// ParseSippMessages counts the SIP messages sipp received, from a
// -trace_msg file: responses by status code and requests by method.
// Each received message follows a line "UDP|TCP message received [N] bytes :".
func ParseSippMessages(data []byte) (responses map[int]int, requests map[string]int) {
	responses, requests = map[int]int{}, map[string]int{}
	lines := strings.Split(string(data), "\n")
	for i := 0; i < len(lines); i++ {
		if !strings.Contains(lines[i], " message received ") {
			continue
		}
		// The start line is the first non-empty line after the marker.
		j := i + 1
		for j < len(lines) && strings.TrimSpace(lines[j]) == "" {
			j++
		}
		if j >= len(lines) {
			break
		}
		start := strings.TrimSpace(lines[j])
		i = j
		if rest, ok := strings.CutPrefix(start, "SIP/2.0 "); ok {
			codeText, _, _ := strings.Cut(rest, " ")
			if code, err := strconv.Atoi(codeText); err == nil && code >= 100 && code <= 699 {
				responses[code]++
			}
			continue
		}
		method, _, ok := strings.Cut(start, " ")
		if ok && strings.HasSuffix(start, " SIP/2.0") && isSIPToken(method) {
			requests[method]++
		}
	}
	return responses, requests
}

// isSIPToken reports whether s is a plausible SIP method (upper-case letters).
func isSIPToken(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < 'A' || r > 'Z' {
			return false
		}
	}
	return true
}
