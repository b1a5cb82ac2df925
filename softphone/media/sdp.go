package media

// SDP offer/answer: RFC 3264 (https://www.rfc-editor.org/rfc/rfc3264),
// RFC 4566 (https://www.rfc-editor.org/rfc/rfc4566), telephone-event per
// RFC 4733 §7 (https://www.rfc-editor.org/rfc/rfc4733#section-7).

import (
	"fmt"
	"net/netip"
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
	tePT     int
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
	if d, ok := directionOf(md.Attributes); ok {
		r.dir = d
	} else if d, ok := directionOf(sd.Attributes); ok {
		r.dir = d
	} else {
		r.dir = DirSendRecv
	}
	rtpmap := map[uint8]offeredFormat{}
	for _, a := range md.Attributes {
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
	r.tePT = -1
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
		if strings.EqualFold(of.name, telephoneEvent) && of.rate == 8000 && r.tePT < 0 {
			r.tePT = pt
			continue
		}
		r.formats = append(r.formats, of)
	}
	return r, nil
}

// matchOurs returns the common codecs in our preference order, using the
// peer's payload type numbers.
func (s *Session) matchOurs(r remoteAudio) []match {
	var out []match
	for _, info := range s.codecs {
		for _, f := range r.formats {
			if strings.EqualFold(f.name, info.Name) && f.rate == info.ClockRate {
				out = append(out, match{info, f.pt})
				break
			}
		}
	}
	return out
}

// matchTheirs returns the common codecs in the peer's order (for answers).
func (s *Session) matchTheirs(r remoteAudio) []match {
	var out []match
	for _, f := range r.formats {
		for _, info := range s.codecs {
			if strings.EqualFold(f.name, info.Name) && f.rate == info.ClockRate {
				out = append(out, match{info, f.pt})
				break
			}
		}
	}
	return out
}

// audioDescription builds our m=audio section.
func (s *Session) audioDescription(codecs []match, tePT int, dir Direction) *sdp.MediaDescription {
	md := &sdp.MediaDescription{MediaName: sdp.MediaName{
		Media: "audio", Port: sdp.RangedPort{Value: int(s.local.Port())}, Protos: []string{"RTP", "AVP"},
	}}
	for _, c := range codecs {
		md.MediaName.Formats = append(md.MediaName.Formats, strconv.Itoa(int(c.pt)))
		md.Attributes = append(md.Attributes, sdp.NewAttribute("rtpmap",
			fmt.Sprintf("%d %s/%d", c.pt, c.info.Name, c.info.ClockRate)))
	}
	if tePT >= 0 {
		md.MediaName.Formats = append(md.MediaName.Formats, strconv.Itoa(tePT))
		md.Attributes = append(md.Attributes,
			sdp.NewAttribute("rtpmap", fmt.Sprintf("%d %s/8000", tePT, telephoneEvent)),
			sdp.NewAttribute("fmtp", fmt.Sprintf("%d 0-16", tePT)))
	}
	md.Attributes = append(md.Attributes, sdp.NewAttribute("ptime", "20"), sdp.NewPropertyAttribute(dir.String()))
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
		out[i] = match{c, c.PayloadType}
	}
	return out
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
	md := s.audioDescription(s.ourCodecs(), int(s.cfg.DTMFPayloadType), s.LocalDirection())
	b, err := s.marshal([]*sdp.MediaDescription{md}, true)
	if err != nil {
		return nil, err
	}
	s.offered = true
	return b, nil
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
	changed := s.apply(r, common)
	s.mu.Unlock()
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
			media[i] = s.audioDescription(common, r.tePT, intersect(s.LocalDirection(), r.effectiveDir()))
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
	changed := s.apply(r, common)
	s.mu.Unlock()
	s.notifyRemoteDir(changed, r.effectiveDir())
	return answer, nil
}

// apply publishes negotiated parameters. Called with s.mu held; reports
// whether the remote direction changed.
func (s *Session) apply(r remoteAudio, common []match) bool {
	p := &mediaParams{
		remoteRTP:  netip.AddrPortFrom(r.addr, uint16(r.port)),
		remoteRTCP: netip.AddrPortFrom(r.addr, uint16(r.rtcpPort)),
		latch:      r.addr.IsUnspecified(),
		sendName:   common[0].info.Name,
		sendPT:     common[0].pt,
		tePT:       r.tePT,
		remoteDir:  r.effectiveDir(),
	}
	for _, c := range common {
		if enc, err := c.info.NewEncoder(); err == nil && p.enc == nil {
			p.enc = enc
		}
		if dec, err := c.info.NewDecoder(); err == nil {
			p.decoders[c.pt] = dec
		}
	}
	if old := s.params.Load(); old == nil || old.remoteRTP != p.remoteRTP {
		s.latched.Store(nil)
	}
	s.params.Store(p)
	changed := s.remoteDir != p.remoteDir
	s.remoteDir = p.remoteDir
	s.log.Debug("media negotiated", "remote", p.remoteRTP, "codec", p.sendName, "remoteDir", string(p.remoteDir), "tePT", p.tePT)
	return changed
}

func (s *Session) notifyRemoteDir(changed bool, d Direction) {
	if changed && s.opt.onRemoteDir != nil {
		s.opt.onRemoteDir(d)
	}
}
