package webrtc_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/pion/webrtc/v4"

	"github.com/pitchline/pitchline/audio/tone"
	pwebrtc "github.com/pitchline/pitchline/softphone/media/webrtc"
)

type discard struct{}

func (discard) Rate() int                { return pwebrtc.Rate }
func (discard) WriteFrame([]int16) error { return nil }

// BenchmarkPeerTick measures one externally clocked media frame of a
// connected Peer (read input, encode with the stand-in codec, send through
// pion's interceptors and SRTP, pop/decode/conceal, write output). The
// stand-in browser leaves its packets unread, so allocs/op is the send
// side's: 0 once pion's sync.Pools are warm.
func BenchmarkPeerTick(b *testing.B) {
	t := &testing.T{}
	br := newBrowserLike(t, nil)
	defer br.close()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	connected := make(chan struct{})
	var once sync.Once
	peer, answer, err := pwebrtc.NewPeer(ctx, br.offer(t), pwebrtc.WithExternalClock(),
		pwebrtc.WithOnState(func(s pwebrtc.State) {
			if s == pwebrtc.StateConnected {
				once.Do(func() { close(connected) })
			}
		}))
	if err != nil {
		b.Fatal(err)
	}
	defer peer.Close()
	if err := br.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: answer}); err != nil {
		b.Fatal(err)
	}
	select {
	case <-connected:
	case <-ctx.Done():
		b.Fatal("never connected")
	}
	src, _ := tone.NewSine(1000, 0.5, pwebrtc.Rate)
	peer.SetInput(src)
	peer.SetOutput(discard{})
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		peer.Tick()
	}
	b.StopTimer()
	if peer.Stats().PacketsSent == 0 {
		b.Fatal("nothing sent")
	}
}
