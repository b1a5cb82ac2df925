package zoho_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/pitchline/pitchline/softphone/crm"
	"github.com/pitchline/pitchline/softphone/crm/crmtest"
	"github.com/pitchline/pitchline/softphone/crm/zoho"
	"github.com/pitchline/pitchline/softphone/crm/zoho/zohofake"
)

func TestFaultsMapToSentinels(t *testing.T) {
	cases := []struct {
		name  string
		fault crmtest.Fault
		want  error
		check func(t *testing.T, err error)
	}{
		{"429 concurrency", crmtest.Status(429, `{"code":"TOO_MANY_REQUESTS","details":{},"message":"too many","status":"error"}`, nil), crm.ErrRateLimited,
			func(t *testing.T, err error) {
				var rl *crm.RateLimitError
				if !errors.As(err, &rl) || rl.Daily || rl.RetryAfter != 0 {
					t.Fatalf("%+v", rl)
				}
			}},
		{"429 credits", crmtest.Status(429, `{"code":"LIMIT_EXCEEDED","details":{},"message":"credits","status":"error"}`, http.Header{"Retry-After": {"60"}}), crm.ErrRateLimited,
			func(t *testing.T, err error) {
				var rl *crm.RateLimitError
				if !errors.As(err, &rl) || !rl.Daily || rl.RetryAfter != time.Minute {
					t.Fatalf("%+v", rl)
				}
			}},
		{"500", crmtest.Status(500, `{"code":"INTERNAL_ERROR","details":{},"message":"Internal Server Error","status":"error"}`, nil), crm.ErrTransient, nil},
		{"502 html", crmtest.Status(502, `<html></html>`, nil), crm.ErrTransient, nil},
		{"403 scope", crmtest.Status(403, `{"code":"OAUTH_SCOPE_MISMATCH","details":{},"message":"invalid oauth scope","status":"error"}`, nil), crm.ErrForbidden,
			func(t *testing.T, err error) {
				var apiErr *crm.APIError
				if !errors.As(err, &apiErr) || apiErr.Code != "OAUTH_SCOPE_MISMATCH" {
					t.Fatalf("%+v", apiErr)
				}
			}},
		{"timeout", crmtest.Timeout(), crm.ErrTransient, nil},
		{"reset", crmtest.Reset(), crm.ErrTransient, nil},
		{"malformed json", crmtest.MalformedJSON(), crm.ErrBadResponse, nil},
		{"expired token", crmtest.ExpiredToken(`{"code":"INVALID_TOKEN","details":{},"message":"invalid oauth token","status":"error"}`), crm.ErrAuth, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f, c := setup(t, nil, zoho.WithHTTPClient(&http.Client{Timeout: 300 * time.Millisecond}))
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
			if res, err := c.CreateCalls(context.Background(), []crm.Call{testCall("fault-2")}); err != nil || res[0].Err != nil {
				t.Fatalf("after fault: %v %+v", err, res)
			}
		})
	}
}

func TestRealExpiredToken(t *testing.T) {
	f, c := setup(t, nil)
	f.ExpireToken()
	var apiErr *crm.APIError
	if _, err := c.Check(context.Background()); !errors.Is(err, crm.ErrAuth) || !errors.As(err, &apiErr) || apiErr.Code != "INVALID_TOKEN" {
		t.Fatalf("err = %v", err)
	}
}

func TestLostResponseFindCallsPreventsDuplicate(t *testing.T) {
	f, c := setup(t, nil)
	ctx := context.Background()
	if err := f.Faults().FailPath(http.MethodPost, "/crm/v2/Calls", 1, crmtest.Reset().AfterServe()); err != nil {
		t.Fatal(err)
	}
	batch := []crm.Call{testCall("3f1e-lost-a"), testCall("3f1e-lost-b")}
	if _, err := c.CreateCalls(ctx, batch); !errors.Is(err, crm.ErrTransient) {
		t.Fatalf("lost response: %v", err)
	}
	recs := f.Records("Calls")
	if len(recs) != 2 {
		t.Fatalf("fake holds %d calls", len(recs))
	}
	found, err := c.FindCalls(ctx, []string{"3f1e-lost-a", "3f1e-lost-b", "3f1e-lost"})
	if err != nil {
		t.Fatal(err)
	}
	// "3f1e-lost" is a prefix of both: the tag check keeps it out.
	if len(found) != 2 || found["3f1e-lost-a"] != recs[0].ID || found["3f1e-lost-b"] != recs[1].ID {
		t.Fatalf("found %v", found)
	}
}

func TestCreditsLimitFromFake(t *testing.T) {
	clock := crmtest.NewManualClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	_, c := setup(t, []zohofake.Option{zohofake.WithClock(clock), zohofake.WithCredits(2)})
	ctx := context.Background()
	if _, err := c.Check(ctx); err != nil { // 2 requests
		t.Fatal(err)
	}
	_, err := c.Outcomes(ctx)
	var rl *crm.RateLimitError
	if !errors.As(err, &rl) || !rl.Daily {
		t.Fatalf("credits: %v", err)
	}
	clock.Advance(24 * time.Hour)
	if _, err := c.Outcomes(ctx); err != nil {
		t.Fatalf("after 24 h: %v", err)
	}
}

func TestConcurrencyLimitFromFake(t *testing.T) {
	f, c := setup(t, []zohofake.Option{zohofake.WithConcurrency(1)})
	if err := f.Faults().FailNext(1, crmtest.Timeout()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { _, err := c.Outcomes(ctx); done <- err }()
	wctx, wcancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer wcancel()
	if err := f.Faults().WaitHolding(wctx, 1); err != nil {
		t.Fatal(err)
	}
	_, err := c.Check(context.Background())
	var rl *crm.RateLimitError
	if !errors.As(err, &rl) || rl.Daily {
		t.Fatalf("second concurrent request: %v", err)
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("held request: %v", err)
	}
}
