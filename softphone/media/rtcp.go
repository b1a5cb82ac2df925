package media

// RTCP per RFC 3550 §6 (https://www.rfc-editor.org/rfc/rfc3550#section-6).

import (
	"errors"
	"math/rand/v2"
	"net"
	"net/netip"
	"time"

	// pion/rtcp: SR/RR/SDES marshalling and compound packet parsing.
	"github.com/pion/rtcp"
)

type rtcpState struct {
	cname      string
	lsr        uint32    // middle 32 bits of the last SR's NTP time
	lsrAt      time.Time // when it arrived
	rtt        time.Duration
	haveRTT    bool
	lastSentPk int64 // packets sent at the previous report
}

const ntpEpochOffset = 2208988800 // seconds from 1900 to 1970

// toNTP converts t to a 64-bit NTP timestamp.
func toNTP(t time.Time) uint64 {
	ns := t.UnixNano()
	sec := uint64(ns/1e9) + ntpEpochOffset
	frac := (uint64(ns%1e9) << 32) / 1e9
	return sec<<32 | frac
}

func (s *Session) rtcpLoop() {
	defer s.wg.Done()
	for {
		d := time.Duration(float64(s.opt.rtcpInterval) * (0.5 + rand.Float64()))
		t := s.opt.clock.NewTicker(d)
		select {
		case <-s.done:
			t.Stop()
			return
		case <-t.C():
			t.Stop()
			if err := s.sendReport(); err != nil && !s.closed.Load() {
				s.log.Debug("rtcp send failed", "err", err)
			}
		}
	}
}

func (s *Session) rtcpReadLoop() {
	defer s.wg.Done()
	buf := make([]byte, maxPacket)
	for {
		n, src, err := s.rtcpConn.ReadFromUDPAddrPort(buf)
		if err != nil {
			if s.closed.Load() || errors.Is(err, net.ErrClosed) {
				return
			}
			continue
		}
		s.handleRTCP(buf[:n], src)
	}
}

// rtcpRemote returns where to send RTCP, if known.
func (s *Session) rtcpRemote(p *mediaParams) (netip.AddrPort, bool) {
	if p.latch {
		if l := s.latched.Load(); l != nil {
			return netip.AddrPortFrom(l.Addr(), l.Port()+1), true
		}
		return netip.AddrPort{}, false
	}
	return p.remoteRTCP, p.remoteRTCP.Port() != 0
}

// buildReport assembles an SR (if we sent RTP since the last report) or an
// RR, with a reception report block for the peer's stream and an SDES CNAME.
func (s *Session) buildReport(now time.Time) []rtcp.Packet {
	var reports []rtcp.ReceptionReport
	s.rtcpMu.Lock()
	lsr, lsrAt := s.rtcp.lsr, s.rtcp.lsrAt
	s.rtcpMu.Unlock()
	s.rxMu.Lock()
	if r := &s.rx; r.have {
		ext := r.cycles + uint32(r.maxSeq)
		expected := ext - r.baseSeq + 1
		lost := int64(expected) - int64(r.received)
		expInt := expected - r.expectedPrior
		recvInt := r.received - r.receivedPrior
		r.expectedPrior, r.receivedPrior = expected, r.received
		lostInt := int64(expInt) - int64(recvInt)
		var fraction uint8
		if expInt != 0 && lostInt > 0 {
			fraction = uint8((lostInt << 8) / int64(expInt))
		}
		lost = max(0, min(lost, 0x7FFFFF))
		rr := rtcp.ReceptionReport{SSRC: r.ssrc, FractionLost: fraction, TotalLost: uint32(lost),
			LastSequenceNumber: ext, Jitter: uint32(r.jitter)}
		if !lsrAt.IsZero() {
			rr.LastSenderReport = lsr
			rr.Delay = uint32(now.Sub(lsrAt).Seconds() * 65536)
		}
		reports = append(reports, rr)
	}
	s.rxMu.Unlock()

	sent := s.st.packetsSent.Load()
	s.rtcpMu.Lock()
	sentSince := sent > s.rtcp.lastSentPk
	s.rtcp.lastSentPk = sent
	s.rtcpMu.Unlock()
	var first rtcp.Packet
	ssrc := s.sendSSRC.Load()
	if sentSince {
		lastAt := time.Unix(0, s.st.lastSentAt.Load())
		rtpNow := s.st.lastSentTS.Load() + uint32(now.Sub(lastAt)*time.Duration(s.Rate())/time.Second)
		first = &rtcp.SenderReport{SSRC: ssrc, NTPTime: toNTP(now), RTPTime: rtpNow,
			PacketCount: uint32(sent), OctetCount: uint32(s.st.bytesSent.Load()), Reports: reports}
	} else {
		first = &rtcp.ReceiverReport{SSRC: ssrc, Reports: reports}
	}
	return []rtcp.Packet{first, rtcp.NewCNAMESourceDescription(ssrc, s.rtcp.cname)}
}

func (s *Session) sendReport() error {
	p := s.params.Load()
	if p == nil {
		return nil
	}
	dst, ok := s.rtcpRemote(p)
	if !ok {
		return nil
	}
	b, err := rtcp.Marshal(s.buildReport(s.opt.clock.Now()))
	if err != nil {
		return err
	}
	_, err = s.rtcpConn.WriteToUDPAddrPort(b, dst)
	if err == nil {
		s.st.rtcpSent.Add(1)
	}
	return err
}

// handleRTCP parses a compound RTCP packet from the peer and updates the
// LSR bookkeeping and the round-trip time (RFC 3550 §6.4.1).
func (s *Session) handleRTCP(buf []byte, src netip.AddrPort) {
	p := s.params.Load()
	if p == nil {
		s.st.droppedSource.Add(1)
		return
	}
	want := p.remoteRTCP.Addr()
	if p.latch {
		if l := s.latched.Load(); l != nil {
			want = l.Addr()
		}
	}
	if src.Addr().Unmap() != want {
		s.st.droppedSource.Add(1)
		return
	}
	pkts, err := rtcp.Unmarshal(buf)
	if err != nil {
		s.st.malformed.Add(1)
		return
	}
	now := s.opt.clock.Now()
	s.st.rtcpReceived.Add(1)
	for _, pk := range pkts {
		switch v := pk.(type) {
		case *rtcp.SenderReport:
			s.rtcpMu.Lock()
			s.rtcp.lsr = uint32(v.NTPTime >> 16)
			s.rtcp.lsrAt = now
			s.rtcpMu.Unlock()
			s.processReports(now, v.Reports)
		case *rtcp.ReceiverReport:
			s.processReports(now, v.Reports)
		}
	}
}

func (s *Session) processReports(now time.Time, reports []rtcp.ReceptionReport) {
	for _, r := range reports {
		if r.SSRC != s.sendSSRC.Load() {
			continue
		}
		// The peer's loss of our stream (RFC 3550 §6.4.1, fraction lost
		// in 1/256) tunes an adaptive encoder's FEC (sendAudio).
		s.peerLoss.Store(int32((int(r.FractionLost)*100 + 128) / 256))
		if r.LastSenderReport == 0 {
			continue
		}
		a := uint32(toNTP(now) >> 16)
		rtt := int64(a) - int64(r.LastSenderReport) - int64(r.Delay)
		if a < r.LastSenderReport { // NTP middle-32 wrap
			rtt += 1 << 32
		}
		if rtt < 0 || rtt > 60*65536 {
			continue
		}
		s.rtcpMu.Lock()
		s.rtcp.rtt = time.Duration(rtt) * time.Second / 65536
		s.rtcp.haveRTT = true
		s.rtcpMu.Unlock()
	}
}
