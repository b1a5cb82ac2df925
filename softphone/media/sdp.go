package media

// SDP offer/answer: RFC 3264 (https://www.rfc-editor.org/rfc/rfc3264),
// RFC 4566 (https://www.rfc-editor.org/rfc/rfc4566), telephone-event per
// RFC 4733 §7 (https://www.rfc-editor.org/rfc/rfc4733#section-7), Opus per
// RFC 7587 §7 (https://www.rfc-editor.org/rfc/rfc7587#section-7).

import (
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/pitchline/pitchline/audio/codec"
	// pion/sdp: SDP parsing and marshalling (the brief forbids a
	// hand-written SDP codec).
	"github.com/pion/sdp/v3"
)

const telephoneEvent = "telephone-event"

type offeredFormat struct {
	pt   uint8
	name string
	rate int
}

// remoteAudio is what the peer said about its audio stream.
type remoteAudio struct {
	addr     netip.Addr
	port     int
	rtcpPort int
	dir      Direction // as declared in a=
	formats  []offeredFormat
	te       []offeredFormat  // telephone-event, one per clock rate
	fmtp     map[uint8]string // a=fmtp parameters by payload type
	ptime    int              // a=ptime in ms (0: absent)
	maxptime int              // a=maxptime in ms (0: absent)
}

// packetFrames returns how many 20 ms frames we put in each packet we
// send: the peer's a=ptime (RFC 4566 §6, the packet length it wants to
// receive; Opus per RFC 7587 §4.2 and §7), capped by its a=maxptime,
// rounded down to 20, 40 or 60 ms.
// https://www.rfc-editor.org/rfc/rfc4566#section-6
func (r remoteAudio) packetFrames() int {
	ms := 20
	if r.ptime > 0 {
		ms = r.ptime
	}
	if r.maxptime > 0 {
		ms = min(ms, r.maxptime)
	}
	return min(max(ms/20, 1), maxPacketFrames)
}

// msAttr returns the value in milliseconds of attribute key ("ptime",
// "maxptime") of the media section, else of the session, or 0.
func msAttr(sd *sdp.SessionDescription, md *sdp.MediaDescription, key string) int {
	v, ok := md.Attribute(key)
	if !ok {
		v, ok = sd.Attribute(key)
	}
	if !ok {
		return 0
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	if err != nil || f <= 0 || f > 10000 {
		return 0
	}
	return int(f)
}

// opusName is Opus's encoding name; RFC 7587 §7 writes its rtpmap as
// opus/48000/2 whatever the channels actually sent.
const opusName = "opus"

// opusFmtp is what we ask of a peer sending us Opus (RFC 7587 §6.1): we
// decode its in-band FEC and welcome DTX.
const opusFmtp = "useinbandfec=1; usedtx=1"

// maxOpusFmtp bounds the a=fmtp value we look at.
const maxOpusFmtp = 1024

// fmtpParam returns the value of parameter key in an a=fmtp parameter list
// ("k1=v1; k2=v2", RFC 7587 §6.1), case-insensitively.
func fmtpParam(params, key string) (string, bool) {
	if len(params) > maxOpusFmtp {
		params = params[:maxOpusFmtp]
	}
	for _, kv := range strings.Split(params, ";") {
		k, v, ok := strings.Cut(strings.TrimSpace(kv), "=")
		if ok && strings.EqualFold(strings.TrimSpace(k), key) {
			return strings.TrimSpace(v), true
		}
	}
	return "", false
}

// maxAverageBitrate returns the peer's maxaveragebitrate for pt (RFC 7587
// §6.1: 6000..510000 bit/s), or 0 when absent or out of range.
func (r remoteAudio) maxAverageBitrate(pt uint8) int {
	v, ok := fmtpParam(r.fmtp[pt], "maxaveragebitrate")
	if !ok {
		return 0
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 6000 || n > 510000 {
		return 0
	}
	return n
}

// telephoneEventAt returns the peer's telephone-event at clock rate hz, or
// at any rate if it offered none at hz (RFC 4733 §2.1 wants the audio's
// rate, but many peers only offer 8000 Hz; its durations then count at its
// own rate).
func (r remoteAudio) telephoneEventAt(hz int) (offeredFormat, bool) {
	for _, te := range r.te {
		if te.rate == hz {
			return te, true
		}
	}
	if len(r.te) > 0 {
		return r.te[0], true
	}
	return offeredFormat{}, false
}

// effectiveDir is the declared direction with c=0.0.0.0 (RFC 3264 §8.4,
// old-style hold) meaning "do not send to me".
func (r remoteAudio) effectiveDir() Direction {
	if r.addr.IsUnspecified() {
		return makeDirection(r.dir.CanSend(), false)
	}
	return r.dir
}

type match struct {
	info codec.Info
	pt   uint8
}

// parseSDP parses b with pion/sdp; a parser panic on hostile input is turned
// into ErrBadSDP.
func parseSDP(b []byte) (sd *sdp.SessionDescription, err error) {
	defer func() {
		if r := recover(); r != nil {
			sd, err = nil, fmt.Errorf("%w: parser panic: %v", ErrBadSDP, r)
		}
	}()
	sd = &sdp.SessionDescription{}
	if err := sd.Unmarshal(b); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadSDP, err)
	}
	return sd, nil
}

func connAddr(sd *sdp.SessionDescription, md *sdp.MediaDescription) (netip.Addr, error) {
	ci := md.ConnectionInformation
	if ci == nil {
		ci = sd.ConnectionInformation
	}
	if ci == nil || ci.Address == nil {
		return netip.Addr{}, fmt.Errorf("%w: no c= line for audio", ErrBadSDP)
	}
	if ci.NetworkType != "IN" {
		return netip.Addr{}, fmt.Errorf("%w: network type %q", ErrIncompatible, ci.NetworkType)
	}
	a, err := netip.ParseAddr(ci.Address.Address)
	if err != nil {
		return netip.Addr{}, fmt.Errorf("%w: connection address %q is not an IP address", ErrIncompatible, ci.Address.Address)
	}
	return a.Unmap(), nil
}

func directionOf(attrs []sdp.Attribute) (Direction, bool) {
	for _, a := range attrs {
		if d := Direction(a.Key); d.Valid() && a.Value == "" {
			return d, true
		}
	}
	return "", false
}

func parseAudio(sd *sdp.SessionDescription, md *sdp.MediaDescription) (remoteAudio, error) {
	var r remoteAudio
	if proto := strings.Join(md.MediaName.Protos, "/"); proto != "RTP/AVP" {
		return r, fmt.Errorf("%w: transport %q (only RTP/AVP)", ErrIncompatible, proto)
	}
	r.port = md.MediaName.Port.Value
	if r.port <= 0 || r.port > 65535 {
		return r, fmt.Errorf("%w: audio port %d", ErrBadSDP, r.port)
	}
	var err error
	if r.addr, err = connAddr(sd, md); err != nil {
		return r, err
	}
	r.rtcpPort = r.port + 1
	if v, ok := md.Attribute("rtcp"); ok { // RFC 3605
		f := strings.Fields(v)
		if len(f) > 0 {
			if p, err := strconv.Atoi(f[0]); err == nil && p > 0 && p <= 65535 {
				r.rtcpPort = p
			}
		}
	}
	r.ptime, r.maxptime = msAttr(sd, md, "ptime"), msAttr(sd, md, "maxptime")
	if d, ok := directionOf(md.Attributes); ok {
		r.dir = d
	} else if d, ok := directionOf(sd.Attributes); ok {
		r.dir = d
	} else {
		r.dir = DirSendRecv
	}
	rtpmap := map[uint8]offeredFormat{}
	for _, a := range md.Attributes {
		if a.Key == "fmtp" {
			ptStr, params, ok := strings.Cut(a.Value, " ")
			if pt, err := strconv.Atoi(ptStr); ok && err == nil && pt >= 0 && pt <= 127 {
				if r.fmtp == nil {
					r.fmtp = map[uint8]string{}
				}
				r.fmtp[uint8(pt)] = params
			}
			continue
		}
		if a.Key != "rtpmap" {
			continue
		}
		ptStr, enc, ok := strings.Cut(a.Value, " ")
		pt, err := strconv.Atoi(ptStr)
		if !ok || err != nil || pt < 0 || pt > 127 {
			continue
		}
		parts := strings.Split(strings.TrimSpace(enc), "/")
		rate := 0
		if len(parts) > 1 {
			rate, _ = strconv.Atoi(parts[1])
		}
		rtpmap[uint8(pt)] = offeredFormat{pt: uint8(pt), name: parts[0], rate: rate}
	}
	for _, f := range md.MediaName.Formats {
		pt, err := strconv.Atoi(f)
		if err != nil || pt < 0 || pt > 127 {
			continue
		}
		of, ok := rtpmap[uint8(pt)]
		if !ok {
			info, err := codec.LookupPayloadType(uint8(pt))
			if err != nil {
				continue
			}
			of = offeredFormat{pt: uint8(pt), name: info.Name, rate: info.ClockRate}
		}
		if strings.EqualFold(of.name, telephoneEvent) {
			if of.rate > 0 && of.rate <= maxRate && !slices.ContainsFunc(r.te, func(t offeredFormat) bool { return t.rate == of.rate }) {
				r.te = append(r.te, of)
			}
			continue
		}
		r.formats = append(r.formats, of)
	}
	return r, nil
}

// matchOurs returns the common codecs in our preference order, using the
// peer's payload type numbers (so an answer keeps the offerer's dynamic
// payload types, RFC 3264 §6.1).
func (s *Session) matchOurs(r remoteAudio) []match {
	var out []match
	for _, c := range s.activeCodecs() {
		for _, f := range r.formats {
			if strings.EqualFold(f.name, c.info.Name) && f.rate == c.info.ClockRate {
				out = append(out, match{c.info, f.pt})
				break
			}
		}
	}
	return out
}

// matchTheirs returns the common codecs in the peer's order (for answers).
func (s *Session) matchTheirs(r remoteAudio) []match {
	ours := s.activeCodecs()
	var out []match
	for _, f := range r.formats {
		for _, c := range ours {
			if strings.EqualFold(f.name, c.info.Name) && f.rate == c.info.ClockRate {
				out = append(out, match{c.info, f.pt})
				break
			}
		}
	}
	return out
}

// SetCodecs restricts the codecs of our next offers and answers to names,
// in this order of preference, among those the session was configured
// with (Config.Codecs); no names restores them all. It changes nothing on
// the wire by itself: the caller sends a new offer (a re-INVITE, RFC 3264
// §8.3.3, https://www.rfc-editor.org/rfc/rfc3264#section-8.3.3), and the
// answer switches our encoder, for instance from Opus to G.711 on a link
// that struggles. It returns ErrInvalidConfig for a codec the session was
// not configured with.
func (s *Session) SetCodecs(names ...string) error {
	if len(names) == 0 {
		s.prefer.Store(nil)
		return nil
	}
	all := s.ourCodecs()
	var out []match
	for _, n := range names {
		i := slices.IndexFunc(all, func(m match) bool { return strings.EqualFold(m.info.Name, n) })
		if i < 0 {
			return fmt.Errorf("codec %q not configured: %w", n, ErrInvalidConfig)
		}
		if !slices.ContainsFunc(out, func(m match) bool { return m.pt == all[i].pt }) {
			out = append(out, all[i])
		}
	}
	s.prefer.Store(&out)
	return nil
}

// activeCodecs returns the codecs we offer and accept, with our payload
// types: those of SetCodecs, or all configured ones.
func (s *Session) activeCodecs() []match {
	if p := s.prefer.Load(); p != nil {
		return *p
	}
	return s.ourCodecs()
}

// activeTE returns the telephone-event formats we offer: one per clock
// rate of the active codecs.
func (s *Session) activeTE() []offeredFormat {
	codecs := s.activeCodecs()
	var out []offeredFormat
	for _, t := range s.ourTE {
		if slices.ContainsFunc(codecs, func(m match) bool { return m.info.ClockRate == t.rate }) {
			out = append(out, t)
		}
	}
	return out
}

// answerTE returns the peer's telephone-event formats an answer accepts:
// the one at each clock rate of the common codecs (RFC 4733 §2.1: events
// at the audio's rate), or, when the peer has none at the send codec's
// rate, the one it has (it then times events at that rate).
func answerTE(r remoteAudio, common []match) []offeredFormat {
	var te []offeredFormat
	for _, c := range common {
		for _, t := range r.te {
			if t.rate == c.info.ClockRate && !slices.Contains(te, t) {
				te = append(te, t)
			}
		}
	}
	if t, ok := r.telephoneEventAt(common[0].info.ClockRate); ok && !slices.Contains(te, t) {
		te = append(te, t)
	}
	return te
}

// audioDescription builds our m=audio section with codecs, the
// telephone-event formats te and our a=ptime in ms.
func (s *Session) audioDescription(codecs []match, te []offeredFormat, dir Direction, ptime int) *sdp.MediaDescription {
	md := &sdp.MediaDescription{MediaName: sdp.MediaName{
		Media: "audio", Port: sdp.RangedPort{Value: int(s.local.Port())}, Protos: []string{"RTP", "AVP"},
	}}
	for _, c := range codecs {
		md.MediaName.Formats = append(md.MediaName.Formats, strconv.Itoa(int(c.pt)))
		if strings.EqualFold(c.info.Name, opusName) {
			md.Attributes = append(md.Attributes,
				sdp.NewAttribute("rtpmap", fmt.Sprintf("%d %s/%d/2", c.pt, opusName, c.info.ClockRate)),
				sdp.NewAttribute("fmtp", fmt.Sprintf("%d %s", c.pt, opusFmtp)))
			continue
		}
		md.Attributes = append(md.Attributes, sdp.NewAttribute("rtpmap",
			fmt.Sprintf("%d %s/%d", c.pt, c.info.Name, c.info.ClockRate)))
	}
	for _, t := range te {
		md.MediaName.Formats = append(md.MediaName.Formats, strconv.Itoa(int(t.pt)))
		md.Attributes = append(md.Attributes,
			sdp.NewAttribute("rtpmap", fmt.Sprintf("%d %s/%d", t.pt, telephoneEvent, t.rate)),
			sdp.NewAttribute("fmtp", fmt.Sprintf("%d 0-16", t.pt)))
	}
	// a=ptime is the packet length we would like to receive (RFC 4566
	// §6), and we decode packets of up to 120 ms (an Opus packet's
	// longest, RFC 6716 §3.2.5).
	md.Attributes = append(md.Attributes, sdp.NewAttribute("ptime", strconv.Itoa(ptime)),
		sdp.NewAttribute("maxptime", strconv.Itoa(maxRecvFrames*20)), sdp.NewPropertyAttribute(dir.String()))
	return md
}

// marshal wraps media sections into a session description. bump forces a
// new o= version; otherwise the version only changes when the body does
// (RFC 3264 §8). Called with s.mu held.
func (s *Session) marshal(media []*sdp.MediaDescription, bump bool) ([]byte, error) {
	addrType := "IP4"
	if s.cfg.LocalIP.Is6() {
		addrType = "IP6"
	}
	ip := s.cfg.LocalIP.String()
	sd := &sdp.SessionDescription{
		Origin: sdp.Origin{Username: "pitchline", SessionID: s.sessID, NetworkType: "IN",
			AddressType: addrType, UnicastAddress: ip},
		SessionName: "pitchline",
		ConnectionInformation: &sdp.ConnectionInformation{NetworkType: "IN", AddressType: addrType,
			Address: &sdp.Address{Address: ip}},
		TimeDescriptions:  []sdp.TimeDescription{{Timing: sdp.Timing{}}},
		MediaDescriptions: media,
	}
	sd.Origin.SessionVersion = 0
	body, err := sd.Marshal()
	if err != nil {
		return nil, fmt.Errorf("marshal sdp: %w", err)
	}
	if bump || string(body) != s.lastBody || s.sessVer == 0 {
		s.sessVer++
		s.lastBody = string(body)
	}
	sd.Origin.SessionVersion = s.sessVer
	return sd.Marshal()
}

func (s *Session) ourCodecs() []match {
	out := make([]match, len(s.codecs))
	for i, c := range s.codecs {
		out[i] = match{c, s.ourPTs[i]}
	}
	return out
}

// ourPT returns the payload type we offer for the codec called name.
func (s *Session) ourPT(name string) (uint8, bool) {
	for i, c := range s.codecs {
		if strings.EqualFold(c.Name, name) {
			return s.ourPTs[i], true
		}
	}
	return 0, false
}

// CreateOffer returns an SDP offer with our codecs in preference order,
// telephone-event and our current direction. Each call increments the o=
// version.
func (s *Session) CreateOffer() ([]byte, error) {
	if s.closed.Load() {
		return nil, ErrClosed
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	md := s.audioDescription(s.activeCodecs(), s.activeTE(), s.LocalDirection(), 20)
	b, err := s.marshal([]*sdp.MediaDescription{md}, true)
	if err != nil {
		return nil, err
	}
	s.offered = true
	s.listenOffered()
	return b, nil
}

// listenOffered makes a negotiated session decode every codec of the
// offer it just made, at our payload types, until the answer settles
// them: an offerer must be ready to receive what it offers as soon as
// the offer is out (RFC 3264 §8.3.2,
// https://www.rfc-editor.org/rfc/rfc3264#section-8.3.2), and a peer
// switching to a newly offered codec may send before its answer reaches
// us. Called with s.mu held.
func (s *Session) listenOffered() {
	old := s.params.Load()
	if old == nil {
		return
	}
	var p *mediaParams
	for _, c := range s.activeCodecs() {
		if old.decoders[c.pt] != nil || old.teRx[c.pt] != 0 {
			continue
		}
		plc, err := s.plcAt(c.info.ClockRate)
		if err != nil {
			continue
		}
		dec, err := c.info.NewDecoder()
		if err != nil {
			continue
		}
		if p == nil {
			cp := *old
			p = &cp
		}
		p.decoders[c.pt], p.decNames[c.pt], p.decRates[c.pt], p.decPLCs[c.pt] = dec, c.info.Name, int32(c.info.ClockRate), plc
	}
	if p != nil {
		s.params.Store(p)
	}
}

// SetRemoteAnswer validates and applies the peer's answer to our last offer.
// It may be called again with the same or an updated answer (early media in
// a 183, then the 200). The first codec in the answer becomes the send
// codec. A rejected audio stream (port 0) or no common codec yields
// ErrIncompatible.
func (s *Session) SetRemoteAnswer(answer []byte) error {
	if s.closed.Load() {
		return ErrClosed
	}
	sd, err := parseSDP(answer)
	if err != nil {
		return err
	}
	s.mu.Lock()
	if !s.offered {
		s.mu.Unlock()
		return ErrNoOffer
	}
	var md *sdp.MediaDescription
	for _, m := range sd.MediaDescriptions {
		if m.MediaName.Media == "audio" {
			md = m
			break
		}
	}
	if md == nil {
		s.mu.Unlock()
		return fmt.Errorf("%w: answer has no audio stream", ErrIncompatible)
	}
	if md.MediaName.Port.Value == 0 {
		s.mu.Unlock()
		return fmt.Errorf("%w: audio stream rejected by peer", ErrIncompatible)
	}
	r, err := parseAudio(sd, md)
	if err != nil {
		s.mu.Unlock()
		return err
	}
	common := s.matchTheirs(r)
	if len(common) == 0 {
		s.mu.Unlock()
		return fmt.Errorf("%w: answer has none of our codecs", ErrIncompatible)
	}
	changed, err := s.apply(r, common, true)
	s.mu.Unlock()
	if err != nil {
		return err
	}
	s.notifyRemoteDir(changed, r.effectiveDir())
	return nil
}

// ProcessOffer answers a peer's (re-)offer. It accepts the first usable
// audio stream and rejects every other m= line with port 0. It returns a
// wrapped ErrIncompatible when there is no audio stream, no common codec or
// only unsupported transports (the caller answers 488), and ErrBadSDP for
// unparsable input.
func (s *Session) ProcessOffer(offer []byte) ([]byte, error) {
	if s.closed.Load() {
		return nil, ErrClosed
	}
	sd, err := parseSDP(offer)
	if err != nil {
		return nil, err
	}
	chosen := -1
	var r remoteAudio
	var common []match
	reason := fmt.Errorf("%w: no audio stream offered", ErrIncompatible)
	for i, md := range sd.MediaDescriptions {
		if md.MediaName.Media != "audio" || md.MediaName.Port.Value == 0 {
			continue
		}
		ra, err := parseAudio(sd, md)
		if err != nil {
			reason = err
			continue
		}
		m := s.matchOurs(ra)
		if len(m) == 0 {
			reason = fmt.Errorf("%w: no common codec", ErrIncompatible)
			continue
		}
		chosen, r, common = i, ra, m
		break
	}
	if chosen < 0 {
		return nil, reason
	}
	s.mu.Lock()
	media := make([]*sdp.MediaDescription, len(sd.MediaDescriptions))
	for i, md := range sd.MediaDescriptions {
		if i == chosen {
			te := answerTE(r, common)
			// We offer 20 ms; answering, we ask for the packet length we
			// send (the offerer's, packetFrames): peers that cannot send
			// and receive different lengths keep theirs (RFC 3264 §6.1
			// allows either).
			media[i] = s.audioDescription(common, te, intersect(s.LocalDirection(), r.effectiveDir()), 20*r.packetFrames())
			continue
		}
		// RFC 3264 §6: a rejected stream keeps its formats with port 0.
		formats := md.MediaName.Formats
		if len(formats) == 0 {
			formats = []string{"0"}
		}
		media[i] = &sdp.MediaDescription{MediaName: sdp.MediaName{Media: md.MediaName.Media,
			Port: sdp.RangedPort{Value: 0}, Protos: md.MediaName.Protos, Formats: formats}}
	}
	answer, err := s.marshal(media, false)
	if err != nil {
		s.mu.Unlock()
		return nil, err
	}
	changed, err := s.apply(r, common, false)
	s.mu.Unlock()
	if err != nil {
		return nil, err
	}
	s.notifyRemoteDir(changed, r.effectiveDir())
	return answer, nil
}

// bitrateSetter is implemented by encoders with an adjustable bit rate
// (Opus), to honour the peer's maxaveragebitrate (RFC 7587 §6.1).
type bitrateSetter interface {
	Bitrate() int
	SetBitrate(bps int) error
}

// apply publishes negotiated parameters: a decoder for every codec of
// common, each at its own clock rate (the peer may send any of them, RFC
// 3264 §5.1, https://www.rfc-editor.org/rfc/rfc3264#section-5.1), the
// first one's encoder to send with, and the peer's telephone-event
// formats (we send the one at the send codec's rate, or its only one).
// Encoder and decoders of the same codec are kept across renegotiations,
// so a re-INVITE (hold, a new address) does not reset their state; one
// that changes the codec switches the encoder at the next frame. answer
// says common comes from an answer to our offer: decoders then also listen
// on the payload types we offered. Called with s.mu held; reports whether
// the remote direction changed.
func (s *Session) apply(r remoteAudio, common []match, answer bool) (bool, error) {
	rate := common[0].info.ClockRate
	plc, err := s.plcAt(rate)
	if err != nil {
		return false, err
	}
	p := &mediaParams{
		remoteRTP:    netip.AddrPortFrom(r.addr, uint16(r.port)),
		remoteRTCP:   netip.AddrPortFrom(r.addr, uint16(r.rtcpPort)),
		latch:        r.addr.IsUnspecified(),
		sendName:     common[0].info.Name,
		sendPT:       common[0].pt,
		rate:         rate,
		frame:        rate / 50,
		plc:          plc,
		packetFrames: r.packetFrames(),
		tePT:         -1,
		remoteDir:    r.effectiveDir(),
	}
	if te, ok := r.telephoneEventAt(rate); ok {
		p.tePT, p.teRate = int(te.pt), te.rate
	}
	for _, t := range r.te {
		p.teRx[t.pt] = int32(t.rate)
	}
	old := s.params.Load()
	if old != nil && old.enc != nil && strings.EqualFold(old.sendName, p.sendName) {
		p.enc = old.enc
	}
	decoder := func(info codec.Info, pt uint8) {
		if p.decoders[pt] != nil || p.teRx[pt] != 0 {
			return
		}
		dplc, err := s.plcAt(info.ClockRate)
		if err != nil {
			return
		}
		if old != nil && old.decoders[pt] != nil && strings.EqualFold(old.decNames[pt], info.Name) {
			p.decoders[pt], p.decNames[pt] = old.decoders[pt], info.Name
		} else if dec, err := info.NewDecoder(); err == nil {
			p.decoders[pt], p.decNames[pt] = dec, info.Name
		} else {
			s.log.Error("codec decoder failed", "codec", info.Name, "err", err)
			return
		}
		p.decRates[pt], p.decPLCs[pt] = int32(info.ClockRate), dplc
	}
	for _, c := range common {
		if p.enc == nil {
			if enc, err := c.info.NewEncoder(); err == nil {
				p.enc = enc
			} else {
				s.log.Error("codec encoder failed", "codec", c.info.Name, "err", err)
			}
		}
		decoder(c.info, c.pt)
	}
	if answer {
		for _, c := range common {
			if ours, ok := s.ourPT(c.info.Name); ok && ours != c.pt {
				decoder(c.info, ours)
			}
		}
		for _, t := range s.ourTE {
			if p.teRx[t.pt] == 0 && p.decoders[t.pt] == nil && slices.ContainsFunc(r.te, func(o offeredFormat) bool { return o.rate == t.rate }) {
				p.teRx[t.pt] = int32(t.rate)
			}
		}
	}
	if p.enc == nil {
		return false, fmt.Errorf("%w: no encoder for %s", ErrIncompatible, p.sendName)
	}
	if bs, ok := p.enc.(bitrateSetter); ok {
		if max := r.maxAverageBitrate(p.sendPT); max > 0 && bs.Bitrate() > max {
			if err := bs.SetBitrate(max); err != nil {
				s.log.Warn("peer's maxaveragebitrate not applied", "bps", max, "err", err)
			}
		}
	}
	if old == nil || old.remoteRTP != p.remoteRTP {
		s.latched.Store(nil)
	}
	s.params.Store(p)
	changed := s.remoteDir != p.remoteDir
	s.remoteDir = p.remoteDir
	s.log.Debug("media negotiated", "remote", p.remoteRTP, "codec", p.sendName, "rate", p.rate, "ptime", 20*p.packetFrames,
		"remoteDir", string(p.remoteDir), "tePT", p.tePT)
	return changed, nil
}

func (s *Session) notifyRemoteDir(changed bool, d Direction) {
	if changed && s.opt.onRemoteDir != nil {
		s.opt.onRemoteDir(d)
	}
}
