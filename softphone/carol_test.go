package softphone_test

import (
	"testing"

	"github.com/pitchline/pitchline/softphone"
)

// startCarol starts carol (sip:carol@127.0.0.1 over UDP, no registrar,
// null audio devices) with opts after the audio one (newPhone), and
// records her events; she is closed at the end of the test.
func startCarol(t *testing.T, opts ...softphone.Option) (*softphone.Phone, *events) {
	t.Helper()
	return newPhone(t, nil, "carol", phoneOpt{host: "127.0.0.1", noRegister: true, extra: opts})
}
