package testlab

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	dbus "github.com/godbus/dbus/v5"
	"github.com/zalando/go-keyring"
)

const krHelperService = "pitchline-testlab"

// TestKeyringHelper is the subprocess side of the keyring tests: it uses
// go-keyring against whatever bus its environment names and prints a
// result line for the parent to check.
func TestKeyringHelper(t *testing.T) {
	if !InSubprocess(t) {
		t.Skip("run as a subprocess by TestStartKeyring / TestNoSecretServiceEnv")
	}
	switch mode := os.Getenv("KR_HELPER_MODE"); mode {
	case "roundtrip":
		if err := keyring.Set(krHelperService, "alice", "s3cr3t-1"); err != nil {
			t.Fatalf("Set: %v", err)
		}
		if err := keyring.Set(krHelperService, "alice", "s3cr3t-2"); err != nil {
			t.Fatalf("Set (overwrite): %v", err)
		}
		got, err := keyring.Get(krHelperService, "alice")
		if err != nil || got != "s3cr3t-2" {
			t.Fatalf("Get: %q %v", got, err)
		}
		if err := keyring.Delete(krHelperService, "alice"); err != nil {
			t.Fatalf("Delete: %v", err)
		}
		if _, err := keyring.Get(krHelperService, "alice"); !errors.Is(err, keyring.ErrNotFound) {
			t.Fatalf("Get after Delete: %v, want ErrNotFound", err)
		}
		fmt.Println("KR-RESULT roundtrip-ok")
	case "noservice":
		err := keyring.Set(krHelperService, "alice", "x")
		var dErr dbus.Error
		if !errors.As(err, &dErr) {
			t.Fatalf("Set: %T %v, want a dbus.Error", err, err)
		}
		fmt.Println("KR-RESULT " + dErr.Name)
	case "locked":
		err := keyring.Set(krHelperService, "alice", "x")
		if err == nil || !strings.Contains(err.Error(), "failed to unlock") {
			t.Fatalf("Set on a locked keyring: %v, want \"failed to unlock ...\"", err)
		}
		fmt.Println("KR-RESULT locked: " + err.Error())
	default:
		t.Fatalf("KR_HELPER_MODE %q", mode)
	}
}

func TestStartKeyring(t *testing.T) {
	k := StartKeyring(t)
	out, err := RunSelf(t, "TestKeyringHelper", append(k.Env(), "KR_HELPER_MODE=roundtrip"))
	if err != nil || !strings.Contains(out, "KR-RESULT roundtrip-ok") {
		t.Fatalf("helper: %v\n%s", err, out)
	}
	// The secrets went to this keyring, not to some other session's.
	if _, err := os.Stat(filepath.Join(k.KeyringDir(), "login.keyring")); err != nil {
		t.Fatalf("no login keyring in the private data dir: %v", err)
	}
	bus, daemon := k.PIDs()
	k.Stop()
	for _, pid := range []int{bus, daemon} {
		if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
			t.Errorf("pid %d still exists after Stop (kill -0: %v)", pid, err)
		}
	}
}

func TestNoSecretServiceEnv(t *testing.T) {
	env := NoSecretServiceEnv(t)
	out, err := RunSelf(t, "TestKeyringHelper", append(env, "KR_HELPER_MODE=noservice"))
	if err != nil || !strings.Contains(out, "KR-RESULT org.freedesktop.DBus.Error.ServiceUnknown") {
		t.Fatalf("helper: %v\n%s", err, out)
	}
}

func TestStartKeyringLocked(t *testing.T) {
	k := StartKeyring(t, WithLockedKeyring())
	out, err := RunSelf(t, "TestKeyringHelper", append(k.Env(), "KR_HELPER_MODE=locked"))
	if err != nil || !strings.Contains(out, "KR-RESULT locked") {
		t.Fatalf("helper: %v\n%s", err, out)
	}
}
