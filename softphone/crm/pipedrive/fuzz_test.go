package pipedrive_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/pitchline/pitchline/softphone/crm"
	"github.com/pitchline/pitchline/softphone/crm/pipedrive"
)

// bodyTransport answers every request with a fixed status and body, so the
// fuzz target exercises the adapter's whole response path without a socket.
type bodyTransport struct {
	status int
	body   []byte
}

func (b bodyTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	return &http.Response{StatusCode: b.status, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(bytes.NewReader(b.body)), Request: r}, nil
}

// FuzzResponseDecoding feeds arbitrary bodies to every decoding path: it
// must never panic, and every failure must be one of the crm sentinels.
func FuzzResponseDecoding(f *testing.F) {
	f.Add(200, []byte(`{"success":true,"data":{"id":"abc"}}`))
	f.Add(200, []byte(`{"success":true,"data":[{"id":1,"name":"A B","org_id":{"value":2,"name":"X"},"phone":[{"value":"+1","label":"work"}],"update_time":"2026-01-01 00:00:00"}],"additional_data":{"pagination":{"more_items_in_collection":true,"next_start":1}}}`))
	f.Add(200, []byte(`{"success":true,"data":{"items":[{"item":{"id":5,"name":"Z","phones":["1"],"organization":{"id":1,"name":"O"}}}]}}`))
	f.Add(200, []byte(`{"success":true,"data":[{"item":"person","id":3,"data":null}],"additional_data":{"pagination":{"more_items_in_collection":true,"next_start":0}}}`))
	f.Add(200, []byte(`{"success":true,"data":[{"id":1,"title":"d","value":12.5,"person_id":7,"stage_id":"x"}]}`))
	f.Add(429, []byte(`{"success":false,"error":"daily"}`))
	f.Add(400, []byte(`{"success":false,"error":"x","errorCode":{"a":1}}`))
	f.Add(200, []byte(`{"success":true,"data":{"id":{"value":{"value":1}}}}`))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		if status < 100 || status > 599 {
			status = 200
		}
		c, err := pipedrive.New("tok", pipedrive.WithBaseURL("http://127.0.0.1:1/v1"),
			pipedrive.WithHTTPClient(&http.Client{Transport: bodyTransport{status, body}}))
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
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
		_, err = c.LookupPhone(ctx, "+15551234567")
		check(err)
		_, err = c.CreateTask(ctx, crm.Task{Title: "t"})
		check(err)
		for _, k := range []crm.ObjectKind{crm.KindContacts, crm.KindCompanies, crm.KindDeals} {
			_, err = c.Pull(ctx, k, time.Time{}, "")
			check(err)
			_, err = c.Pull(ctx, k, time.Unix(1, 0), "3")
			check(err)
		}
	})
}
