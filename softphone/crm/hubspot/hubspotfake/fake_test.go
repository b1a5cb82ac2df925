package hubspotfake

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3filter"

	"github.com/pitchline/pitchline/softphone/crm/crmtest"
)

func start(t *testing.T, opts ...Option) (*Server, string) {
	t.Helper()
	s, err := New(opts...)
	if err != nil {
		t.Fatal(err)
	}
	base, err := s.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, base
}

func post(t *testing.T, url, tok, body string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

// validateResponse checks a response against the same spec operation.
func validateResponse(t *testing.T, s *Server, method, path, reqBody string, resp *http.Response, body []byte) {
	t.Helper()
	req, _ := http.NewRequest(method, "http://x"+path, strings.NewReader(reqBody))
	route, err := s.specs.route(req)
	if err != nil {
		t.Fatal(err)
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, Route: route},
		Status:                 resp.StatusCode,
		Header:                 resp.Header,
		Body:                   io.NopCloser(bytes.NewReader(body)),
		Options:                &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}
	if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
		t.Fatalf("%s %s answered %d outside the spec: %v\n%s", method, path, resp.StatusCode, err, body)
	}
}

// TestSpecValidationRejects proves the validator can fail: hand-made
// bodies with wrong types or missing required fields get HubSpot's 400.
func TestSpecValidationRejects(t *testing.T) {
	s, base := start(t)
	good := `{"inputs":[{"properties":{"hs_timestamp":"1772442420000"},"associations":[]}]}`
	resp, body := post(t, base+"/crm/v3/objects/calls/batch/create", "test-token", good)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("valid body: %d %s", resp.StatusCode, body)
	}
	validateResponse(t, s, http.MethodPost, "/crm/v3/objects/calls/batch/create", good, resp, body)
	for name, bad := range map[string]string{
		"number where the spec says string": `{"inputs":[{"properties":{"hs_timestamp":1772442420000},"associations":[]}]}`,
		"missing associations":              `{"inputs":[{"properties":{"hs_timestamp":"1"}}]}`,
		"association type id as string":     `{"inputs":[{"properties":{"hs_timestamp":"1"},"associations":[{"to":{"id":"1"},"types":[{"associationCategory":"HUBSPOT_DEFINED","associationTypeId":"194"}]}]}]}`,
		"unknown association category":      `{"inputs":[{"properties":{"hs_timestamp":"1"},"associations":[{"to":{"id":"1"},"types":[{"associationCategory":"MADE_UP","associationTypeId":194}]}]}]}`,
		"not JSON":                          `{"inputs":`,
	} {
		resp, body := post(t, base+"/crm/v3/objects/calls/batch/create", "test-token", bad)
		var e apiError
		if resp.StatusCode != http.StatusBadRequest || json.Unmarshal(body, &e) != nil || e.Category != "VALIDATION_ERROR" || e.Status != "error" || e.CorrelationID == "" {
			t.Errorf("%s: %d %s", name, resp.StatusCode, body)
		}
	}
	search := `{"filterGroups":[{"filters":[{"propertyName":"phone","operator":"EQ","value":"+1"}]}],"properties":["phone"],"limit":10}`
	if resp, body := post(t, base+"/crm/v3/objects/contacts/search", "test-token", search); resp.StatusCode != 400 {
		t.Errorf("search without the required after/sorts: %d %s", resp.StatusCode, body)
	}
	if len(s.Calls()) != 1 {
		t.Fatalf("stored %d calls", len(s.Calls()))
	}
}

func TestResponsesMatchSpec(t *testing.T) {
	s, base := start(t)
	contact := s.AddContact(map[string]string{"firstname": "A", "phone": "+1555"})
	body := `{"inputs":[
	 {"properties":{"hs_timestamp":"1","hs_call_external_id":"x1"},"associations":[{"to":{"id":"` + contact + `"},"types":[{"associationCategory":"HUBSPOT_DEFINED","associationTypeId":194}]}],"objectWriteTraceId":"x1"},
	 {"properties":{"hs_timestamp":"1","hs_call_status":"NOPE"},"associations":[],"objectWriteTraceId":"x2"}]}`
	resp, b := post(t, base+"/crm/v3/objects/calls/batch/create", "test-token", body)
	if resp.StatusCode != http.StatusMultiStatus {
		t.Fatalf("%d %s", resp.StatusCode, b)
	}
	validateResponse(t, s, http.MethodPost, "/crm/v3/objects/calls/batch/create", body, resp, b)
	if !strings.Contains(string(b), `"objectWriteTraceId":["x2"]`) {
		t.Fatalf("207 error without the input's trace id: %s", b)
	}
	search := `{"filterGroups":[{"filters":[{"propertyName":"phone","operator":"EQ","value":"+1555"}]}],"properties":["phone"],"sorts":[],"limit":10,"after":"0"}`
	resp, b = post(t, base+"/crm/v3/objects/contacts/search", "test-token", search)
	if resp.StatusCode != 200 || !strings.Contains(string(b), `"total":1`) {
		t.Fatalf("%d %s", resp.StatusCode, b)
	}
	validateResponse(t, s, http.MethodPost, "/crm/v3/objects/contacts/search", search, resp, b)
}

func TestAuthAndRateLimitShapes(t *testing.T) {
	clk := crmtest.NewManualClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	s, base := start(t, WithClock(clk), WithBurstLimit(2, 10*time.Second), WithRetryAfter())
	get := func(tok string) (*http.Response, []byte) {
		req, _ := http.NewRequest(http.MethodGet, base+"/calling/v1/dispositions", nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, b
	}
	if resp, b := get("wrong"); resp.StatusCode != 401 || !strings.Contains(string(b), "INVALID_AUTHENTICATION") {
		t.Fatalf("wrong token: %d %s", resp.StatusCode, b)
	}
	resp, _ := get("test-token")
	h := resp.Header
	if h.Get("X-HubSpot-RateLimit-Max") != "2" || h.Get("X-HubSpot-RateLimit-Remaining") != "1" ||
		h.Get("X-HubSpot-RateLimit-Interval-Milliseconds") != "10000" || h.Get("X-HubSpot-RateLimit-Daily") == "" {
		t.Fatalf("headers %v", h)
	}
	get("test-token")
	resp, b := get("test-token")
	var body map[string]string
	json.Unmarshal(b, &body)
	if resp.StatusCode != 429 || body["policyName"] != "TEN_SECONDLY_ROLLING" || body["errorType"] != "RATE_LIMIT" || resp.Header.Get("Retry-After") != "10" {
		t.Fatalf("429: %d %s %v", resp.StatusCode, b, resp.Header)
	}
	clk.Advance(10 * time.Second)
	if resp, _ := get("test-token"); resp.StatusCode != 200 {
		t.Fatalf("after the window: %d", resp.StatusCode)
	}
	s.ExpireToken("test-token")
	if resp, b := get("test-token"); resp.StatusCode != 401 || !strings.Contains(string(b), "EXPIRED_AUTHENTICATION") {
		t.Fatalf("expired: %d %s", resp.StatusCode, b)
	}
}

func TestControlEndpointAndListenAndServe(t *testing.T) {
	s, err := New()
	if err != nil {
		t.Fatal(err)
	}
	s.AddContact(map[string]string{"firstname": "x"})
	done := make(chan error, 1)
	go func() { done <- s.ListenAndServe("127.0.0.1:0") }()
	<-s.Ready()
	if _, err := s.Start(); err == nil {
		t.Fatal("second listener accepted")
	}
	resp, err := http.Get("http://" + s.Addr() + "/_fake/contacts")
	if err != nil {
		t.Fatal(err)
	}
	var objs []Object
	json.NewDecoder(resp.Body).Decode(&objs)
	resp.Body.Close()
	if len(objs) != 1 || objs[0].Properties["firstname"] != "x" {
		t.Fatalf("control view %+v", objs)
	}
	s.Close()
	if err := <-done; err != nil {
		t.Fatalf("ListenAndServe returned %v after Close", err)
	}
}
