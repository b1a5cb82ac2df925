package app

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/pitchline/pitchline/internal/testenv"
)

func TestCheckLoopback(t *testing.T) {
	for _, ok := range []string{"127.0.0.1:0", "127.0.0.1:8080", "[::1]:0", "localhost:0", "127.1.2.3:5"} {
		if _, err := checkLoopback(ok); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
	for _, bad := range []string{"0.0.0.0:0", "192.168.1.2:80", ":0", "[::]:0", "example.com:80"} {
		if _, err := checkLoopback(bad); !errors.Is(err, ErrNotLoopback) {
			t.Errorf("%s: %v, want ErrNotLoopback", bad, err)
		}
	}
	if _, err := checkLoopback("nonsense"); !errors.Is(err, ErrInvalidOption) {
		t.Errorf("nonsense: %v", err)
	}
}

func TestDispatchTableCoversBoundMethods(t *testing.T) {
	a, _ := newTestApp(t)
	table := dispatchTable(a.svcs.list())
	want := 0
	for _, s := range a.svcs.list() {
		want += reflect.TypeOf(s).NumMethod()
	}
	if len(table) != want {
		t.Fatalf("dispatch table has %d methods, services export %d (every method must return (T, error))", len(table), want)
	}
	if _, ok := table["CallsService/Dial"]; !ok {
		t.Fatal("CallsService/Dial missing")
	}
}

// TestContractMirrorsCatalogue keeps frontend/src/lib/contract.ts in step
// with the Go services and the event catalogue.
func TestContractMirrorsCatalogue(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("..", "frontend", "src", "lib", "contract.ts"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(src)
	block := func(start string) string {
		i := strings.Index(text, start)
		if i < 0 {
			t.Fatalf("contract.ts lacks %q", start)
		}
		rest := text[i+len(start):]
		depth := 1
		for j, r := range rest {
			switch r {
			case '{':
				depth++
			case '}':
				depth--
				if depth == 0 {
					return rest[:j]
				}
			}
		}
		t.Fatalf("unbalanced %q", start)
		return ""
	}
	keys := regexp.MustCompile(`(?m)^\s*(\w+):`)
	var tsEvents []string
	for _, m := range keys.FindAllStringSubmatch(block("export interface EventMap {"), -1) {
		tsEvents = append(tsEvents, m[1])
	}
	var goEvents []string
	for name := range catalogue {
		goEvents = append(goEvents, name)
	}
	sort.Strings(tsEvents)
	sort.Strings(goEvents)
	if !reflect.DeepEqual(tsEvents, goEvents) {
		t.Fatalf("EventMap %v\ncatalogue %v", tsEvents, goEvents)
	}
	services := block("export interface Services {")
	a, _ := newTestApp(t)
	for _, s := range a.svcs.list() {
		typ := reflect.TypeOf(s)
		name := typ.Elem().Name()
		body := ""
		if i := strings.Index(services, name+": {"); i >= 0 {
			body = services[i:]
			body = body[:strings.Index(body, "\n  }")]
		} else {
			t.Errorf("contract.ts Services lacks %s", name)
			continue
		}
		var tsMethods, goMethods []string
		for _, m := range regexp.MustCompile(`(?m)^\s{4}(\w+):`).FindAllStringSubmatch(body, -1) {
			tsMethods = append(tsMethods, m[1])
		}
		for i := 0; i < typ.NumMethod(); i++ {
			m := typ.Method(i)
			goMethods = append(goMethods, m.Name)
			// arity check: "[[a: x, b: y], R]"
			re := regexp.MustCompile(`(?m)^\s{4}` + m.Name + `: \[\[([^\]]*)\]`)
			mm := re.FindStringSubmatch(body)
			if mm == nil {
				continue
			}
			n := 0
			if strings.TrimSpace(mm[1]) != "" {
				n = strings.Count(mm[1], ",") + 1
			}
			if n != m.Type.NumIn()-1 {
				t.Errorf("%s.%s: contract.ts has %d arguments, Go %d", name, m.Name, n, m.Type.NumIn()-1)
			}
		}
		sort.Strings(tsMethods)
		sort.Strings(goMethods)
		if !reflect.DeepEqual(tsMethods, goMethods) {
			t.Errorf("%s: contract.ts %v, Go %v", name, tsMethods, goMethods)
		}
	}
}

func TestServeHTTPInProcess(t *testing.T) {
	kc := newKeychain(t)
	a, log := startApp(t, t.TempDir(), kc)
	srv := httptest.NewServer(newServer(a, "tok"))
	defer srv.Close()
	post := func(path, body string, hdr map[string]string) (*http.Response, string) {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+path, strings.NewReader(body))
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		return res, string(b)
	}
	auth := map[string]string{TokenHeader: "tok"}
	if res, _ := post("/api/SystemService/Version", "[]", nil); res.StatusCode != 401 {
		t.Fatalf("no token: %d", res.StatusCode)
	}
	if res, _ := post("/api/SystemService/Version", "[]", map[string]string{TokenHeader: "tok2"}); res.StatusCode != 401 {
		t.Fatalf("wrong token: %d", res.StatusCode)
	}
	if res, body := post("/api/SystemService/Version", "[]", auth); res.StatusCode != 200 || strings.TrimSpace(body) != `"dev"` {
		t.Fatalf("version: %d %s", res.StatusCode, body)
	}
	res, body := post("/api/CallsService/Dial", `[""]`, auth)
	var p ErrorPayload
	if err := json.Unmarshal([]byte(body), &p); err != nil || res.StatusCode != 400 || p.Code != CodeInvalidArgument {
		t.Fatalf("bad dial: %d %s", res.StatusCode, body)
	}
	if res, _ := post("/api/CallsService/Dial", `[1, 2]`, auth); res.StatusCode != 400 {
		t.Fatalf("wrong arity: %d", res.StatusCode)
	}
	if res, _ := post("/api/NoService/X", `[]`, auth); res.StatusCode != 404 {
		t.Fatalf("unknown method: %d", res.StatusCode)
	}
	// The page with ?token sets the cookie; the cookie alone then works.
	pageRes, err := http.Get(srv.URL + "/?token=tok")
	if err != nil {
		t.Fatal(err)
	}
	pageRes.Body.Close()
	var cookie *http.Cookie
	for _, c := range pageRes.Cookies() {
		if c.Name == tokenCookie {
			cookie = c
		}
	}
	if pageRes.StatusCode != 200 || cookie == nil || !cookie.HttpOnly {
		t.Fatalf("page: %d cookie %+v", pageRes.StatusCode, cookie)
	}
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/api/events", nil)
	req.AddCookie(cookie)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req = req.WithContext(ctx)
	es, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer es.Body.Close()
	if es.StatusCode != 200 || !strings.HasPrefix(es.Header.Get("Content-Type"), "text/event-stream") {
		t.Fatalf("events: %d %s", es.StatusCode, es.Header.Get("Content-Type"))
	}
	events := sseReader(es.Body)
	if name, _ := events(); name != "snapshot" {
		t.Fatalf("first SSE event %q, want snapshot", name)
	}
	if res, body := post("/api/CallsService/Dial", `["100"]`, auth); res.StatusCode != 200 {
		t.Fatalf("dial: %d %s", res.StatusCode, body)
	}
	for {
		name, data := events()
		if name == "call" && strings.Contains(data, `"state":"connected"`) {
			break
		}
	}
	_ = log
}

// sseReader returns a function that reads the next SSE event.
func sseReader(r io.Reader) func() (name, data string) {
	br := bufio.NewReader(r)
	return func() (string, string) {
		var name, data string
		for {
			line, err := br.ReadString('\n')
			if err != nil {
				return "", ""
			}
			line = strings.TrimRight(line, "\n")
			switch {
			case line == "" && name != "":
				return name, data
			case strings.HasPrefix(line, "event: "):
				name = line[len("event: "):]
			case strings.HasPrefix(line, "data: "):
				data = line[len("data: "):]
			}
		}
	}
}

func TestInstanceHandOff(t *testing.T) {
	dir := t.TempDir()
	first, err := acquireInstance(dir, "")
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan string, 1)
	first.serve(func(u string) { got <- u })
	if _, err := acquireInstance(dir, "tel:+15550100199"); !errors.Is(err, ErrHandedOff) {
		t.Fatalf("second acquire: %v, want ErrHandedOff", err)
	}
	select {
	case u := <-got:
		if u != "tel:+15550100199" {
			t.Fatalf("handed %q", u)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("URL not handed over")
	}
	other, err := acquireInstance(t.TempDir(), "")
	if err != nil {
		t.Fatalf("another data dir must get its own instance: %v", err)
	}
	other.close()
	first.close()
	again, err := acquireInstance(dir, "")
	if err != nil {
		t.Fatalf("after close: %v", err)
	}
	again.close()
}

// builtBinary returns a pitchline binary with the built frontend: $PITCHLINE_BIN
// (make test sets it), or one built here from frontend/dist. Without either it
// skips, or fails in CI (testenv.Missing).
func builtBinary(t *testing.T) string {
	t.Helper()
	if b := os.Getenv("PITCHLINE_BIN"); b != "" {
		return b
	}
	testenv.RequireFile(t, filepath.Join("..", "frontend", "dist", "index.html"),
		"make build writes frontend/dist; or set PITCHLINE_BIN to a built binary")
	bin := filepath.Join(t.TempDir(), "pitchline")
	if out, err := exec.Command("go", "build", "-o", bin, "..").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func TestServeBinary(t *testing.T) {
	bin := builtBinary(t)
	// Non-loopback refused with exit 2.
	out, err := exec.Command(bin, "serve", "--listen", "0.0.0.0:0").CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 2 || !strings.Contains(string(out), "loopback") {
		t.Fatalf("0.0.0.0: %v %s", err, out)
	}
	dir := t.TempDir()
	env := append(os.Environ(), "XDG_RUNTIME_DIR="+t.TempDir())
	cmd := exec.Command(bin, "serve", "--audio", "null", "--data-dir", dir)
	cmd.Env = env
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Signal(os.Interrupt); _ = cmd.Wait() }()
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`^(http://127\.0\.0\.1:\d+)/\?token=([0-9a-f]{64})\n$`).FindStringSubmatch(line)
	if m == nil {
		t.Fatalf("first stdout line %q", line)
	}
	base, tok := m[1], m[2]
	if res, err := http.Get(base + "/"); err != nil || res.StatusCode != 401 {
		t.Fatalf("no token: %v %v", err, res)
	}
	res, err := http.Get(base + "/?token=" + tok)
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("page: %v %v", err, res)
	}
	res.Body.Close()
	req, _ := http.NewRequest(http.MethodGet, base+"/api/events", nil)
	req.Header.Set(TokenHeader, tok)
	es, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer es.Body.Close()
	next := sseReader(es.Body)
	if name, _ := next(); name != "snapshot" {
		t.Fatalf("first event %q", name)
	}
	// A second launch with a tel: URL hands it over and exits 0; the first
	// instance dials and emits "dial".
	second := exec.Command(bin, "serve", "--audio", "null", "--data-dir", dir, "tel:100")
	second.Env = env
	if out, err := second.CombinedOutput(); err != nil {
		t.Fatalf("second launch: %v\n%s", err, out)
	}
	for {
		name, data := next()
		if name == "" {
			t.Fatal("event stream ended before the dial event")
		}
		if name == "dial" {
			var d DialRequest
			if err := json.Unmarshal([]byte(data), &d); err != nil || d.URL != "tel:100" || d.CallID == "" || d.Error != nil {
				t.Fatalf("dial event %s (%v)", data, err)
			}
			break
		}
	}
}
