package media

// RFC 4733 telephone-events (https://www.rfc-editor.org/rfc/rfc4733).

import (
	"encoding/binary"
	"fmt"
)

const (
	dtmfGapTicks = 3  // 60 ms
	dtmfEndCount = 3  // RFC 4733 §2.5.1.4: end packet sent three times
	dtmfVolume   = 10 // -10 dBm0
)

type dtmfSender struct {
	active  bool
	first   bool
	event   uint8
	startTS uint32
	dur     uint32
	gap     int
}

type dtmfReceiver struct {
	have  bool
	ts    uint32
	event uint8
}

// digitEvent maps a DTMF character to its RFC 4733 §3.2 event code.
func digitEvent(r rune) (uint8, bool) {
	switch {
	case r >= '0' && r <= '9':
		return uint8(r - '0'), true
	case r == '*':
		return 10, true
	case r == '#':
		return 11, true
	case r >= 'A' && r <= 'D':
		return uint8(12 + r - 'A'), true
	case r >= 'a' && r <= 'd':
		return uint8(12 + r - 'a'), true
	}
	return 0, false
}

func eventDigit(e uint8) rune {
	switch {
	case e <= 9:
		return rune('0' + e)
	case e == 10:
		return '*'
	case e == 11:
		return '#'
	case e <= 15:
		return rune('A' + e - 12)
	}
	return 0
}

// SendDTMF queues digits (0-9 * # A-D) as RFC 4733 events: about 100 ms of
// event per digit, then 60 ms of audio; the end packet is sent three times.
// It returns ErrInvalidDigit (nothing queued) for other characters and
// ErrDTMFNotNegotiated when the peer did not accept telephone-event; there
// is no in-band fallback.
func (s *Session) SendDTMF(digits string) error {
	if s.closed.Load() {
		return ErrClosed
	}
	for _, r := range digits {
		if _, ok := digitEvent(r); !ok {
			return fmt.Errorf("%w: %q", ErrInvalidDigit, r)
		}
	}
	p := s.params.Load()
	if p == nil || p.tePT < 0 {
		return ErrDTMFNotNegotiated
	}
	for _, r := range digits {
		ev, _ := digitEvent(r)
		select {
		case s.dtmfQueue <- ev:
		default:
			return ErrDTMFQueueFull
		}
	}
	return nil
}

// nextDTMF starts the next queued event, if any.
func (s *Session) nextDTMF(p *mediaParams) bool {
	if p.tePT < 0 {
		return false
	}
	select {
	case ev := <-s.dtmfQueue:
		s.dtmfTx = dtmfSender{active: true, first: true, event: ev, startTS: s.ts}
		return true
	default:
		return false
	}
}

// sendDTMFStep sends this tick's event packet(s).
func (s *Session) sendDTMFStep(p *mediaParams) {
	tx := &s.dtmfTx
	// Durations count at telephone-event's clock rate (RFC 4733 §2.3.5):
	// 100 ms of tone, one 20 ms step per tick.
	tx.dur += uint32(p.teRate / 50)
	toneTS := uint32(p.teRate / 10)
	var pl [4]byte
	pl[0] = tx.event
	end := tx.dur >= toneTS
	if end {
		tx.dur = toneTS
		pl[1] = 0x80
	}
	pl[1] |= dtmfVolume
	binary.BigEndian.PutUint16(pl[2:], uint16(tx.dur))
	count := 1
	if end {
		count = dtmfEndCount
	}
	for i := 0; i < count; i++ {
		s.writeRTP(p, uint8(p.tePT), tx.first, tx.startTS, pl[:])
		tx.first = false
	}
	if end {
		tx.active = false
		tx.gap = dtmfGapTicks
		s.st.dtmfSent.Add(1)
	}
}

// handleTelephoneEvent reports each event once, on its first packet
// (RFC 4733 §2.5.1.3: an event is identified by its RTP timestamp).
func (s *Session) handleTelephoneEvent(ts uint32, payload []byte) {
	if len(payload) < 4 {
		return
	}
	ev := payload[0]
	if s.dtmfRx.have && s.dtmfRx.ts == ts && s.dtmfRx.event == ev {
		return
	}
	s.dtmfRx = dtmfReceiver{have: true, ts: ts, event: ev}
	d := eventDigit(ev)
	if d == 0 {
		return
	}
	s.st.dtmfReceived.Add(1)
	select {
	case s.dtmfCh <- d:
	default: // callback backlog: drop rather than block the media path
	}
}

func (s *Session) dtmfLoop() {
	defer s.wg.Done()
	for {
		select {
		case <-s.done:
			return
		case d := <-s.dtmfCh:
			if s.opt.onDTMF != nil {
				s.opt.onDTMF(d)
			}
		}
	}
}
