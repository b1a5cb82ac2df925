package sell_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/pitchline/pitchline/softphone/crm"
	"github.com/pitchline/pitchline/softphone/crm/sell"
)

type bodyTransport struct {
	status int
	body   []byte
}

func (b bodyTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	return &http.Response{StatusCode: b.status, Header: http.Header{}, Body: io.NopCloser(bytes.NewReader(b.body)), Request: r}, nil
}

// FuzzResponseDecoding feeds arbitrary bodies to every decoding path: it
// must never panic, and every failure must be one of the crm sentinels.
func FuzzResponseDecoding(f *testing.F) {
	f.Add(200, []byte(`{"data":{"id":1,"name":"x","email":"a"},"meta":{"type":"user"}}`))
	f.Add(200, []byte(`{"items":[{"data":{"id":3,"first_name":"A","contact_id":2,"address":{"line1":"x"},"updated_at":"2026-01-01T00:00:00Z"}}],"meta":{"links":{"next_page":"/x"}}}`))
	f.Add(200, []byte(`{"items":[{"data":{"id":3,"value":"12.5","external_id":"x"}}],"meta":{}}`))
	f.Add(200, []byte(`{"items":[{"data":null}],"meta":{"links":{"next_page":"y"}}}`))
	f.Add(422, []byte(`{"errors":[{"error":{"code":"invalid","message":"m","field":"f"}}]}`))
	f.Add(200, []byte(`{"data":{"id":"1e400"}}`))
	// One body that is a tag (GET /v2/tags/{id}), a Search API answer and a
	// v2 list at once, so PullList reaches every decoder.
	f.Add(200, []byte(`{"data":{"id":1,"name":"vip","resource_type":"contact"},"items":[{"successful":true,"data":{"id":2,"phone":"+1"},"items":[{"data":{"id":2}}],"meta":{"total_count":1,"links":{"next_page":"c"}}}]}`))
	f.Add(200, []byte(`{"items":[{"successful":false}]}`))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		if status < 100 || status > 599 {
			status = 200
		}
		c, err := sell.New("tok", sell.WithBaseURL("http://127.0.0.1:1"),
			sell.WithHTTPClient(&http.Client{Transport: bodyTransport{status, body}}))
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		check := func(err error) {
			if err == nil {
				return
			}
			for _, s := range []error{crm.ErrAuth, crm.ErrForbidden, crm.ErrRateLimited, crm.ErrTransient, crm.ErrRejected, crm.ErrBadResponse, crm.ErrNotFound} {
				if errors.Is(err, s) {
					return
				}
			}
			t.Fatalf("unclassified error: %v", err)
		}
		_, err = c.Check(ctx)
		check(err)
		_, err = c.CreateCalls(ctx, []crm.Call{{ID: "x", Started: time.Unix(0, 0), To: "1"}})
		check(err)
		_, err = c.FindCalls(ctx, []string{"x"})
		check(err)
		_, err = c.Outcomes(ctx)
		check(err)
		_, err = c.CreateTask(ctx, crm.Task{Title: "t"})
		check(err)
		_, err = c.LookupPhone(ctx, "+15551234567")
		check(err)
		// The list reads wait through 429 and 5xx answers; a short deadline
		// keeps such inputs quick (the error still wraps the sentinel).
		lctx, lcancel := context.WithTimeout(ctx, time.Second)
		_, err = c.Lists(lctx)
		check(err)
		_, err = c.PullList(lctx, "1", func(int, int) {})
		check(err)
		lcancel()
		for _, k := range []crm.ObjectKind{crm.KindContacts, crm.KindCompanies, crm.KindDeals} {
			_, err = c.Pull(ctx, k, time.Time{}, "")
			check(err)
			_, err = c.Pull(ctx, k, time.Unix(1, 0), "2")
			check(err)
		}
	})
}
