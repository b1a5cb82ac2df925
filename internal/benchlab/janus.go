package benchlab

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"time"
)

// JanusConfig is what WriteJanusConfig puts in a Janus config folder:
// loopback only, the HTTP transport, and the AudioBridge plugin with one
// room that accepts plain-RTP participants. Everything else is disabled.
type JanusConfig struct {
	// HTTPPort is the REST API's port on 127.0.0.1.
	HTTPPort int
	// RTPFirst and RTPLast bound the ports AudioBridge gives plain-RTP
	// participants (its own range, apart from the core's WebRTC range).
	RTPFirst, RTPLast int
	// Room is the AudioBridge room id.
	Room int
	// SamplingRate is the room's mixing rate in Hz (8000, 16000, 24000 or
	// 48000).
	SamplingRate int
}

// JanusPluginsDir is where Debian's janus package installs its plugins,
// transports, event handlers and loggers.
const JanusPluginsDir = "/usr/lib/x86_64-linux-gnu/janus"

// WriteJanusConfig writes janus.jcfg, the HTTP transport and the
// AudioBridge configuration into dir (Janus 1.1 libconfig syntax; run
// Janus with -F dir -C dir/janus.jcfg). The project's own config: written
// from the Janus 1.1.2 documentation of each file, not copied from a lab.
func WriteJanusConfig(dir string, c JanusConfig) error {
	files := map[string]string{
		"janus.jcfg": fmt.Sprintf(`general: {
	configs_folder = "%[1]s"
	plugins_folder = "%[2]s/plugins"
	transports_folder = "%[2]s/transports"
	events_folder = "%[2]s/events"
	loggers_folder = "%[2]s/loggers"
	debug_level = 3
	debug_colors = false
	server_name = "pitchline-bench"
	# no idle session timeout: the benchmark holds its session for the run
	session_timeout = 0
}
media: {
	rtp_port_range = "%[3]d-%[4]d"
}
nat: {
	ice_enforce_list = "127.0.0.1"
	ignore_mdns = true
}
plugins: {
	disable = "libjanus_voicemail.so,libjanus_recordplay.so,libjanus_duktape.so,libjanus_lua.so,libjanus_sip.so,libjanus_nosip.so,libjanus_streaming.so,libjanus_textroom.so,libjanus_videocall.so,libjanus_videoroom.so,libjanus_echotest.so"
}
transports: {
	disable = "libjanus_websockets.so,libjanus_mqtt.so,libjanus_nanomsg.so,libjanus_rabbitmq.so,libjanus_pfunix.so"
}
loggers: {
	disable = "libjanus_jsonlog.so"
}
events: {
	broadcast = false
}
`, dir, JanusPluginsDir, c.RTPLast+1, c.RTPLast+100),
		"janus.transport.http.jcfg": fmt.Sprintf(`general: {
	json = "compact"
	base_path = "/janus"
	http = true
	port = %d
	ip = "127.0.0.1"
	https = false
}
admin: {
	admin_http = false
	admin_https = false
}
`, c.HTTPPort),
		"janus.plugin.audiobridge.jcfg": fmt.Sprintf(`general: {
	rtp_port_range = "%d-%d"
	local_ip = "127.0.0.1"
	events = false
}
room-%d: {
	description = "pitchline benchmark"
	sampling_rate = %d
	record = false
	allow_rtp_participants = true
}
`, c.RTPFirst, c.RTPLast, c.Room, c.SamplingRate),
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// JanusCommand returns the command that runs Janus on the config folder
// dir, logging to dir/janus.log.
func JanusCommand(ctx context.Context, dir string) *exec.Cmd {
	return exec.CommandContext(ctx, "janus", "-F", dir, "-C", filepath.Join(dir, "janus.jcfg"),
		"-L", filepath.Join(dir, "janus.log"), "--disable-colors")
}

// JanusClient speaks Janus's REST API (https://janus.conf.meetecho.com/docs/rest.html)
// to one session: requests are POSTed, asynchronous plugin events are
// read by a long poll and handed to whoever waits for that handle.
type JanusClient struct {
	base    string
	session uint64
	hc      *http.Client

	mu      sync.Mutex
	waiters map[uint64]chan json.RawMessage // handle -> its plugin events

	stop context.CancelFunc
	done chan struct{}
}

type janusReply struct {
	Janus       string `json:"janus"`
	Transaction string `json:"transaction"`
	Sender      uint64 `json:"sender"`
	Data        struct {
		ID uint64 `json:"id"`
	} `json:"data"`
	Error *struct {
		Code   int    `json:"code"`
		Reason string `json:"reason"`
	} `json:"error"`
	PluginData struct {
		Plugin string          `json:"plugin"`
		Data   json.RawMessage `json:"data"`
	} `json:"plugindata"`
}

// WaitJanus polls GET base/info until Janus answers or ctx ends.
func WaitJanus(ctx context.Context, base string) error {
	hc := &http.Client{Timeout: 2 * time.Second}
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/info", nil)
		resp, err := hc.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w: %s/info: %v", ErrJanus, base, err)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// NewJanusClient creates a session at base (http://127.0.0.1:PORT/janus)
// and starts its long poll. Close destroys the session.
func NewJanusClient(ctx context.Context, base string) (*JanusClient, error) {
	c := &JanusClient{base: base, hc: &http.Client{Timeout: 70 * time.Second}, waiters: map[uint64]chan json.RawMessage{}}
	r, err := c.post(ctx, base, map[string]any{"janus": "create"})
	if err != nil {
		return nil, err
	}
	c.session = r.Data.ID
	pctx, stop := context.WithCancel(context.Background())
	c.stop, c.done = stop, make(chan struct{})
	go c.poll(pctx)
	return c, nil
}

func transaction() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func (c *JanusClient) post(ctx context.Context, url string, body map[string]any) (janusReply, error) {
	var r janusReply
	body["transaction"] = transaction()
	b, _ := json.Marshal(body)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(b))
	if err != nil {
		return r, err
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return r, fmt.Errorf("%w: %v", ErrJanus, err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(data, &r); err != nil {
		return r, fmt.Errorf("%w: reply %q: %v", ErrJanus, data, err)
	}
	if r.Janus == "error" || r.Error != nil {
		return r, fmt.Errorf("%w: %s", ErrJanus, data)
	}
	return r, nil
}

// poll long-polls the session's events (GET /janus/SESSION?maxev=10)
// and hands each plugin event to its handle's waiter.
func (c *JanusClient) poll(ctx context.Context) {
	defer close(c.done)
	url := fmt.Sprintf("%s/%d?maxev=10", c.base, c.session)
	for ctx.Err() == nil {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		resp, err := c.hc.Do(req)
		if err != nil {
			select {
			case <-ctx.Done():
				return
			case <-time.After(100 * time.Millisecond):
				continue
			}
		}
		data, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var evs []janusReply
		if err := json.Unmarshal(data, &evs); err != nil {
			var one janusReply
			if json.Unmarshal(data, &one) != nil {
				continue
			}
			evs = []janusReply{one}
		}
		for _, ev := range evs {
			if ev.Janus != "event" {
				continue
			}
			c.mu.Lock()
			ch := c.waiters[ev.Sender]
			c.mu.Unlock()
			if ch != nil {
				select {
				case ch <- ev.PluginData.Data:
				default:
				}
			}
		}
	}
}

// Attach attaches a handle to the AudioBridge plugin and returns its id.
func (c *JanusClient) Attach(ctx context.Context) (uint64, error) {
	r, err := c.post(ctx, fmt.Sprintf("%s/%d", c.base, c.session),
		map[string]any{"janus": "attach", "plugin": "janus.plugin.audiobridge"})
	if err != nil {
		return 0, err
	}
	c.mu.Lock()
	c.waiters[r.Data.ID] = make(chan json.RawMessage, 16)
	c.mu.Unlock()
	return r.Data.ID, nil
}

// JoinRTP joins handle to room as a plain-RTP participant whose RTP
// Janus sends to 127.0.0.1:peerPort with codec ("pcmu", "pcma" or
// "opus") and payload type pt; it returns the port on 127.0.0.1 that the
// participant sends its RTP to. AudioBridge's join is asynchronous: the
// answer is the "joined" event of the handle.
func (c *JanusClient) JoinRTP(ctx context.Context, handle uint64, room int, display, codec string, pt, peerPort int) (int, error) {
	c.mu.Lock()
	ch := c.waiters[handle]
	c.mu.Unlock()
	if ch == nil {
		return 0, fmt.Errorf("%w: handle %d not attached", ErrJanus, handle)
	}
	body := map[string]any{"request": "join", "room": room, "display": display, "codec": codec,
		"rtp": map[string]any{"ip": "127.0.0.1", "port": peerPort, "payload_type": pt}}
	if _, err := c.post(ctx, fmt.Sprintf("%s/%d/%d", c.base, c.session, handle),
		map[string]any{"janus": "message", "body": body}); err != nil {
		return 0, err
	}
	for {
		select {
		case <-ctx.Done():
			return 0, fmt.Errorf("%w: no joined event for %s: %v", ErrJanus, display, ctx.Err())
		case data := <-ch:
			var ev struct {
				AudioBridge string `json:"audiobridge"`
				Error       string `json:"error"`
				RTP         struct {
					IP   string `json:"ip"`
					Port int    `json:"port"`
				} `json:"rtp"`
			}
			if err := json.Unmarshal(data, &ev); err != nil {
				return 0, fmt.Errorf("%w: event %q: %v", ErrJanus, data, err)
			}
			if ev.Error != "" {
				return 0, fmt.Errorf("%w: join %s: %s", ErrJanus, display, ev.Error)
			}
			if ev.AudioBridge == "joined" && ev.RTP.Port > 0 {
				return ev.RTP.Port, nil
			}
		}
	}
}

// Close stops the long poll and destroys the session.
func (c *JanusClient) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err := c.post(ctx, fmt.Sprintf("%s/%d", c.base, c.session), map[string]any{"janus": "destroy"})
	c.stop()
	<-c.done
	return err
}

// Request sends a synchronous AudioBridge request (create, list,
// rtp_forward, stop_rtp_forward, ...) on handle and returns the plugin's
// answer (plugindata.data).
func (c *JanusClient) Request(ctx context.Context, handle uint64, body map[string]any) (json.RawMessage, error) {
	r, err := c.post(ctx, fmt.Sprintf("%s/%d/%d", c.base, c.session, handle),
		map[string]any{"janus": "message", "body": body})
	if err != nil {
		return nil, err
	}
	var ans struct {
		Error string `json:"error"`
	}
	if json.Unmarshal(r.PluginData.Data, &ans) == nil && ans.Error != "" {
		return nil, fmt.Errorf("%w: %s: %s", ErrJanus, body["request"], ans.Error)
	}
	return r.PluginData.Data, nil
}
