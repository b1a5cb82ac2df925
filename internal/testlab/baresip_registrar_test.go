package testlab

import (
	"context"
	"strings"
	"testing"
	"time"
)

// TestBaresipViaKamailio registers two peers (UDP and TCP) at a Kamailio
// registrar with digest auth and calls from one to the other through it.
func TestBaresipViaKamailio(t *testing.T) {
	k := StartKamailio(t)
	alice := StartBaresip(t, "alice", WithAccount("alice", k.Password("alice"), k.Addr(), "udp"), WithTone(1000))
	bob := StartBaresip(t, "bob", WithAccount("bob", k.Password("bob"), k.Addr(), "tcp"), WithTone(400))
	if want := "sip:bob@" + k.Addr(); bob.AOR() != want {
		t.Fatalf("AOR %q, want %q", bob.AOR(), want)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	ma, mb := alice.Mark(), bob.Mark()
	if _, err := alice.Command(ctx, "dial", k.URI("bob")); err != nil {
		t.Fatal(err)
	}
	in, err := bob.WaitEventAfter(ctx, mb, "CALL_ESTABLISHED")
	if err != nil {
		t.Fatalf("bob: %v", err)
	}
	if !strings.Contains(in.PeerURI, "alice@") || !strings.Contains(in.AccountAOR, "bob@") {
		t.Errorf("bob's event: peer %q account %q", in.PeerURI, in.AccountAOR)
	}
	if _, err := alice.WaitEventAfter(ctx, ma, "CALL_ESTABLISHED"); err != nil {
		t.Fatalf("alice: %v", err)
	}
	// Hold and resume are re-INVITEs through the proxy; each side sees the
	// other's new SDP.
	for _, cmd := range []string{"hold", "resume"} {
		mb = bob.Mark()
		if _, err := alice.Command(ctx, cmd, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := bob.WaitEventAfter(ctx, mb, "CALL_REMOTE_SDP"); err != nil {
			t.Fatalf("bob after %s: %v", cmd, err)
		}
	}
	mb = bob.Mark()
	if _, err := alice.Command(ctx, "hangup", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := bob.WaitEventAfter(ctx, mb, "CALL_CLOSED"); err != nil {
		t.Fatalf("bob: %v", err)
	}
}

func TestBaresipWrongPassword(t *testing.T) {
	k := StartKamailio(t)
	_, err := startBaresip(t, "carol", WithAccount("carol", "wrong-"+k.Password("carol"), k.Addr(), "udp"))
	if err == nil || !strings.Contains(err.Error(), "REGISTER of sip:carol@") {
		t.Fatalf("start with a wrong password: %v, want a REGISTER failure", err)
	}
	t.Log(err)
}
