package pipedrive_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pitchline/pitchline/softphone/crm"
	"github.com/pitchline/pitchline/softphone/crm/crmtest"
	"github.com/pitchline/pitchline/softphone/crm/pipedrive"
	"github.com/pitchline/pitchline/softphone/crm/pipedrive/pipedrivefake"
)

func TestFaultsMapToSentinels(t *testing.T) {
	cases := []struct {
		name  string
		fault crmtest.Fault
		want  error
		check func(t *testing.T, err error)
	}{
		{"429 retry-after", crmtest.Status(429, `{"success":false,"error":"Request over limit"}`, http.Header{"Retry-After": {"7"}}), crm.ErrRateLimited,
			func(t *testing.T, err error) {
				var rl *crm.RateLimitError
				if !errors.As(err, &rl) || rl.RetryAfter != 7*time.Second || rl.Daily {
					t.Fatalf("rate limit %+v", rl)
				}
			}},
		{"429 x-ratelimit-reset", crmtest.Status(429, `{"success":false,"error":"Request over limit"}`, http.Header{"X-Ratelimit-Reset": {"2"}}), crm.ErrRateLimited,
			func(t *testing.T, err error) {
				var rl *crm.RateLimitError
				if !errors.As(err, &rl) || rl.RetryAfter != 2*time.Second {
					t.Fatalf("rate limit %+v", rl)
				}
			}},
		{"429 daily", crmtest.Status(429, `{"success":false,"error":"Daily token budget exceeded"}`, http.Header{"X-Daily-Requests-Left": {"0"}}), crm.ErrRateLimited,
			func(t *testing.T, err error) {
				var rl *crm.RateLimitError
				if !errors.As(err, &rl) || !rl.Daily {
					t.Fatalf("rate limit %+v", rl)
				}
			}},
		{"500", crmtest.Status(500, `{"success":false,"error":"Internal server error"}`, nil), crm.ErrTransient, nil},
		{"502 html", crmtest.Status(502, `<html>bad gateway</html>`, nil), crm.ErrTransient, nil},
		{"503", crmtest.Status(503, ``, nil), crm.ErrTransient, nil},
		{"403", crmtest.Status(403, `{"success":false,"error":"You do not have permission"}`, nil), crm.ErrForbidden, nil},
		{"timeout", crmtest.Timeout(), crm.ErrTransient, nil},
		{"reset", crmtest.Reset(), crm.ErrTransient, nil},
		{"malformed json", crmtest.MalformedJSON(), crm.ErrBadResponse, nil},
		{"expired token", crmtest.ExpiredToken(`{"success":false,"error":"unauthorized access","errorCode":401}`), crm.ErrAuth,
			func(t *testing.T, err error) {
				var apiErr *crm.APIError
				if !errors.As(err, &apiErr) || apiErr.Message != "unauthorized access" || apiErr.Code != "401" {
					t.Fatalf("api error %+v", apiErr)
				}
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f, c := setup(t, nil, pipedrive.WithHTTPClient(&http.Client{Timeout: 300 * time.Millisecond}))
			if err := f.Faults().FailNext(1, tc.fault); err != nil {
				t.Fatal(err)
			}
			_, err := c.CreateCalls(context.Background(), []crm.Call{testCall("fault-1")})
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if tc.check != nil {
				tc.check(t, err)
			}
			// The fault was one-shot: the next attempt goes through.
			if _, err := c.CreateCalls(context.Background(), []crm.Call{testCall("fault-2")}); err != nil {
				t.Fatalf("after fault: %v", err)
			}
		})
	}
}

func TestRealExpiredToken(t *testing.T) {
	f, c := setup(t, nil)
	f.ExpireToken()
	if _, err := c.Check(context.Background()); !errors.Is(err, crm.ErrAuth) {
		t.Fatalf("err = %v", err)
	}
}

func TestLostResponseFindCallsPreventsDuplicate(t *testing.T) {
	f, c := setup(t, []pipedrivefake.Option{pipedrivefake.WithBurstLimit(1000)})
	ctx := context.Background()
	// Other calls first, so FindCalls has to page (50 per page).
	for i := range 60 {
		if _, err := c.CreateCalls(ctx, []crm.Call{testCall("other-" + itoa(int64(i)))}); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.Faults().FailPath(http.MethodPost, "/v1/callLogs", 1, crmtest.Reset().AfterServe()); err != nil {
		t.Fatal(err)
	}
	call := testCall("5e0c7c1a-lost-response")
	_, err := c.CreateCalls(ctx, []crm.Call{call})
	if !errors.Is(err, crm.ErrTransient) {
		t.Fatalf("lost response: %v", err)
	}
	if n := len(f.CallLogs()); n != 61 {
		t.Fatalf("fake holds %d logs, want 61 (the lost one was created)", n)
	}
	found, err := c.FindCalls(ctx, []string{call.ID, "never-sent"})
	if err != nil {
		t.Fatal(err)
	}
	logs := f.CallLogs()
	if len(found) != 1 || found[call.ID] != logs[60].ID {
		t.Fatalf("found %v, want %s", found, logs[60].ID)
	}
	// The worker would now skip the re-send; the fake holds one copy.
	n := 0
	for _, l := range logs {
		if l.Subject == call.Title && strings.Contains(l.Note, pipedrive.Tag(call.ID)) {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("%d copies", n)
	}
}

func TestBurstLimitFromFake(t *testing.T) {
	clock := crmtest.NewManualClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	_, c := setup(t, []pipedrivefake.Option{pipedrivefake.WithClock(clock), pipedrivefake.WithBurstLimit(3)})
	ctx := context.Background()
	for range 3 {
		if _, err := c.Check(ctx); err != nil {
			t.Fatal(err)
		}
	}
	clock.Advance(500 * time.Millisecond)
	_, err := c.Check(ctx)
	var rl *crm.RateLimitError
	if !errors.As(err, &rl) || rl.Daily || rl.RetryAfter != 2*time.Second {
		t.Fatalf("4th request: %v (%+v)", err, rl)
	}
	clock.Advance(1600 * time.Millisecond)
	if _, err := c.Check(ctx); err != nil {
		t.Fatalf("after the window: %v", err)
	}
}

func TestDailyLimitFromFake(t *testing.T) {
	clock := crmtest.NewManualClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	_, c := setup(t, []pipedrivefake.Option{pipedrivefake.WithClock(clock), pipedrivefake.WithDailyLimit(2)})
	ctx := context.Background()
	for range 2 {
		if _, err := c.Check(ctx); err != nil {
			t.Fatal(err)
		}
	}
	_, err := c.Check(ctx)
	var rl *crm.RateLimitError
	if !errors.As(err, &rl) || !rl.Daily || rl.RetryAfter != 24*time.Hour {
		t.Fatalf("daily: %v (%+v)", err, rl)
	}
}

func TestSearchLimitFromFake(t *testing.T) {
	clock := crmtest.NewManualClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	_, c := setup(t, []pipedrivefake.Option{pipedrivefake.WithClock(clock), pipedrivefake.WithBurstLimit(100)})
	ctx := context.Background()
	var err error
	n := 0
	for ; n < 20 && err == nil; n++ {
		_, err = c.Search(ctx, "abc", 5)
	}
	if !errors.Is(err, crm.ErrRateLimited) || n != 11 {
		t.Fatalf("after %d searches: %v", n, err)
	}
}
