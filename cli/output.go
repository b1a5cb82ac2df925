package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/pitchline/pitchline/softphone"
)

// printer writes the event lines of the CLI contract, as JSON objects or
// readable text.
type printer struct {
	mu   sync.Mutex
	w    io.Writer
	json bool
}

// line is one output event; fields are omitted when empty.
type line map[string]any

func (p *printer) emit(event string, fields line) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if fields == nil {
		fields = line{}
	}
	fields["event"] = event
	if p.json {
		fields["time"] = time.Now().UTC().Format(time.RFC3339Nano)
		b, err := json.Marshal(fields)
		if err != nil {
			return
		}
		fmt.Fprintf(p.w, "%s\n", b)
		return
	}
	fmt.Fprintf(p.w, "%-18s", event)
	for _, k := range []string{"call_id", "from", "to", "digit", "status", "reason", "cause", "duration_ms",
		"packets_sent", "packets_received", "lost", "jitter_ms", "rtt_ms", "expires", "target",
		"contact", "number", "line", "result", "outcome", "message", "done", "total", "dialled", "connected", "voicemail",
		"no_answer", "busy", "abandoned", "skipped", "decision_ms"} {
		if v, ok := fields[k]; ok && v != "" && v != nil {
			fmt.Fprintf(p.w, " %s=%v", k, v)
		}
	}
	fmt.Fprintln(p.w)
}

// translate prints the contract line for an engine event; events the
// contract does not name print nothing.
func (p *printer) translate(ev softphone.Event) {
	switch e := ev.(type) {
	case softphone.RegistrationEvent:
		switch e.State {
		case softphone.RegRegistered:
			p.emit("registered", line{"aor": e.Account, "expires": e.Expires})
		case softphone.RegFailed:
			p.emit("registration_failed", line{"aor": e.Account, "reason": e.Reason})
		case softphone.RegReconnecting:
			p.emit("reconnecting", line{"aor": e.Account, "reason": e.Reason})
		}
	case softphone.CallEvent:
		switch e.State {
		case softphone.CallIncoming:
			p.emit("incoming", line{"call_id": e.CallID, "from": e.Remote, "display": e.Display})
		case softphone.CallRinging:
			p.emit("ringing", line{"call_id": e.CallID, "to": e.Remote, "early_media": e.EarlyMedia})
		case softphone.CallEnded:
			p.emit("ended", line{"call_id": e.CallID, "cause": string(e.Cause), "status": e.Status,
				"reason": e.Reason, "duration_ms": e.Duration.Milliseconds()})
		}
	case softphone.DTMFEvent:
		p.emit("dtmf", line{"call_id": e.CallID, "digit": e.Digit, "method": e.Method})
	case softphone.HoldEvent:
		name := "held"
		switch {
		case e.Remote && e.Held:
			name = "remote_held"
		case e.Remote:
			name = "remote_resumed"
		case !e.Held:
			name = "resumed"
		}
		p.emit(name, line{"call_id": e.CallID})
	case softphone.MuteEvent:
		p.emit("muted", line{"call_id": e.CallID, "muted": e.Muted})
	case softphone.TransferEvent:
		p.emit("transfer", line{"call_id": e.CallID, "status": e.Status, "reason": e.Reason,
			"final": e.Final, "incoming": e.Incoming, "target": e.Target})
	case softphone.StatsEvent:
		p.emit("rtp_stats", statsLine(e.CallID, e))
	case softphone.BlockedEvent:
		p.emit("blocked", line{"from": e.From, "source": e.Source, "reason": e.Reason, "count": e.Count})
	}
}

func statsLine(callID string, e softphone.StatsEvent) line {
	s := e.Stats
	return line{
		"call_id": callID, "packets_sent": s.PacketsSent, "packets_received": s.PacketsReceived,
		"lost": s.Lost, "jitter_ms": s.JitterMs, "rtt_ms": s.RTTMs,
		"dropped_source": s.DroppedSource, "dropped_payload_type": s.DroppedPayloadType,
	}
}
