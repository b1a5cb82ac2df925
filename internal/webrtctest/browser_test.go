//go:build linux

package webrtctest

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/pitchline/pitchline/audio/dsp"
	"github.com/pitchline/pitchline/audio/tone"
	"github.com/pitchline/pitchline/audio/wav"
	"github.com/pitchline/pitchline/internal/testenv"
	"github.com/pitchline/pitchline/internal/testlab"
	pwebrtc "github.com/pitchline/pitchline/softphone/media/webrtc"
	"github.com/pitchline/pitchline/softphone/webjoin"

	// Registers "opus" (libopus through cgo) in the codec registry, which
	// the Peer uses.
	_ "github.com/pitchline/pitchline/audio/codec/opus"
)

const (
	browserTone = 660.0  // the fake microphone's tone
	goTone      = 1000.0 // what the Go side sends, at amplitude 0.5
	// minLevel is the inbound audioLevel the page must report: our tone
	// reads about 0.5, Opus-coded silence about 3e-5.
	minLevel = 0.1
)

// checkInboundOpus parses the page's STATS line (getStats inbound-rtp)
// and fails the test unless the page received Opus packets at an audio
// level of at least minLevel. It logs the stats.
func checkInboundOpus(t *testing.T, line string) {
	t.Helper()
	var st struct {
		PacketsReceived int     `json:"packetsReceived"`
		AudioLevel      float64 `json:"audioLevel"`
		Codec           string  `json:"codec"`
	}
	if err := json.Unmarshal([]byte(line), &st); err != nil {
		t.Fatal(err)
	}
	if st.PacketsReceived <= 0 || st.AudioLevel < minLevel || !strings.EqualFold(st.Codec, "audio/opus") {
		t.Errorf("browser inbound-rtp %+v: want Opus packets with an audio level", st)
	}
	t.Logf("browser inbound-rtp: %+v", st)
}

// toneSink is an audio.Sink at 48 kHz that closes heard once a 100 ms
// window is dominated by freq (at least half the window's power at freq),
// and remembers whether other ever dominated a window.
type toneSink struct {
	freq, other float64
	mu          sync.Mutex
	win         []int16
	heard       chan struct{}
	once        sync.Once
	wrong       bool
	frames      int
}

func newToneSink(freq, other float64) *toneSink {
	return &toneSink{freq: freq, other: other, heard: make(chan struct{}), win: make([]int16, 0, 4800)}
}

func (s *toneSink) Rate() int { return pwebrtc.Rate }

func (s *toneSink) WriteFrame(src []int16) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.frames++
	s.win = append(s.win, src...)
	if len(s.win) < cap(s.win) {
		return nil
	}
	if dominated(s.win, s.freq) {
		s.once.Do(func() { close(s.heard) })
	}
	if dominated(s.win, s.other) {
		s.wrong = true
	}
	s.win = s.win[:0]
	return nil
}

func dominated(win []int16, freq float64) bool {
	rms := dsp.RMS(win)
	return rms >= 0.01 && dsp.Goertzel(win, pwebrtc.Rate, freq)/(2*rms*rms) >= 0.5
}

// writeToneWAV writes seconds of a freq Hz sine at 48 kHz for Chromium's
// fake microphone.
func writeToneWAV(t *testing.T, path string, freq float64, seconds int) {
	t.Helper()
	g, err := tone.NewSine(freq, 0.5, pwebrtc.Rate)
	if err != nil {
		t.Fatal(err)
	}
	w, err := wav.Create(path, pwebrtc.Rate)
	if err != nil {
		t.Fatal(err)
	}
	frame := make([]int16, pwebrtc.Rate/50)
	for i := 0; i < seconds*50; i++ {
		if err := g.ReadFrame(frame); err != nil {
			t.Fatal(err)
		}
		if err := w.WriteFrame(frame); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

func repoRoot(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		t.Fatalf("go env GOMOD: %v", err)
	}
	return filepath.Dir(strings.TrimSpace(string(out)))
}

// joinHandler answers each join with a Peer that sends goTone and records
// into hears.
type joinHandler struct {
	hears  *toneSink
	mu     sync.Mutex
	peers  []*pwebrtc.Peer
	joined chan *pwebrtc.Peer
}

func (h *joinHandler) Join(ctx context.Context, j webjoin.Join) (string, io.Closer, error) {
	p, answer, err := pwebrtc.NewPeer(ctx, j.OfferSDP)
	if err != nil {
		return "", nil, err
	}
	src, err := tone.NewSine(goTone, 0.5, pwebrtc.Rate)
	if err != nil {
		p.Close()
		return "", nil, err
	}
	p.SetInput(src)
	p.SetOutput(h.hears)
	h.mu.Lock()
	h.peers = append(h.peers, p)
	h.mu.Unlock()
	h.joined <- p
	return answer, p, nil
}

// TestBrowserJoinsByLink: Chromium opens a join link with a fake
// microphone playing 660 Hz. The Go Peer must hear 660 Hz (and never its
// own 1000 Hz); the page's getStats must show inbound Opus at our tone's
// level (audioLevel >= minLevel, which silence does not reach);
// Leave must close the Peer (DELETE); the link must then be spent (410);
// and no goroutine may outlive the test.
func TestBrowserJoinsByLink(t *testing.T) { runBrowser(t, false) }

// TestBrowserTabClosed: the participant closes the tab instead of pressing
// Leave. The Peer must end as closed, not as an ICE failure half a minute
// later: Chromium sends neither a DTLS close_notify nor an RTCP BYE then,
// so the page's pagehide handler sends the DELETE (this test failed before
// it did).
func TestBrowserTabClosed(t *testing.T) { runBrowser(t, true) }

func runBrowser(t *testing.T, closeTab bool) {
	chromium := "/usr/bin/chromium"
	if v := os.Getenv("PITCHLINE_E2E_CHROMIUM"); v != "" {
		chromium = v
	}
	testenv.RequireFile(t, chromium, "apt-get install chromium")
	node := testenv.RequireTool(t, "node", "apt-get install nodejs")
	root := repoRoot(t)
	pw := filepath.Join(root, "frontend", "node_modules", "playwright-core")
	testenv.RequireFile(t, pw, "cd frontend && npm ci")

	before := runtime.NumGoroutine()
	dir := t.TempDir()
	wavPath := filepath.Join(dir, "tone.wav")
	writeToneWAV(t, wavPath, browserTone, 20)

	h := &joinHandler{hears: newToneSink(browserTone, goTone), joined: make(chan *pwebrtc.Peer, 1)}
	srv, err := webjoin.New("127.0.0.1:0", h)
	if err != nil {
		t.Fatal(err)
	}
	link, err := srv.CreateLink("call-1", 0)
	if err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, filepath.Join("testdata", "browser.cjs"), pw, chromium, link, wavPath, filepath.Join(dir, "profile"), strconv.FormatFloat(minLevel, 'f', -1, 64))
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // Chromium's processes die with the group
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	var stderr strings.Builder
	cmd.Stderr = &stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	exited := false
	defer func() {
		if !exited {
			cancel()
			_ = cmd.Wait()
		}
		_ = srv.Close()
		h.mu.Lock()
		for _, p := range h.peers {
			p.Close()
		}
		h.mu.Unlock()
		if t.Failed() {
			t.Logf("browser stderr:\n%s", stderr.String())
		}
	}()
	expect := func(prefix string) string {
		t.Helper()
		for {
			select {
			case l, ok := <-lines:
				if !ok {
					t.Fatalf("browser driver ended before %s", prefix)
				}
				if strings.HasPrefix(l, "ERROR ") {
					t.Fatalf("browser driver: %s", l)
				}
				if strings.HasPrefix(l, prefix) {
					return strings.TrimSpace(strings.TrimPrefix(l, prefix))
				}
				t.Logf("driver: %s", l)
			case <-ctx.Done():
				t.Fatalf("no %s from the browser before the deadline", prefix)
			}
		}
	}

	var peer *pwebrtc.Peer
	select {
	case peer = <-h.joined:
	case <-ctx.Done():
		t.Fatal("the browser never joined")
	}
	t.Logf("page: %s", expect("CONNECTED "))
	checkInboundOpus(t, expect("STATS "))
	select {
	case <-h.hears.heard:
	case <-ctx.Done():
		t.Fatalf("the Go side never heard the browser's %v Hz; peer stats %+v", browserTone, peer.Stats())
	}
	h.hears.mu.Lock()
	if h.hears.wrong {
		t.Errorf("the Go side heard its own %v Hz from the browser", goTone)
	}
	h.hears.mu.Unlock()
	if s := peer.Stats(); s.PacketsSent == 0 || s.PacketsReceived == 0 {
		t.Errorf("peer stats %+v: want packets both ways", s)
	}

	if closeTab {
		if _, err := io.WriteString(stdin, "CLOSE\n"); err != nil {
			t.Fatal(err)
		}
		expect("CLOSED")
		select {
		case <-peer.Done():
		case <-ctx.Done():
			t.Fatalf("closing the tab did not end the Peer; state %s", peer.State())
		}
		if peer.State() != pwebrtc.StateClosed {
			t.Errorf("after the tab closed: state %s, want closed", peer.State())
		}
		if _, err := io.WriteString(stdin, "QUIT\n"); err != nil {
			t.Fatal(err)
		}
	} else {
		leaveAndRevisit(ctx, t, stdin, expect, peer)
	}
	for range lines {
	}
	exited = true
	if err := cmd.Wait(); err != nil {
		t.Errorf("browser driver: %v", err)
	}
	if err := srv.Close(); err != nil {
		t.Errorf("server Close: %v", err)
	}
	if err := peer.Close(); err != nil {
		t.Logf("peer Close: %v", err)
	}

	testlab.CheckNoGoroutineLeak(t, before)
}

// leaveAndRevisit presses Leave (the Peer must close through DELETE) and
// opens the spent link again (410, "already been used").
func leaveAndRevisit(ctx context.Context, t *testing.T, stdin io.Writer, expect func(string) string, peer *pwebrtc.Peer) {
	t.Helper()
	if _, err := io.WriteString(stdin, "LEAVE\n"); err != nil {
		t.Fatal(err)
	}
	expect("LEFT")
	select {
	case <-peer.Done():
	case <-ctx.Done():
		t.Fatalf("Leave did not close the Peer; state %s", peer.State())
	}
	var again struct {
		Status int    `json:"status"`
		Text   string `json:"text"`
	}
	if err := json.Unmarshal([]byte(expect("REVISIT ")), &again); err != nil {
		t.Fatal(err)
	}
	if again.Status != 410 || !strings.Contains(again.Text, "already been used") {
		t.Errorf("spent link: %+v, want 410 saying it was used", again)
	}
}
