package hubspot

import (
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/pitchline/pitchline/softphone/crm"
)

// FuzzDecodeBatchResponse: any body yields one result per input or a
// classified error, never a panic.
func FuzzDecodeBatchResponse(f *testing.F) {
	f.Add([]byte(`{"status":"COMPLETE","results":[{"id":"1","objectWriteTraceId":"a","properties":{}}],"startedAt":"x","completedAt":"y"}`))
	f.Add([]byte(`{"status":"COMPLETE","results":[{"id":"1","properties":{"hs_call_external_id":"b"}}],"errors":[{"status":"error","category":"VALIDATION_ERROR","message":"m","context":{"objectWriteTraceId":["a"]}}],"numErrors":1}`))
	f.Add([]byte(`{"results":[{"id":"1","properties":{"x":null}},{"id":"2"}]}`))
	f.Add([]byte(`{"results":[{"id":""}]}`))
	f.Add([]byte(`{"errors":[{"status":"503","category":"RATE_LIMITS","message":"m"}]}`))
	f.Add([]byte(`{"status":"COMPLETE","results":[{"id":"1"`))
	f.Add([]byte(`<html>`))
	f.Fuzz(func(t *testing.T, body []byte) {
		ids := []string{"a", "b"}
		res, err := decodeBatchResponse(body, ids)
		if err != nil {
			if !errors.Is(err, crm.ErrBadResponse) && !errors.Is(err, crm.ErrTransient) {
				t.Fatalf("unclassified error %v", err)
			}
			return
		}
		if len(res) != len(ids) {
			t.Fatalf("%d results for %d inputs", len(res), len(ids))
		}
		for i, r := range res {
			if r.LocalID != ids[i] || (r.RemoteID == "") == (r.Err == nil) {
				t.Fatalf("result %d: %+v", i, r)
			}
		}
	})
}

// FuzzStatusError: any error answer maps to exactly one sentinel.
func FuzzStatusError(f *testing.F) {
	f.Add(429, `{"status":"error","message":"You have reached your daily limit.","policyName":"DAILY"}`, "")
	f.Add(429, `{}`, "Wed, 21 Oct 2015 07:28:00 GMT")
	f.Add(400, `{"status":"error","message":"bad","category":"VALIDATION_ERROR"}`, "")
	f.Add(404, `{"category":"OBJECT_NOT_FOUND"}`, "")
	f.Add(503, `not json`, "-1")
	c, _ := New("t")
	f.Fuzz(func(t *testing.T, status int, body, retryAfter string) {
		if status < 300 || status > 599 {
			return
		}
		h := http.Header{}
		h.Set("Retry-After", retryAfter)
		err := c.statusError(status, h, []byte(body), time.Unix(1e9, 0))
		n := 0
		for _, s := range []error{crm.ErrAuth, crm.ErrForbidden, crm.ErrRateLimited, crm.ErrTransient, crm.ErrRejected, crm.ErrNotFound, crm.ErrBadResponse} {
			if errors.Is(err, s) {
				n++
			}
		}
		var apiErr *crm.APIError
		if n != 1 || !errors.As(err, &apiErr) || apiErr.Status != status {
			t.Fatalf("status %d: %v matches %d sentinels", status, err, n)
		}
		var rl *crm.RateLimitError
		if errors.As(err, &rl) && rl.RetryAfter < 0 {
			t.Fatalf("negative retry %v", rl.RetryAfter)
		}
	})
}

// FuzzDecodeCursor: a pull cursor from anywhere is accepted or refused
// with ErrBadCursor.
func FuzzDecodeCursor(f *testing.F) {
	f.Add(pullCursor{Mode: "s", Since: 5, After: "100"}.encode())
	f.Add("")
	f.Add("e30")
	f.Fuzz(func(t *testing.T, s string) {
		if _, err := decodeCursor(s); err != nil && !errors.Is(err, ErrBadCursor) {
			t.Fatal(err)
		}
	})
}

func TestPacerSlidingWindow(t *testing.T) {
	clk := &manualClock{now: time.Unix(1000, 0), blocked: make(chan struct{}, 1)}
	p := newPacer(clk, 3, 10*time.Second)
	for range 3 {
		if d, err := p.wait(t.Context()); err != nil || d != 0 {
			t.Fatalf("free slot waited %s %v", d, err)
		}
	}
	done := make(chan time.Duration, 1)
	go func() { d, _ := p.wait(t.Context()); done <- d }()
	<-clk.blocked // the goroutine waits on the clock
	clk.Advance(10*time.Second + pacerMargin)
	if d := <-done; d != 10*time.Second+pacerMargin {
		t.Fatalf("waited %s", d)
	}
	// HubSpot says 0 remaining although our log has room: another client
	// shares the token.
	p2 := newPacer(clk, 5, 10*time.Second)
	h := http.Header{"X-Hubspot-Ratelimit-Remaining": {"0"}}
	p2.observe(h, clk.Now())
	if d := p2.untilSlot(clk.Now()); d != 10*time.Second+pacerMargin {
		t.Fatalf("after Remaining 0: slot in %s", d)
	}
}
