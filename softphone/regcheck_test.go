package softphone_test

import (
	"errors"
	"net"
	"testing"
	"time"

	"github.com/pitchline/pitchline/internal/testlab"
	"github.com/pitchline/pitchline/softphone"
)

// TestCheckRegistration: the right password registers and the check
// unregisters when done; a wrong one fails with ErrAuthFailed; a
// registrar that never answers fails when the context ends; a bad
// configuration is an error.
func TestCheckRegistration(t *testing.T) {
	k := testlab.StartKamailio(t)
	cfg := func(user, pw, registrar string) softphone.Config {
		return softphone.Config{Account: softphone.AccountConfig{AOR: "sip:" + user + "@" + registrar, Password: pw,
			Transport: "udp", Register: true}, Listen: "127.0.0.1:0"}
	}
	re, err := softphone.CheckRegistration(ctx(t, 15*time.Second), cfg("carol", k.Password("carol"), k.Addr()))
	if err != nil || re.State != softphone.RegRegistered || re.Err != nil {
		t.Fatalf("right password: %+v %v", re, err)
	}
	if err := k.WaitUnregistered(ctx(t, 10*time.Second), "carol"); err != nil {
		t.Errorf("the check left carol registered: %v", err)
	}
	re, err = softphone.CheckRegistration(ctx(t, 15*time.Second), cfg("carol", "wrong-password", k.Addr()))
	if err != nil || re.State != softphone.RegFailed || !errors.Is(re.Err, softphone.ErrAuthFailed) {
		t.Errorf("wrong password: %+v %v, want failed with ErrAuthFailed", re, err)
	}
	// A UDP socket that reads nothing: the REGISTER is never answered.
	pc, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	re, err = softphone.CheckRegistration(ctx(t, 2*time.Second), cfg("carol", "x", pc.LocalAddr().String()))
	if err != nil || re.State == softphone.RegRegistered || !errors.Is(re.Err, softphone.ErrRegistrationFailed) {
		t.Errorf("silent registrar: %+v %v, want a failure", re, err)
	}
	if _, err := softphone.CheckRegistration(ctx(t, time.Second), softphone.Config{}); !errors.Is(err, softphone.ErrBadConfig) {
		t.Errorf("empty config: %v, want ErrBadConfig", err)
	}
}
