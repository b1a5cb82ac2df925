package webrtc

import (
	"github.com/pitchline/pitchline/audio"
	"github.com/pitchline/pitchline/audio/jitter"
	"github.com/pitchline/pitchline/softphone/media"
)

// SetInput sets the audio to send, at Rate (48 kHz); nil sends silence. A
// source at another rate is refused (logged) and silence is sent.
func (p *Peer) SetInput(src audio.Source) {
	if src == nil {
		p.input.Store(nil)
		return
	}
	if src.Rate() != Rate {
		p.log.Error("input source rate mismatch, sending silence", "rate", src.Rate(), "want", Rate)
		p.input.Store(nil)
		return
	}
	p.input.Store(&sourceBox{src})
}

// SetOutput sets where the browser's decoded audio (48 kHz) goes; nil
// discards. A sink at another rate is refused (logged).
func (p *Peer) SetOutput(sink audio.Sink) {
	if sink == nil {
		p.output.Store(nil)
		return
	}
	if sink.Rate() != Rate {
		p.log.Error("output sink rate mismatch, discarding audio", "rate", sink.Rate(), "want", Rate)
		p.output.Store(nil)
		return
	}
	p.output.Store(&sinkBox{sink})
}

// SetMute sends silence instead of the input; packets keep flowing.
func (p *Peer) SetMute(on bool) { p.muted.Store(on) }

// Muted reports whether SetMute(true) is in effect.
func (p *Peer) Muted() bool { return p.muted.Load() }

// Tick runs one 20 ms media frame: it sends one encoded frame of the input
// (once connected) and plays out one frame to the output. Without
// WithExternalClock the Peer calls it from its own ticker; with it, the
// owner calls it once per audio.FrameDuration from one goroutine at a time.
// It does nothing after Close, never blocks on the network and does not
// allocate in this package.
func (p *Peer) Tick() {
	p.tickMu.Lock()
	defer p.tickMu.Unlock()
	if p.isClosed() {
		return
	}
	p.sendTick()
	p.playoutTick()
}

func (p *Peer) isClosed() bool {
	select {
	case <-p.stop:
		return true
	default:
		return false
	}
}

func (p *Peer) sendTick() {
	defer func() { p.ts += frameSamples }()
	if p.State() != StateConnected {
		p.marker = true
		return
	}
	pcm := p.pcmIn[:]
	if box := p.input.Load(); box != nil && !p.muted.Load() {
		if err := box.src.ReadFrame(pcm); err != nil {
			clear(pcm)
		}
	} else {
		clear(pcm)
	}
	n := p.enc.Encode(p.encBuf[:], pcm)
	if n <= 0 { // nothing to send this frame (DTX)
		p.marker = true
		return
	}
	pk := &p.txPkt
	pk.Marker = p.marker
	pk.SequenceNumber = p.seq
	pk.Timestamp = p.ts
	pk.Payload = p.encBuf[:n]
	p.marker = false
	p.seq++
	if err := p.track.WriteRTP(pk); err != nil {
		p.counter.sendErrors.Add(1)
		return
	}
	p.counter.packetsSent.Add(1)
	p.counter.bytesSent.Add(int64(n))
}

func (p *Peer) playoutTick() {
	n, status := p.jb.Pop(p.popBuf[:])
	pcm := p.pcmOut[:]
	switch {
	case status == jitter.StatusPacket && n > 0:
		k := p.dec.Decode(p.decBuf[:], p.popBuf[:n])
		if k <= 0 {
			p.conceal(pcm)
			break
		}
		// A frame longer than 20 ms (the browser's ptime above 20) keeps
		// its first 20 ms; browsers send 20 ms by default.
		c := copy(pcm, p.decBuf[:min(k, len(p.decBuf))])
		clear(pcm[c:])
		if p.concealer == nil {
			p.plc.Good(pcm)
		}
	case status == jitter.StatusPacket || status == jitter.StatusMissing:
		p.conceal(pcm)
	default:
		clear(pcm)
	}
	if o := p.output.Load(); o != nil {
		_ = o.sink.WriteFrame(pcm)
	}
}

// conceal fills one lost frame: with the decoder's own concealment when it
// has one (Opus PLC), else with the codec-independent PLC.
func (p *Peer) conceal(pcm []int16) {
	p.counter.concealed.Add(1)
	if p.concealer != nil {
		if k := p.concealer.Conceal(pcm, nil); k > 0 {
			clear(pcm[min(k, len(pcm)):])
			return
		}
	}
	p.plc.Conceal(pcm)
}

// Stats returns a snapshot of the Peer's counters, in media.Session's
// shape so the engine reports both kinds of leg alike. Lost and JitterMs
// come from the jitter buffer; RTTMs, DroppedSource and DTMF are 0 (pion
// filters sources, and browsers send no RFC 4733 events here).
func (p *Peer) Stats() media.Stats {
	jb := p.jb.Stats()
	return media.Stats{
		PacketsSent: p.counter.packetsSent.Load(), BytesSent: p.counter.bytesSent.Load(),
		PacketsReceived: p.counter.packetsReceived.Load(), BytesReceived: p.counter.bytesReceived.Load(),
		Lost: jb.Lost, JitterMs: float64(jb.Jitter.Microseconds()) / 1000,
		DroppedPayloadType: p.counter.droppedPT.Load(), Malformed: p.counter.malformed.Load(),
		Late: jb.Late, Concealed: p.counter.concealed.Load(), SendErrors: p.counter.sendErrors.Load(),
		JitterBufferDelay: jb.Delay,
	}
}

// Codec returns the codec name, as media.Session.Codec does: "opus" (the
// only codec a Peer negotiates).
func (p *Peer) Codec() string { return "opus" }
