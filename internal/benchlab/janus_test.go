package benchlab

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestWriteJanusConfig: the config folder names the folder itself, the
// HTTP port on loopback, and the AudioBridge room with its rate, the
// plain-RTP port range and plain-RTP participants allowed.
func TestWriteJanusConfig(t *testing.T) {
	dir := t.TempDir()
	if err := WriteJanusConfig(dir, JanusConfig{HTTPPort: 18123, RTPFirst: 41000, RTPLast: 41063, Room: 77, SamplingRate: 48000}); err != nil {
		t.Fatal(err)
	}
	for file, wants := range map[string][]string{
		"janus.jcfg":                    {`configs_folder = "` + dir + `"`, "session_timeout = 0", `rtp_port_range = "41064-41163"`},
		"janus.transport.http.jcfg":     {"port = 18123", `ip = "127.0.0.1"`},
		"janus.plugin.audiobridge.jcfg": {`rtp_port_range = "41000-41063"`, "room-77: {", "sampling_rate = 48000", "allow_rtp_participants = true"},
	} {
		b, err := os.ReadFile(filepath.Join(dir, file))
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range wants {
			if !strings.Contains(string(b), w) {
				t.Errorf("%s lacks %q:\n%s", file, w, b)
			}
		}
	}
}
