//go:build linux

package webrtctest

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/http"
	"net/netip"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pion/ice/v4"
	"github.com/pion/interceptor"
	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"

	"github.com/pitchline/pitchline/audio/codec"
	"github.com/pitchline/pitchline/audio/dsp"
	"github.com/pitchline/pitchline/audio/tone"
	"github.com/pitchline/pitchline/internal/testlab"
	"github.com/pitchline/pitchline/softphone"
	pwebrtc "github.com/pitchline/pitchline/softphone/media/webrtc"
	"github.com/pitchline/pitchline/softphone/webjoin"
)

// lanHandler answers a join with a Peer gathering ICE on the LAN address
// only, sending goTone and recording into hears.
type lanHandler struct {
	lan    netip.Addr
	hears  *toneSink
	joined chan *pwebrtc.Peer
}

func (h *lanHandler) Join(ctx context.Context, j webjoin.Join) (string, io.Closer, error) {
	p, answer, err := pwebrtc.NewPeer(ctx, j.OfferSDP, pwebrtc.WithICEAddresses(h.lan))
	if err != nil {
		return "", nil, err
	}
	src, err := tone.NewSine(goTone, 0.5, pwebrtc.Rate)
	if err != nil {
		_ = p.Close()
		return "", nil, err
	}
	p.SetInput(src)
	p.SetOutput(h.hears)
	h.joined <- p
	return answer, p, nil
}

// lanClient is a pion PeerConnection standing in for a browser on another
// LAN host: ICE on one non-loopback address, real Opus both ways.
type lanClient struct {
	pc        *webrtc.PeerConnection
	track     *webrtc.TrackLocalStaticRTP
	connected chan struct{}
	stop      chan struct{}
	wg        sync.WaitGroup
	closing   sync.Once
}

func newLANClient(t *testing.T, ip netip.Addr, hear interface{ WriteFrame([]int16) error }) *lanClient {
	t.Helper()
	m := &webrtc.MediaEngine{}
	if err := m.RegisterCodec(webrtc.RTPCodecParameters{RTPCodecCapability: webrtc.RTPCodecCapability{
		MimeType: webrtc.MimeTypeOpus, ClockRate: 48000, Channels: 2, SDPFmtpLine: "minptime=10;useinbandfec=1"},
		PayloadType: 111}, webrtc.RTPCodecTypeAudio); err != nil {
		t.Fatal(err)
	}
	ir := &interceptor.Registry{}
	if err := webrtc.RegisterDefaultInterceptors(m, ir); err != nil {
		t.Fatal(err)
	}
	var s webrtc.SettingEngine
	s.SetIPFilter(func(a net.IP) bool { x, ok := netip.AddrFromSlice(a); return ok && x.Unmap() == ip })
	s.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
	s.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	pc, err := webrtc.NewAPI(webrtc.WithMediaEngine(m), webrtc.WithInterceptorRegistry(ir), webrtc.WithSettingEngine(s)).
		NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		t.Fatal(err)
	}
	c := &lanClient{pc: pc, connected: make(chan struct{}), stop: make(chan struct{})}
	var once sync.Once
	pc.OnConnectionStateChange(func(st webrtc.PeerConnectionState) {
		if st == webrtc.PeerConnectionStateConnected {
			once.Do(func() { close(c.connected) })
		}
	})
	c.track, err = webrtc.NewTrackLocalStaticRTP(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeOpus, ClockRate: 48000, Channels: 2}, "mic", "lan")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pc.AddTransceiverFromTrack(c.track, webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionSendrecv}); err != nil {
		t.Fatal(err)
	}
	opus, err := codec.Lookup("opus")
	if err != nil {
		t.Fatal(err)
	}
	dec, err := opus.NewDecoder()
	if err != nil {
		t.Fatal(err)
	}
	pc.OnTrack(func(tr *webrtc.TrackRemote, _ *webrtc.RTPReceiver) {
		pcm := make([]int16, 5760)
		for {
			p, _, err := tr.ReadRTP()
			if err != nil {
				return
			}
			if n := dec.Decode(pcm, p.Payload); n > 0 {
				_ = hear.WriteFrame(pcm[:n])
			}
		}
	})
	return c
}

// offer gathers every candidate and returns the complete offer (no
// trickle, as the join page does).
func (c *lanClient) offer(ctx context.Context, t *testing.T) string {
	t.Helper()
	o, err := c.pc.CreateOffer(nil)
	if err != nil {
		t.Fatal(err)
	}
	g := webrtc.GatheringCompletePromise(c.pc)
	if err := c.pc.SetLocalDescription(o); err != nil {
		t.Fatal(err)
	}
	select {
	case <-g:
	case <-ctx.Done():
		t.Fatal("ICE gathering did not complete")
	}
	return c.pc.LocalDescription().SDP
}

// sendTone sends freq Hz as real Opus, 20 ms a packet in real time.
func (c *lanClient) sendTone(t *testing.T, freq float64) {
	t.Helper()
	gen, err := tone.NewSine(freq, 0.5, pwebrtc.Rate)
	if err != nil {
		t.Fatal(err)
	}
	opus, err := codec.Lookup("opus")
	if err != nil {
		t.Fatal(err)
	}
	enc, err := opus.NewEncoder()
	if err != nil {
		t.Fatal(err)
	}
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		tk := time.NewTicker(20 * time.Millisecond)
		defer tk.Stop()
		pcm := make([]int16, pwebrtc.Rate/50)
		buf := make([]byte, 1500)
		pkt := rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 111}}
		for i := 0; ; i++ {
			select {
			case <-c.stop:
				return
			case <-tk.C:
			}
			_ = gen.ReadFrame(pcm)
			n := enc.Encode(buf, pcm)
			if n == 0 {
				continue
			}
			pkt.SequenceNumber, pkt.Timestamp, pkt.Payload = uint16(i), uint32(i*len(pcm)), buf[:n]
			_ = c.track.WriteRTP(&pkt)
		}
	}()
}

// checkPair checks that the connected client's selected ICE pair runs
// from testlab.LANPeerAddr to lan.
func (c *lanClient) checkPair(t *testing.T, lan netip.Addr) {
	t.Helper()
	pair, err := c.pc.GetSenders()[0].Transport().ICETransport().GetSelectedCandidatePair()
	if err != nil || pair == nil {
		t.Fatalf("selected candidate pair: %v %v", pair, err)
	}
	t.Logf("selected pair: %s", pair)
	if pair.Local.Address != testlab.LANPeerAddr.String() || pair.Remote.Address != lan.String() {
		t.Errorf("selected pair %s, want %s -> %s", pair, testlab.LANPeerAddr, lan)
	}
}

func (c *lanClient) close() {
	c.closing.Do(func() {
		close(c.stop)
		c.wg.Wait()
		_ = c.pc.Close()
	})
}

// TestJoinLinkOnLAN serves a join link on a non-loopback address, end to
// end, in a network namespace of its own (testlab.InNetns: a veth pair
// with 10.9.0.1 and 10.9.0.2, nothing else reachable). webjoin refuses the
// LAN address without the explicit LAN setting (ErrNotLoopback) and
// without a certificate (ErrTLSRequired); with both, the link is
// https://10.9.0.1:PORT/join/…, a client trusting the test CA fetches the
// page (one trusting only the system's roots is refused), POSTs its offer
// WHIP-style, ICE connects 10.9.0.2 to 10.9.0.1 (never loopback), each
// side hears the other's tone in real Opus and not its own, Leave
// (DELETE) closes the Peer, and no goroutine is left.
func TestJoinLinkOnLAN(t *testing.T) {
	lan, inside := testlab.InNetns(t, 4*time.Minute)
	if !inside {
		return
	}
	if err := webjoin.CheckAddress(lan, true); err != nil {
		t.Fatalf("CheckAddress(%s, lan): %v", lan, err)
	}
	before := runtime.NumGoroutine()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	dir := t.TempDir()
	ca := testlab.NewTestCA(t, dir)
	cert := ca.IssueServer(t, dir, "lan", lan.String())
	addr := netip.AddrPortFrom(lan, 0).String()
	h := &lanHandler{lan: lan, hears: newToneSink(browserTone, goTone), joined: make(chan *pwebrtc.Peer, 1)}

	// The explicit setting and the certificate are both needed.
	for name, tc := range map[string]struct {
		opts []webjoin.Option
		want error
	}{
		"no LAN setting":           {nil, webjoin.ErrNotLoopback},
		"TLS without LAN setting":  {[]webjoin.Option{webjoin.WithTLS(cert.CertFile, cert.KeyFile)}, webjoin.ErrNotLoopback},
		"LAN setting without TLS":  {[]webjoin.Option{webjoin.WithLAN()}, webjoin.ErrTLSRequired},
		"LAN setting, unspecified": {[]webjoin.Option{webjoin.WithLAN(), webjoin.WithTLS(cert.CertFile, cert.KeyFile)}, webjoin.ErrInvalidConfig},
	} {
		a := addr
		if name == "LAN setting, unspecified" {
			a = "0.0.0.0:0"
		}
		if s, err := webjoin.New(a, h, tc.opts...); !errors.Is(err, tc.want) {
			if s != nil {
				_ = s.Close()
			}
			t.Errorf("%s: New(%s): %v, want %v", name, a, err, tc.want)
		}
	}
	info, err := webjoin.CheckTLS(cert.CertFile, cert.KeyFile)
	if err != nil {
		t.Fatal(err)
	}
	if err := info.Covers(lan); err != nil {
		t.Fatal(err)
	}

	srv, err := webjoin.New(addr, h, webjoin.WithLAN(), webjoin.WithTLS(cert.CertFile, cert.KeyFile))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = srv.Close() }()
	if srv.Loopback() {
		t.Errorf("server on %s says it is on loopback", srv.URL())
	}
	link, err := srv.CreateLink("call-lan", 0)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(link, "https://"+lan.String()+":") || !strings.Contains(link, "/join/") {
		t.Fatalf("link %q, want https://%s:PORT/join/…", link, lan)
	}

	// A browser that does not trust the user's certificate refuses it.
	untrusted := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{MinVersion: tls.VersionTLS12}}}
	if resp, err := untrusted.Get(link); err == nil {
		_ = resp.Body.Close()
		t.Errorf("a client without the test CA fetched %s", link)
	} else if ve := (*tls.CertificateVerificationError)(nil); !errors.As(err, &ve) {
		t.Errorf("a client without the test CA: %v, want a certificate verification error", err)
	}
	untrusted.CloseIdleConnections()

	tr := lanTransport(ca, lan)
	defer tr.CloseIdleConnections()
	hc := &http.Client{Transport: tr, Timeout: time.Minute}
	req := func(method, url, ctype, body string) (*http.Response, string) {
		t.Helper()
		r, err := http.NewRequestWithContext(ctx, method, url, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		if ctype != "" {
			r.Header.Set("Content-Type", ctype)
		}
		resp, err := hc.Do(r)
		if err != nil {
			t.Fatalf("%s %s: %v", method, url, err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatalf("%s %s: %v", method, url, err)
		}
		return resp, string(b)
	}
	resp, page := req("GET", link, "", "")
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, "/assets/join.js") || resp.TLS == nil {
		t.Fatalf("join page over HTTPS: %d (TLS %v) %q", resp.StatusCode, resp.TLS != nil, page)
	}

	hearsGo := newToneSink(goTone, browserTone)
	c := newLANClient(t, testlab.LANPeerAddr, hearsGo)
	defer c.close()
	offer := c.offer(ctx, t)
	if !strings.Contains(offer, " "+testlab.LANPeerAddr.String()+" ") || strings.Contains(offer, " 127.0.0.1 ") {
		t.Fatalf("the client's offer should carry a host candidate on %s only:\n%s", testlab.LANPeerAddr, offer)
	}
	resp, answer := req("POST", strings.Replace(link, "/join/", "/whip/", 1), "application/sdp", offer)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("offer: %d %q", resp.StatusCode, answer)
	}
	session := resp.Header.Get("Location")
	if !strings.Contains(answer, " "+lan.String()+" ") || strings.Contains(answer, " 127.0.0.1 ") {
		t.Fatalf("the answer should carry a host candidate on %s only:\n%s", lan, answer)
	}
	var peer *pwebrtc.Peer
	select {
	case peer = <-h.joined:
	case <-ctx.Done():
		t.Fatal("the handler never got the join")
	}
	defer func() { _ = peer.Close() }()
	if err := c.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: answer}); err != nil {
		t.Fatal(err)
	}
	select {
	case <-c.connected:
	case <-ctx.Done():
		t.Fatalf("ICE/DTLS never connected; peer state %s", peer.State())
	}
	c.checkPair(t, lan)

	c.sendTone(t, browserTone)
	for what, s := range map[string]*toneSink{"the Peer (browser's 660 Hz)": h.hears, "the client (Peer's 1000 Hz)": hearsGo} {
		select {
		case <-s.heard:
		case <-ctx.Done():
			t.Fatalf("%s never heard its tone; peer stats %+v", what, peer.Stats())
		}
		s.mu.Lock()
		if s.wrong {
			t.Errorf("%s heard its own tone back", what)
		}
		s.mu.Unlock()
	}

	// Leave: DELETE the session, which closes the Peer.
	if resp, body := req("DELETE", srv.URL()+session, "", ""); resp.StatusCode/100 != 2 {
		t.Errorf("DELETE %s: %d %q", session, resp.StatusCode, body)
	}
	select {
	case <-peer.Done():
	case <-ctx.Done():
		t.Fatalf("DELETE did not close the Peer; state %s", peer.State())
	}

	c.close()
	if err := srv.Close(); err != nil {
		t.Errorf("server Close: %v", err)
	}
	tr.CloseIdleConnections()
	testlab.CheckNoGoroutineLeak(t, before)
}

// lanTransport is an HTTPS client transport from testlab.LANPeerAddr (as
// from another computer) that trusts only ca and verifies the name lan.
func lanTransport(ca *testlab.TestCA, lan netip.Addr) *http.Transport {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: testlab.LANPeerAddr.AsSlice()}, Timeout: time.Minute}
	return &http.Transport{DialContext: d.DialContext, TLSClientConfig: ca.ClientTLSConfig(lan.String())}
}

// getJoinPage fetches link with hc and fails the test unless it is the
// join page, served over TLS.
func getJoinPage(ctx context.Context, t *testing.T, hc *http.Client, link string) {
	t.Helper()
	r, err := http.NewRequestWithContext(ctx, "GET", link, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := hc.Do(r)
	if err != nil {
		t.Fatalf("GET %s: %v", link, err)
	}
	defer resp.Body.Close()
	page, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || resp.TLS == nil || !strings.Contains(string(page), "/assets/join.js") {
		t.Fatalf("join page: %d (TLS %v) %q", resp.StatusCode, resp.TLS != nil, page)
	}
}

// postOffer POSTs offer to link's WHIP endpoint and returns the answer.
func postOffer(ctx context.Context, t *testing.T, hc *http.Client, link, offer string) string {
	t.Helper()
	r, err := http.NewRequestWithContext(ctx, "POST", strings.Replace(link, "/join/", "/whip/", 1), strings.NewReader(offer))
	if err != nil {
		t.Fatal(err)
	}
	r.Header.Set("Content-Type", "application/sdp")
	resp, err := hc.Do(r)
	if err != nil {
		t.Fatalf("POST offer: %v", err)
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("offer: %d %q", resp.StatusCode, answer)
	}
	return string(answer)
}

// TestEngineJoinLinkOnLAN is TestEngineBrowserLeg's path on a LAN
// address, in a network namespace of its own (testlab.InNetns; Kamailio
// and baresip on the namespace's loopback): the rep (1000 Hz) calls bob
// (baresip, 400 Hz); Phone.BrowserJoins, its Peers gathering on 10.9.0.1,
// serves a link on https://10.9.0.1:PORT with WithLAN and the test
// certificate; a pion client on 10.9.0.2 trusting the test CA joins by the
// link as participant "Dana" over the 10.9.0.2↔10.9.0.1 pair, sending
// 660 Hz in Opus. The rep hears the client and bob, the client hears the
// rep and bob (mix-minus: not itself); removing the leg ends it only; no
// goroutine is left.
func TestEngineJoinLinkOnLAN(t *testing.T) {
	lan, inside := testlab.InNetns(t, 4*time.Minute)
	if !inside {
		return
	}
	k := testlab.StartKamailio(t)
	testlab.StartBaresip(t, "bob", testlab.WithAccount("bob", k.Password("bob"), k.Addr(), "udp"), testlab.WithTone(bobTone))
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	if _, err := k.WaitRegistered(ctx, "bob"); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	ca := testlab.NewTestCA(t, dir)
	cert := ca.IssueServer(t, dir, "lan", lan.String())

	before := runtime.NumGoroutine()
	rc := startRepCall(ctx, t, k)
	rate, spk, ev, call := softphone.BusRate(), rc.spk, rc.ev, rc.call

	srv, err := webjoin.New(netip.AddrPortFrom(lan, 0).String(), rc.p.BrowserJoins(pwebrtc.WithICEAddresses(lan)),
		webjoin.WithLAN(), webjoin.WithTLS(cert.CertFile, cert.KeyFile))
	if err != nil {
		t.Fatal(err)
	}
	link, err := srv.CreateLink(call.ID(), 0, webjoin.WithName("Dana"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(link, "https://"+lan.String()+":") {
		t.Fatalf("link %q, want https://%s:PORT/join/…", link, lan)
	}
	tr := lanTransport(ca, lan)
	hc := &http.Client{Transport: tr, Timeout: time.Minute}
	getJoinPage(ctx, t, hc, link)

	heard := newSpeaker(pwebrtc.Rate)
	c := newLANClient(t, testlab.LANPeerAddr, heard)
	defer c.close()
	answer := postOffer(ctx, t, hc, link, c.offer(ctx, t))
	if err := c.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: answer}); err != nil {
		t.Fatal(err)
	}
	in := ev.wait(ctx, t, "the client's leg", func(e softphone.LegEvent) bool {
		return e.Kind == softphone.LegWebRTC && e.State.Talking()
	})
	if in.Remote != "Dana" || in.CallID != call.ID() {
		t.Errorf("browser leg %+v: want Dana in call %s", in.LegInfo, call.ID())
	}
	select {
	case <-c.connected:
	case <-ctx.Done():
		t.Fatal("the client never connected")
	}
	c.checkPair(t, lan)
	c.sendTone(t, browserTone)

	// The rep hears the client (once its audio is in the mix) and bob.
	half := rate / 2
	var w []int16
	for from := spk.mark(); ; from += half {
		w = spk.window(ctx, t, from, half)
		if dsp.Goertzel(w, rate, browserTone) >= 1e-3 {
			break
		}
	}
	hears(t, "rep (client in)", w, rate, []float64{browserTone, bobTone}, []float64{repTone})
	// The client hears the rep and bob, not itself.
	cw := heard.window(ctx, t, heard.mark(), pwebrtc.Rate/2)
	hears(t, "client", cw, pwebrtc.Rate, []float64{repTone, bobTone}, []float64{browserTone})

	if err := call.RemoveLeg(in.ID); err != nil {
		t.Fatal(err)
	}
	ev.wait(ctx, t, "the client's leg ended", func(e softphone.LegEvent) bool { return e.ID == in.ID && e.State == softphone.LegEnded })
	if legs := call.Legs(); len(legs) != 1 || legs[0].Kind() != softphone.LegSIP {
		t.Errorf("after the client left, call legs %d, want bob's only", len(legs))
	}
	c.close()
	if err := call.EndAll(); err != nil {
		t.Fatal(err)
	}
	<-call.Done()
	if err := srv.Close(); err != nil {
		t.Errorf("server Close: %v", err)
	}
	tr.CloseIdleConnections()
	rc.close(t)
	testlab.CheckNoGoroutineLeak(t, before)
}
