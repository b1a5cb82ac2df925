package crm

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
)

// MaxResponseBody caps how much of a vendor's answer an adapter reads.
const MaxResponseBody = 16 << 20

// Send is the HTTP exchange the vendor adapters share: it JSON-encodes
// body (nil: no body), sends method url with header plus Accept (and
// Content-Type) application/json, and reads at most MaxResponseBody bytes
// of the answer. A failure to get a whole answer is a TransportError; any
// status is returned as is, for the adapter's own error mapping. The
// response's body is already read and closed; its status and header stay
// usable.
func Send(ctx context.Context, hc *http.Client, vendor Vendor, op, method, url string, header http.Header, body any) (*http.Response, []byte, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %s: encode: %w", vendor, op, err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %s: %w", vendor, op, err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, nil, TransportError(vendor, op, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, MaxResponseBody))
	if err != nil {
		return nil, nil, TransportError(vendor, op, err)
	}
	return resp, data, nil
}
