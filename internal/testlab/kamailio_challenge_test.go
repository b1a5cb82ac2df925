package testlab

import (
	"os"
	"strings"
	"testing"
)

// TestKamailioInDialogChallengeOption: the default configuration has no
// in-dialog challenge (other tests rely on it); WithInDialogChallenge adds
// it, limited to the given From users, and Kamailio accepts the result.
func TestKamailioInDialogChallengeOption(t *testing.T) {
	plain := StartKamailio(t, WithoutTLS())
	cfg, err := os.ReadFile(plain.cfgFile)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(cfg), "INDLGAUTH") {
		t.Errorf("the default configuration challenges in-dialog requests")
	}
	k := StartKamailio(t, WithoutTLS(), WithInDialogChallenge("carol", "dave"))
	cfg, err = os.ReadFile(k.cfgFile)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"route(INDLGAUTH);", `$fU != "carol" && $fU != "dave"`, `auth_challenge("$fd", "1")`} {
		if !strings.Contains(string(cfg), want) {
			t.Errorf("configuration lacks %q", want)
		}
	}
}
