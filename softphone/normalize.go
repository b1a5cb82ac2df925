package softphone

import (
	"bytes"
	"strings"
)

// structuredHeaders are the header fields whose grammar allows linear
// white space around ";", "=" and "," (RFC 3261 §7.3.1, §25.1: SEMI,
// EQUAL and COMMA are SWS-delimited), in long and compact form.
var structuredHeaders = map[string]bool{
	"via": true, "v": true, "from": true, "f": true, "to": true, "t": true,
	"contact": true, "m": true, "route": true, "record-route": true, "cseq": true,
	"max-forwards": true, "content-length": true, "l": true, "content-type": true, "c": true,
}

// normalizeHeaders rewrites a message's header section into the plain
// form sipgo's parser expects, without changing its meaning: continuation
// lines are unfolded (RFC 3261 §7.3.1) and, in the structured headers the
// engine reads, white space around separators outside quoted strings and
// <...> is dropped. sipgo takes "tag = 1" as a parameter named " tag ", so
// RFC 4475 §3.1.1.1 (wsinv) would lose its From tag. The body is left
// alone. It returns data itself when nothing needed rewriting.
func normalizeHeaders(data []byte) []byte {
	end := bytes.Index(data, []byte("\r\n\r\n"))
	if end < 0 {
		return data
	}
	head, body := data[:end+2], data[end+4:]
	if bytes.Count(head, []byte("\n")) != bytes.Count(head, []byte("\r\n")) || bytes.IndexByte(head, 0) >= 0 {
		return data // bare LF or NUL: leave it to the parser and the checks as it is
	}
	first, _, _ := bytes.Cut(head, []byte("\r\n"))
	var out bytes.Buffer
	out.Grow(len(data))
	out.Write(first)
	out.WriteString("\r\n")
	for _, line := range headerLines(head) {
		name, value, ok := bytes.Cut(line, []byte(":"))
		n := strings.ToLower(string(bytes.TrimSpace(name)))
		if !ok || !structuredHeaders[n] {
			out.Write(line)
			out.WriteString("\r\n")
			continue
		}
		out.Write(bytes.TrimSpace(name))
		out.WriteString(": ")
		out.Write(tightenSeparators(bytes.TrimSpace(value)))
		out.WriteString("\r\n")
	}
	out.WriteString("\r\n")
	out.Write(body)
	if bytes.Equal(out.Bytes(), data) {
		return data
	}
	return out.Bytes()
}

// tightenSeparators drops white space next to ; = and , and collapses other
// runs of white space to one space, outside "..." and <...>.
func tightenSeparators(v []byte) []byte {
	out := make([]byte, 0, len(v))
	quoted, angle := false, false
	pendingSpace := false
	isSep := func(c byte) bool { return c == ';' || c == '=' || c == ',' }
	for i := 0; i < len(v); i++ {
		c := v[i]
		if quoted {
			out = append(out, c)
			if c == '\\' && i+1 < len(v) {
				i++
				out = append(out, v[i])
			} else if c == '"' {
				quoted = false
			}
			continue
		}
		if angle {
			out = append(out, c)
			if c == '>' {
				angle = false
			}
			continue
		}
		if c == ' ' || c == '\t' {
			pendingSpace = true
			continue
		}
		if pendingSpace {
			pendingSpace = false
			if len(out) > 0 && !isSep(c) && !isSep(out[len(out)-1]) {
				out = append(out, ' ')
			}
		}
		switch c {
		case '"':
			quoted = true
		case '<':
			angle = true
		}
		out = append(out, c)
	}
	return out
}
