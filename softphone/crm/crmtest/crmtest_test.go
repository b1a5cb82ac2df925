package crmtest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// vendor is a trivial handler standing in for a fake vendor.
type vendor struct{ served atomic.Int64 }

func (v *vendor) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := v.served.Add(1)
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"id":"%d","path":%q,"padding":"0123456789"}`, n, r.URL.Path)
}

func newServer(t *testing.T, opts ...Option) (*httptest.Server, *Injector, *vendor) {
	t.Helper()
	v := &vendor{}
	in, err := New(v, opts...)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(in)
	t.Cleanup(func() { in.Close(); srv.Close() })
	return srv, in, v
}

func get(t *testing.T, ctx context.Context, url string) (*http.Response, []byte, error) {
	t.Helper()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp, b, err
}

func TestFailNextStatus(t *testing.T) {
	srv, in, v := newServer(t)
	hdr := http.Header{"Retry-After": {"7"}}
	if err := in.FailNext(2, Status(429, `{"policyName":"TEN_SECONDLY_ROLLING"}`, hdr)); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		resp, body, err := get(t, t.Context(), srv.URL+"/x")
		if err != nil {
			t.Fatal(err)
		}
		if i < 2 {
			if resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "7" || string(body) != `{"policyName":"TEN_SECONDLY_ROLLING"}` {
				t.Fatalf("request %d: %d %q %q", i, resp.StatusCode, resp.Header.Get("Retry-After"), body)
			}
		} else if resp.StatusCode != 200 {
			t.Fatalf("request %d: %d, want 200 after the faults ran out", i, resp.StatusCode)
		}
	}
	if v.served.Load() != 1 {
		t.Fatalf("vendor served %d, want 1", v.served.Load())
	}
	c := in.Counters()
	if c.Requests != 3 || c.Served != 1 || c.Faults[KindStatus] != 2 || c.ByStatus[429] != 2 || c.ByStatus[200] != 1 {
		t.Fatalf("counters %+v", c)
	}
	if in.Pending() != 0 {
		t.Fatalf("pending %d", in.Pending())
	}
	log := in.Log()
	if len(log) != 3 || log[0].Status != 429 || log[0].Fault != KindStatus || log[2].Status != 200 || log[2].Path != "/x" || log[2].Method != "GET" {
		t.Fatalf("log %+v", log)
	}
}

func TestFailPathPattern(t *testing.T) {
	srv, in, _ := newServer(t)
	if err := in.FailPath(http.MethodGet, "/crm/v3/objects/*/search", -1, Status(502, "bad gateway", nil)); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		resp, _, err := get(t, t.Context(), srv.URL+"/crm/v3/objects/calls/search")
		if err != nil || resp.StatusCode != 502 {
			t.Fatalf("matching path: %v %v", resp, err)
		}
	}
	resp, _, err := get(t, t.Context(), srv.URL+"/crm/v3/objects/calls")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("other path: %v %v", resp, err)
	}
	in.Clear()
	resp, _, err = get(t, t.Context(), srv.URL+"/crm/v3/objects/calls/search")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("after Clear: %v %v", resp, err)
	}
}

func TestInvalidFaults(t *testing.T) {
	_, in, _ := newServer(t)
	for _, f := range []Fault{Status(99, "", nil), Status(600, "", nil), {Kind: "nope"}} {
		if err := in.FailNext(1, f); !errors.Is(err, ErrInvalidFault) {
			t.Errorf("%+v: err %v", f, err)
		}
	}
	if err := in.FailNext(0, Reset()); !errors.Is(err, ErrInvalidFault) {
		t.Errorf("count 0: %v", err)
	}
	if err := in.FailPath("", "[", 1, Reset()); !errors.Is(err, ErrInvalidFault) {
		t.Errorf("bad pattern: %v", err)
	}
	if _, err := NewLimiter("x", 0, time.Second); !errors.Is(err, ErrInvalidLimit) {
		t.Errorf("limit 0: %v", err)
	}
}

func TestTimeoutHoldsUntilClientGivesUp(t *testing.T) {
	srv, in, v := newServer(t)
	in.FailNext(1, Timeout())
	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	_, _, err := get(t, ctx, srv.URL+"/slow")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err %v, want deadline exceeded", err)
	}
	if v.served.Load() != 0 {
		t.Fatal("vendor saw a timed-out request")
	}
	// The next request goes through.
	if resp, _, err := get(t, t.Context(), srv.URL+"/slow"); err != nil || resp.StatusCode != 200 {
		t.Fatalf("after timeout: %v %v", resp, err)
	}
}

func TestTimeoutReleasedByClose(t *testing.T) {
	srv, in, _ := newServer(t)
	in.FailNext(1, Timeout())
	done := make(chan error, 1)
	go func() { _, _, err := get(t, context.Background(), srv.URL+"/held"); done <- err }()
	if err := in.WaitHolding(t.Context(), 1); err != nil {
		t.Fatal(err)
	}
	in.Close()
	if in.Holding() != 0 {
		t.Fatalf("holding %d after Close", in.Holding())
	}
	if err := <-done; err != nil {
		t.Fatalf("released request: %v", err) // handler returned without writing: empty 200
	}
}

func TestResetIsConnectionReset(t *testing.T) {
	for _, served := range []bool{false, true} {
		t.Run(strconv.FormatBool(served), func(t *testing.T) {
			srv, in, v := newServer(t)
			f := Reset()
			if served {
				f = f.AfterServe()
			}
			in.FailNext(1, f)
			req, _ := http.NewRequest(http.MethodPost, srv.URL+"/create", nil)
			resp, err := http.DefaultClient.Do(req) // POST: net/http does not retry it
			if err == nil {
				resp.Body.Close()
				t.Fatalf("got %d, want an error", resp.StatusCode)
			}
			if !errors.Is(err, syscall.ECONNRESET) && !errors.Is(err, io.EOF) {
				t.Fatalf("err %v, want connection reset", err)
			}
			want := int64(0)
			if served {
				want = 1 // the lost response: the vendor did the work
			}
			if v.served.Load() != want {
				t.Fatalf("vendor served %d, want %d", v.served.Load(), want)
			}
			if e := in.Log()[0]; e.Status != 0 || e.Fault != KindReset {
				t.Fatalf("log %+v", e)
			}
		})
	}
}

func TestMalformedJSON(t *testing.T) {
	srv, in, _ := newServer(t)
	in.FailNext(1, MalformedJSON().AfterServe())
	in.FailNext(1, MalformedJSON())
	for i := range 2 {
		resp, body, err := get(t, t.Context(), srv.URL+"/j")
		if err != nil {
			t.Fatal(err)
		}
		var v any
		if resp.StatusCode != 200 || json.Unmarshal(body, &v) == nil {
			t.Fatalf("request %d: %d %q parses", i, resp.StatusCode, body)
		}
	}
}

func TestExpiredToken(t *testing.T) {
	srv, in, _ := newServer(t)
	in.FailNext(1, ExpiredToken(""))
	resp, body, err := get(t, t.Context(), srv.URL+"/me")
	if err != nil || resp.StatusCode != 401 || len(body) == 0 {
		t.Fatalf("%v %q %v", resp, body, err)
	}
}

func TestSlidingWindowLimiter(t *testing.T) {
	clk := NewManualClock(time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC))
	lim, err := NewLimiter("TEN_SECONDLY_ROLLING", 3, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	var remaining []string
	lim.Admit = func(w http.ResponseWriter, _ *http.Request, info LimitInfo) {
		w.Header().Set("X-Remaining", strconv.Itoa(info.Remaining))
	}
	srv, in, v := newServer(t, WithClock(clk), WithLimiter(lim))
	status := func() int {
		resp, _, err := get(t, t.Context(), srv.URL+"/r")
		if err != nil {
			t.Fatal(err)
		}
		remaining = append(remaining, resp.Header.Get("X-Remaining"))
		if resp.StatusCode == 429 && resp.Header.Get("Retry-After") == "" {
			t.Fatal("429 without Retry-After")
		}
		return resp.StatusCode
	}
	status() // t=0
	clk.Advance(4 * time.Second)
	status() // t=4
	status() // t=4
	if s := status(); s != 429 {
		t.Fatalf("4th in window: %d", s)
	}
	if ra := lim.Peek(clk.Now()).RetryAfter; ra != 6*time.Second {
		t.Fatalf("retry after %s, want 6s (oldest at t=0 leaves at t=10)", ra)
	}
	clk.Advance(6 * time.Second) // t=10: the t=0 request leaves the window
	if s := status(); s != 200 {
		t.Fatalf("after the window slid: %d", s)
	}
	if s := status(); s != 429 {
		t.Fatalf("window full again: %d", s)
	}
	if got := fmt.Sprint(remaining); got != "[2 1 0  0 ]" {
		t.Fatalf("remaining headers %s", got)
	}
	if v.served.Load() != 4 || in.Counters().RateLimited != 2 {
		t.Fatalf("served %d, limited %d", v.served.Load(), in.Counters().RateLimited)
	}
}

func TestLimiterCustomReject(t *testing.T) {
	lim, _ := NewLimiter("DAILY", 1, 24*time.Hour)
	lim.Reject = func(w http.ResponseWriter, _ *http.Request, info LimitInfo) {
		w.WriteHeader(http.StatusTooManyRequests)
		fmt.Fprintf(w, `{"policyName":%q}`, info.Name)
	}
	srv, _, _ := newServer(t, WithLimiter(lim))
	get(t, t.Context(), srv.URL)
	resp, body, err := get(t, t.Context(), srv.URL)
	if err != nil || resp.StatusCode != 429 || string(body) != `{"policyName":"DAILY"}` {
		t.Fatalf("%v %q %v", resp, body, err)
	}
}

func TestBypass(t *testing.T) {
	srv, in, _ := newServer(t, WithBypass(func(r *http.Request) bool { return r.URL.Path == "/_control" }))
	in.FailNext(1, Status(500, "", nil))
	if resp, _, _ := get(t, t.Context(), srv.URL+"/_control"); resp.StatusCode != 200 {
		t.Fatalf("bypassed path got %d", resp.StatusCode)
	}
	if resp, _, _ := get(t, t.Context(), srv.URL+"/x"); resp.StatusCode != 500 {
		t.Fatalf("fault consumed by the bypassed path: %d", resp.StatusCode)
	}
}

func TestLimiterMatch(t *testing.T) {
	clk := NewManualClock(time.Unix(0, 0))
	search, _ := NewLimiter("SECONDLY", 1, time.Second)
	search.Match = func(r *http.Request) bool { return r.URL.Path == "/search" }
	srv, _, _ := newServer(t, WithClock(clk), WithLimiter(search))
	for i := range 3 {
		if resp, _, _ := get(t, t.Context(), srv.URL+"/other"); resp.StatusCode != 200 {
			t.Fatalf("unmatched request %d limited", i)
		}
	}
	if resp, _, _ := get(t, t.Context(), srv.URL+"/search"); resp.StatusCode != 200 {
		t.Fatal("first search limited")
	}
	if resp, _, _ := get(t, t.Context(), srv.URL+"/search"); resp.StatusCode != 429 {
		t.Fatal("second search in the same second admitted")
	}
}
