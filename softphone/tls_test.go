package softphone_test

import (
	"strings"
	"testing"
	"time"

	"github.com/pitchline/pitchline/internal/testlab"
	"github.com/pitchline/pitchline/softphone"
)

// TestTLSRegisterAndCall registers over TLS to Kamailio's TLS port,
// verifying its certificate against the test CA, and calls baresip
// (registered over UDP) through it; audio flows both ways.
func TestTLSRegisterAndCall(t *testing.T) {
	k := testlab.StartKamailio(t)
	testlab.StartBaresip(t, "bob", testlab.WithAccount("bob", k.Password("bob"), k.Addr(), "udp"), testlab.WithTone(400))
	p, ev := newPhone(t, k, "carol", phoneOpt{transport: "tls", host: k.TLSAddr(), caFile: k.CAFile(), play: toneWAV(t, 1000)})
	waitRegistered(t, ev)
	contacts, err := k.WaitRegistered(ctx(t, 5*time.Second), "carol")
	if err != nil || !strings.Contains(strings.Join(contacts, " "), "transport=tls") {
		t.Fatalf("registrar contact for carol %v (%v): want a TLS contact", contacts, err)
	}
	if _, err := k.WaitRegistered(ctx(t, 10*time.Second), "bob"); err != nil {
		t.Fatal(err)
	}
	m := ev.mark()
	call, err := p.Dial(ctx(t, 30*time.Second), "bob")
	if err != nil {
		t.Fatal(err)
	}
	ev.callState(t, m, call.ID(), softphone.CallConnected, 10*time.Second)
	st := ev.statsAtLeast(t, m, call.ID(), 50, 10*time.Second)
	if st.Stats.PacketsSent == 0 {
		t.Errorf("no RTP sent: %+v", st.Stats)
	}
	if err := call.Hangup(); err != nil {
		t.Fatal(err)
	}
	ev.callState(t, m, call.ID(), softphone.CallEnded, 5*time.Second)
}

// TestTLSUntrustedCertificate registers over TLS without the test CA: the
// registrar's certificate does not verify and the reason says so.
func TestTLSUntrustedCertificate(t *testing.T) {
	k := testlab.StartKamailio(t)
	_, ev := newPhone(t, k, "carol", phoneOpt{transport: "tls", host: k.TLSAddr()})
	e := ev.wait(t, 0, 15*time.Second, "registration failure", func(e softphone.Event) bool {
		r, ok := e.(softphone.RegistrationEvent)
		return ok && r.State == softphone.RegFailed
	}).(softphone.RegistrationEvent)
	if !strings.Contains(e.Reason, "certificate") {
		t.Errorf("reason %q should name the certificate problem", e.Reason)
	}
}

// TestTLSInbound: baresip calls carol, who registered over TLS. The
// registrar reaches her over the TLS connection she opened (connection
// reuse), since a desktop phone has no server certificate of its own.
func TestTLSInbound(t *testing.T) {
	k := testlab.StartKamailio(t)
	bob := testlab.StartBaresip(t, "bob", testlab.WithAccount("bob", k.Password("bob"), k.Addr(), "udp"), testlab.WithTone(400))
	p, ev := newPhone(t, k, "carol", phoneOpt{transport: "tls", host: k.TLSAddr(), caFile: k.CAFile()})
	waitRegistered(t, ev)
	if _, err := k.WaitRegistered(ctx(t, 10*time.Second), "bob"); err != nil {
		t.Fatal(err)
	}
	if _, err := bob.Command(ctx(t, 5*time.Second), "dial", k.URI("carol")); err != nil {
		t.Fatal(err)
	}
	in := ev.callState(t, 0, "", softphone.CallIncoming, 10*time.Second)
	call, err := p.Call(in.CallID)
	if err != nil {
		t.Fatal(err)
	}
	if err := call.Answer(); err != nil {
		t.Fatal(err)
	}
	ev.callState(t, 0, in.CallID, softphone.CallConnected, 10*time.Second)
	ev.statsAtLeast(t, 0, in.CallID, 50, 10*time.Second)
	m := ev.mark()
	if _, err := bob.Command(ctx(t, 5*time.Second), "hangup", ""); err != nil {
		t.Fatal(err)
	}
	end := ev.callState(t, m, in.CallID, softphone.CallEnded, 5*time.Second)
	if end.Cause != softphone.CauseRemoteHangup {
		t.Errorf("BYE over the reused TLS connection: end %+v", end)
	}
}

// TestCancelThroughOutboundProxy: the AOR's domain has no port (as with a
// real provider's domain) and every request goes through an outbound
// proxy. Hanging up while ringing must send the CANCEL to the proxy too,
// not to the domain's default port.
func TestCancelThroughOutboundProxy(t *testing.T) {
	k := testlab.StartKamailio(t)
	bob := testlab.StartBaresip(t, "bob", testlab.WithAccount("bob", k.Password("bob"), k.Addr(), "udp"),
		testlab.WithAnswerMode("manual"))
	p, ev := newPhone(t, k, "carol", phoneOpt{host: "127.0.0.1", proxy: "sip:" + k.Addr()})
	waitRegistered(t, ev)
	if _, err := k.WaitRegistered(ctx(t, 10*time.Second), "bob"); err != nil {
		t.Fatal(err)
	}
	m := ev.mark()
	bm := bob.Mark()
	call, err := p.Dial(ctx(t, 30*time.Second), "bob")
	if err != nil {
		t.Fatal(err)
	}
	ev.callState(t, m, call.ID(), softphone.CallRinging, 10*time.Second)
	if err := call.Hangup(); err != nil {
		t.Fatal(err)
	}
	end := ev.callState(t, m, call.ID(), softphone.CallEnded, 10*time.Second)
	if end.Cause != softphone.CauseCanceled || end.Status != 487 {
		t.Errorf("end %+v, want canceled/487", end)
	}
	if _, err := bob.WaitEventAfter(ctx(t, 5*time.Second), bm, "CALL_CLOSED"); err != nil {
		t.Errorf("bob did not see the CANCEL: %v", err)
	}
	if !strings.Contains(k.Log(), "REQ CANCEL sip:bob@127.0.0.1 ") {
		t.Errorf("the proxy never received our CANCEL")
	}
}
