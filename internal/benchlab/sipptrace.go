package benchlab

import (
	"bufio"
	"bytes"
	"fmt"
	"regexp"
	"strings"
	"time"
)

// sippTraceRe matches the line sipp's -trace_msg writes before each
// message: 47 dashes, the date, a tab, the time with microseconds (sipp's
// clock, local time).
var sippTraceRe = regexp.MustCompile(`^-{10,} (\d{4}-\d{2}-\d{2})\s+(\d{2}:\d{2}:\d{2}\.\d{1,9})`)

// ParseSippInvites reads a sipp -trace_msg log and returns, for each
// Request-URI user part, the stamp of the first INVITE sipp received for
// it (retransmissions and re-INVITEs keep the first). Times are read in
// loc (sipp writes local time). It fails on a stamp that does not parse.
func ParseSippInvites(data []byte, loc *time.Location) (map[string]time.Time, error) {
	out := map[string]time.Time{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	var stamp time.Time
	received := false
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if m := sippTraceRe.FindStringSubmatch(line); m != nil {
			t, err := time.ParseInLocation("2006-01-02 15:04:05.999999999", m[1]+" "+m[2], loc)
			if err != nil {
				return nil, fmt.Errorf("%w: sipp trace stamp %q: %v", ErrParse, line, err)
			}
			stamp, received = t, false
			continue
		}
		if strings.Contains(line, " message received ") {
			received = true
			continue
		}
		if !received || line == "" {
			continue
		}
		received = false
		rest, ok := strings.CutPrefix(line, "INVITE sip:")
		if !ok || stamp.IsZero() {
			continue
		}
		user, _, found := strings.Cut(rest, "@")
		if !found {
			continue
		}
		if _, seen := out[user]; !seen {
			out[user] = stamp
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%w: sipp trace: %v", ErrParse, err)
	}
	return out, nil
}
