package zoho_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/pitchline/pitchline/softphone/crm"
	"github.com/pitchline/pitchline/softphone/crm/zoho"
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
	f.Add(201, []byte(`{"data":[{"code":"SUCCESS","details":{"id":"41"},"message":"record added","status":"success"}]}`))
	f.Add(207, []byte(`{"data":[{"code":"SUCCESS","details":{"id":"41"},"status":"success"},{"code":"INVALID_DATA","details":{"api_name":"X"},"status":"error"}]}`))
	f.Add(400, []byte(`{"data":[{"code":"INVALID_DATA","details":{"api_name":"Call_Type"},"message":"invalid data","status":"error"}]}`))
	f.Add(200, []byte(`{"data":[{"id":"1","First_Name":"A","Account_Name":{"id":"2","name":"B"},"Modified_Time":"2026-01-01T00:00:00+05:30"}],"info":{"more_records":true}}`))
	f.Add(200, []byte(`{"data":[{"id":"1","Deal_Name":"d","Amount":12.5,"Contact_Name":{"id":"3"}}]}`))
	f.Add(200, []byte(`{"fields":[{"api_name":"Call_Result","pick_list_values":[{"display_value":"a","actual_value":"a"}]}]}`))
	f.Add(200, []byte(`{"org":[{"id":"1"}],"users":[{"id":"2"}]}`))
	f.Add(429, []byte(`{"code":"LIMIT_EXCEEDED","details":[],"status":"error"}`))
	f.Add(204, []byte(``))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		if status < 100 || status > 599 {
			status = 200
		}
		c, err := zoho.New("tok", zoho.WithBaseURL("http://127.0.0.1:1/crm/v2"),
			zoho.WithHTTPClient(&http.Client{Transport: bodyTransport{status, body}}))
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
		_, err = c.Outcomes(ctx)
		check(err)
		res, err := c.CreateCalls(ctx, []crm.Call{{ID: "a", Started: time.Unix(0, 0)}, {ID: "b", Started: time.Unix(0, 0)}})
		check(err)
		for _, r := range res {
			check(r.Err)
		}
		_, err = c.FindCalls(ctx, []string{"a"})
		check(err)
		_, err = c.CreateTask(ctx, crm.Task{Title: "t"})
		check(err)
		_, err = c.LookupPhone(ctx, "+15551234567")
		check(err)
		for _, k := range []crm.ObjectKind{crm.KindContacts, crm.KindCompanies, crm.KindDeals} {
			_, err = c.Pull(ctx, k, time.Time{}, "")
			check(err)
			_, err = c.Pull(ctx, k, time.Unix(1, 0), "2")
			check(err)
		}
	})
}
