package media

import (
	"sync/atomic"
	"time"
)

type counters struct {
	packetsSent     atomic.Int64
	bytesSent       atomic.Int64
	packetsReceived atomic.Int64
	bytesReceived   atomic.Int64
	droppedSource   atomic.Int64
	droppedPT       atomic.Int64
	malformed       atomic.Int64
	concealed       atomic.Int64
	sendErrors      atomic.Int64
	dtmfSent        atomic.Int64
	dtmfReceived    atomic.Int64
	rtcpSent        atomic.Int64
	rtcpReceived    atomic.Int64
	lastSentTS      atomic.Uint32
	lastSentAt      atomic.Int64
}

// Stats is a snapshot of a Session's counters.
type Stats struct {
	// PacketsSent and BytesSent count RTP packets and payload octets sent.
	PacketsSent, BytesSent int64
	// PacketsReceived and BytesReceived count accepted RTP packets and
	// payload octets.
	PacketsReceived, BytesReceived int64
	// Lost is the cumulative number of packets lost (RFC 3550 A.3:
	// expected minus received, never negative).
	Lost int64
	// JitterMs is the RFC 3550 A.8 interarrival jitter in milliseconds.
	JitterMs float64
	// RTTMs is the round-trip time from the last RTCP report about our
	// stream (0 until one arrived).
	RTTMs float64
	// DroppedSource counts RTP/RTCP packets from unexpected addresses.
	DroppedSource int64
	// DroppedPayloadType counts RTP packets with a payload type we did not
	// negotiate.
	DroppedPayloadType int64
	// Malformed counts unparsable RTP/RTCP packets.
	Malformed int64
	// Late counts packets that arrived after their playout time.
	Late int64
	// Concealed counts frames filled by packet-loss concealment.
	Concealed int64
	// SendErrors counts failed RTP writes.
	SendErrors int64
	// DTMFSent and DTMFReceived count RFC 4733 events.
	DTMFSent, DTMFReceived int64
	// RTCPSent and RTCPReceived count compound RTCP packets.
	RTCPSent, RTCPReceived int64
	// JitterBufferDelay is the audio currently buffered for playout.
	JitterBufferDelay time.Duration
}

// Stats returns a snapshot of the session's counters.
func (s *Session) Stats() Stats {
	st := Stats{
		PacketsSent: s.st.packetsSent.Load(), BytesSent: s.st.bytesSent.Load(),
		PacketsReceived: s.st.packetsReceived.Load(), BytesReceived: s.st.bytesReceived.Load(),
		DroppedSource: s.st.droppedSource.Load(), DroppedPayloadType: s.st.droppedPT.Load(),
		Malformed: s.st.malformed.Load(), Concealed: s.st.concealed.Load(), SendErrors: s.st.sendErrors.Load(),
		DTMFSent: s.st.dtmfSent.Load(), DTMFReceived: s.st.dtmfReceived.Load(),
		RTCPSent: s.st.rtcpSent.Load(), RTCPReceived: s.st.rtcpReceived.Load(),
	}
	s.rxMu.Lock()
	if r := &s.rx; r.have {
		expected := int64(r.cycles+uint32(r.maxSeq)) - int64(r.baseSeq) + 1
		st.Lost = max(0, expected-int64(r.received))
		st.JitterMs = r.jitter / float64(r.rate) * 1000
	}
	s.rxMu.Unlock()
	s.rtcpMu.Lock()
	st.RTTMs = float64(s.rtcp.rtt) / float64(time.Millisecond)
	s.rtcpMu.Unlock()
	if s.params.Load() != nil {
		jb := s.jb.Stats()
		st.Late = jb.Late
		st.JitterBufferDelay = jb.Delay
	}
	return st
}
