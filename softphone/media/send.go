package media

// sendTick runs once per 20 ms on the media goroutine: it sends one audio
// frame or one DTMF step, or nothing when our direction or the peer's
// forbids sending. The RTP timestamp advances every tick either way, so
// the peer sees real time pass over a hold gap (RFC 3550 §5.1).
func (s *Session) sendTick() {
	p := s.params.Load()
	local := *s.localDir.Load()
	if p == nil || !local.CanSend() || !p.remoteDir.CanRecv() || !p.remoteRTP.Addr().IsValid() ||
		p.remoteRTP.Addr().IsUnspecified() || p.remoteRTP.Port() == 0 {
		s.needMarker = true
		s.dtmfTx.active = false
		s.ts += frameSamples
		return
	}
	if s.dtmfTx.active || (s.dtmfTx.gap == 0 && s.nextDTMF(p)) {
		s.sendDTMFStep(p)
		s.ts += frameSamples
		return
	}
	if s.dtmfTx.gap > 0 {
		s.dtmfTx.gap--
	}
	s.sendAudio(p)
	s.ts += frameSamples
}

// sendAudio reads, encodes and sends one frame. It does not allocate.
func (s *Session) sendAudio(p *mediaParams) {
	pcm := s.pcmIn[:frameSamples]
	if box := s.input.Load(); box != nil && !s.muted.Load() {
		if err := box.src.ReadFrame(pcm); err != nil {
			clear(pcm)
		}
	} else {
		clear(pcm)
	}
	n := p.enc.Encode(s.encBuf[:], pcm)
	marker := s.needMarker
	s.needMarker = false
	s.writeRTP(p, p.sendPT, marker, s.ts, s.encBuf[:n])
}

// writeRTP marshals one packet into the reused send buffer and writes it.
func (s *Session) writeRTP(p *mediaParams, pt uint8, marker bool, ts uint32, payload []byte) {
	h := &s.sendHdr
	h.PayloadType = pt
	h.Marker = marker
	h.SequenceNumber = s.seq
	h.Timestamp = ts
	// Header.MarshalTo plus a copy keeps the caller-owned buffer and 0
	// allocations (rtp.MarshalPacketTo is deprecated).
	hn, err := h.MarshalTo(s.sendBuf[:])
	if err != nil || hn+len(payload) > len(s.sendBuf) {
		return
	}
	n := hn + copy(s.sendBuf[hn:], payload)
	s.seq++
	if err := s.sock.send(s.sendBuf[:n], p.remoteRTP); err != nil {
		s.st.sendErrors.Add(1)
		return
	}
	s.st.packetsSent.Add(1)
	s.st.bytesSent.Add(int64(len(payload)))
	s.st.lastSentTS.Store(ts)
	s.st.lastSentAt.Store(s.opt.clock.Now().UnixNano())
}
