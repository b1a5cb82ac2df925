package sell_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/pitchline/pitchline/softphone/crm"
	"github.com/pitchline/pitchline/softphone/crm/crmtest"
	"github.com/pitchline/pitchline/softphone/crm/sell"
	"github.com/pitchline/pitchline/softphone/crm/sell/sellfake"
)

func TestFaultsMapToSentinels(t *testing.T) {
	cases := []struct {
		name  string
		fault crmtest.Fault
		want  error
		check func(t *testing.T, err error)
	}{
		{"429 bare", crmtest.Status(429, `{"errors":[{"error":{"code":"rate_limit_exceeded","message":"Rate limit exceeded"}}]}`, nil), crm.ErrRateLimited,
			func(t *testing.T, err error) {
				var rl *crm.RateLimitError
				if !errors.As(err, &rl) || rl.RetryAfter != 0 || rl.Daily || rl.Message != "Rate limit exceeded" {
					t.Fatalf("%+v", rl)
				}
			}},
		{"429 retry-after", crmtest.Status(429, ``, http.Header{"Retry-After": {"5"}}), crm.ErrRateLimited,
			func(t *testing.T, err error) {
				var rl *crm.RateLimitError
				if !errors.As(err, &rl) || rl.RetryAfter != 5*time.Second {
					t.Fatalf("%+v", rl)
				}
			}},
		{"500", crmtest.Status(500, `{"errors":[{"error":{"code":"server_error","message":"Internal"}}]}`, nil), crm.ErrTransient, nil},
		{"503 html", crmtest.Status(503, `<html></html>`, nil), crm.ErrTransient, nil},
		{"403", crmtest.Status(403, `{"errors":[{"error":{"code":"forbidden","message":"Forbidden"}}]}`, nil), crm.ErrForbidden, nil},
		{"timeout", crmtest.Timeout(), crm.ErrTransient, nil},
		{"reset", crmtest.Reset(), crm.ErrTransient, nil},
		{"malformed json", crmtest.MalformedJSON(), crm.ErrBadResponse, nil},
		{"expired token", crmtest.ExpiredToken(`{"errors":[{"error":{"code":"unauthorized","message":"Unauthorized"}}],"meta":{"http_status":"401 Unauthorized"}}`), crm.ErrAuth,
			func(t *testing.T, err error) {
				var apiErr *crm.APIError
				if !errors.As(err, &apiErr) || apiErr.Code != "unauthorized" {
					t.Fatalf("%+v", apiErr)
				}
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f, c := setup(t, nil, sell.WithHTTPClient(&http.Client{Timeout: 300 * time.Millisecond}))
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
			if _, err := c.CreateCalls(context.Background(), []crm.Call{testCall("fault-2")}); err != nil {
				t.Fatalf("after fault: %v", err)
			}
		})
	}
}

func TestRealExpiredToken(t *testing.T) {
	f, c := setup(t, nil)
	f.ExpireToken()
	var apiErr *crm.APIError
	if _, err := c.Check(context.Background()); !errors.Is(err, crm.ErrAuth) || !errors.As(err, &apiErr) || apiErr.Code != "unauthorized" {
		t.Fatalf("err = %v", err)
	}
}

func TestLostResponseFindCallsPreventsDuplicate(t *testing.T) {
	f, c := setup(t, nil)
	ctx := context.Background()
	for i := range 130 {
		if _, err := c.CreateCalls(ctx, []crm.Call{testCall("other-" + itoa(int64(i)))}); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.Faults().FailPath(http.MethodPost, "/v2/calls", 1, crmtest.Reset().AfterServe()); err != nil {
		t.Fatal(err)
	}
	call := testCall("5e0c7c1a-lost-response")
	if _, err := c.CreateCalls(ctx, []crm.Call{call}); !errors.Is(err, crm.ErrTransient) {
		t.Fatalf("lost response: %v", err)
	}
	calls := f.Calls()
	if len(calls) != 131 || calls[130].ExternalID != call.ID {
		t.Fatalf("fake holds %d calls", len(calls))
	}
	found, err := c.FindCalls(ctx, []string{call.ID, "never-sent", "other-3"})
	if err != nil {
		t.Fatal(err)
	}
	if len(found) != 2 || found[call.ID] != itoa(calls[130].ID) || found["other-3"] != itoa(calls[3].ID) {
		t.Fatalf("found %v", found)
	}
}

func TestHourlyLimitFromFake(t *testing.T) {
	clock := crmtest.NewManualClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	f, c := setup(t, []sellfake.Option{sellfake.WithClock(clock), sellfake.WithHourlyLimit(4)})
	ctx := context.Background()
	for range 2 { // Check costs two requests
		if _, err := c.Check(ctx); err != nil {
			t.Fatal(err)
		}
	}
	_, err := c.Check(ctx)
	var rl *crm.RateLimitError
	if !errors.As(err, &rl) || rl.RetryAfter != 0 || rl.Daily {
		t.Fatalf("5th request: %v", err)
	}
	for _, e := range f.Faults().Log() {
		if e.Limited != "" && e.Status != 429 {
			t.Fatalf("limited entry %+v", e)
		}
	}
	clock.Advance(time.Hour)
	if _, err := c.Check(ctx); err != nil {
		t.Fatalf("after the hour: %v", err)
	}
}
