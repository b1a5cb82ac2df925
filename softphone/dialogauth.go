package softphone

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
	"github.com/icholy/digest"
)

// This file is the one place where in-dialog requests (BYE, re-INVITE,
// REFER, NOTIFY, INFO, ...) are sent. Proxies and carrier trunks may
// challenge any request from their own domain, in-dialog ones included;
// RFC 3261 §22.2 (https://www.rfc-editor.org/rfc/rfc3261#section-22.2)
// and §8.1.3.5 say the UAC re-sends the request once with credentials and
// a new CSeq. CANCEL is never challenged nor re-sent (§22.1): it is sent by
// sipgo's WaitAnswer and never comes here, and sendInDialog refuses to
// re-send one.

// dialogSession is what sendInDialog needs of sipgo's dialog sessions
// (*sipgo.DialogClientSession for calls we placed, *sipgo.DialogServerSession
// for calls we answered). Both fill in From, To, Call-ID, the route set and
// the next dialog CSeq (RFC 3261 §12.2.1.1) on every request they send.
type dialogSession interface {
	Do(ctx context.Context, req *sip.Request) (*sip.Response, error)
	WriteBye(ctx context.Context, bye *sip.Request) error
}

// inDialogRequest is a request template sendInDialog fills: method,
// Request-URI (the remote target), the method's own headers and body.
// Dialog headers (From, To, Call-ID, CSeq, Route, Via, Contact) are left to
// the dialog session so that a re-sent copy gets fresh ones.
func inDialogRequest(method sip.RequestMethod, target sip.Uri) *sip.Request {
	return sip.NewRequest(method, target)
}

// sendInDialog sends tmpl within dlg and returns the final response.
//
//   - A 401 or 407 is answered once (RFC 3261 §22.2): a copy of tmpl with
//     Authorization or Proxy-Authorization for every challenge is sent as a
//     new transaction, with the next dialog CSeq, the same Call-ID, tags and
//     route set. If that copy is challenged again, the credentials were
//     refused: the response comes back with an error wrapping ErrAuthFailed.
//   - For an INVITE (re-INVITE) a 2xx is acknowledged here, with the CSeq
//     number of the INVITE that got it, i.e. the re-sent one after a
//     challenge, and the same credentials (RFC 3261 §13.2.2.4). sipgo's
//     transaction layer ACKs non-2xx answers itself.
//   - A BYE goes through the session's WriteBye, which also ends the sipgo
//     dialog; WriteBye reports only errors, so success comes back as a 200
//     built from the request.
//
// tmpl is not modified; the error is non-nil when no final response
// arrived (transport failure, timeout) or the credentials were refused.
func sendInDialog(ctx context.Context, dlg dialogSession, client *sipgo.Client, auth sipgo.DigestAuth, tmpl *sip.Request) (*sip.Response, error) {
	if dlg == nil {
		return nil, fmt.Errorf("%w: %s without a dialog", ErrInvalidState, tmpl.Method)
	}
	req := clone(tmpl)
	res, err := sendOnce(ctx, dlg, req)
	if err != nil {
		return nil, err
	}
	if challenged(res) && !req.IsCancel() && !req.IsAck() {
		retry := clone(tmpl)
		if err := authorize(retry, res, auth); err != nil {
			return res, fmt.Errorf("%w: cannot answer the %d challenge to %s: %v", ErrAuthFailed, res.StatusCode, req.Method, err)
		}
		req = retry
		res, err = sendOnce(ctx, dlg, req)
		if err != nil {
			return nil, err
		}
		if challenged(res) {
			return res, fmt.Errorf("%w: %s challenged again after sending credentials for %q (%d %s)",
				ErrAuthFailed, req.Method, auth.Username, res.StatusCode, res.Reason)
		}
	}
	if req.IsInvite() && res.IsSuccess() {
		if err := client.WriteRequest(ackFor(req), sipgo.ClientRequestAddVia); err != nil {
			return res, fmt.Errorf("softphone: ACK for %s: %w", req.Method, err)
		}
	}
	return res, nil
}

// clone copies a request template. sip.Request.Clone pins the clone's
// destination to what the original would resolve to now (its Request-URI
// when it has no Route yet), which would send the copy straight to the
// remote target, past the dialog's route set; the copy gets its
// destination from the route set the dialog session adds instead.
func clone(tmpl *sip.Request) *sip.Request {
	req := tmpl.Clone()
	req.SetDestination(tmpl.MessageData.Destination())
	return req
}

// sendOnce sends req as one transaction and returns its final response.
func sendOnce(ctx context.Context, dlg dialogSession, req *sip.Request) (*sip.Response, error) {
	if req.Method != sip.BYE {
		return dlg.Do(ctx, req)
	}
	err := dlg.WriteBye(ctx, req)
	var dr sipgo.ErrDialogResponse
	switch {
	case errors.As(err, &dr):
		return dr.Res, nil
	case err != nil:
		return nil, err
	}
	return sip.NewResponseFromRequest(req, sip.StatusOK, "OK", nil), nil
}

func challenged(res *sip.Response) bool {
	return res.StatusCode == sip.StatusUnauthorized || res.StatusCode == sip.StatusProxyAuthRequired
}

// authorize adds credentials for every challenge of res to req: 401 carries
// WWW-Authenticate and is answered with Authorization, 407 carries
// Proxy-Authenticate and is answered with Proxy-Authorization (RFC 3261
// §22.2, §22.3). The digest is computed by github.com/icholy/digest, the
// library sipgo's own DoDigestAuth uses (sipgo exports no way to add the
// header without also sending the request outside the dialog, which would
// skip the dialog's CSeq). The digest-uri is the Request-URI (RFC 2617
// §3.2.2).
func authorize(req *sip.Request, res *sip.Response, auth sipgo.DigestAuth) error {
	in, out := "WWW-Authenticate", "Authorization"
	if res.StatusCode == sip.StatusProxyAuthRequired {
		in, out = "Proxy-Authenticate", "Proxy-Authorization"
	}
	chals := res.GetHeaders(in)
	if len(chals) == 0 {
		return fmt.Errorf("%d without a %s header", res.StatusCode, in)
	}
	req.RemoveHeader(out)
	for _, h := range chals {
		chal, err := digest.ParseChallenge(h.Value())
		if err != nil {
			return fmt.Errorf("bad %s %q: %w", in, h.Value(), err)
		}
		// Some servers send the algorithm in lower case.
		chal.Algorithm = strings.ToUpper(chal.Algorithm)
		cred, err := digest.Digest(chal, digest.Options{
			Method:   req.Method.String(),
			URI:      req.Recipient.String(),
			Username: auth.Username,
			Password: auth.Password,
		})
		if err != nil {
			return fmt.Errorf("digest for realm %q: %w", chal.Realm, err)
		}
		req.AppendHeader(sip.NewHeader(out, cred.String()))
	}
	return nil
}

// ackFor builds the ACK for a 2xx answer to the in-dialog INVITE inv as
// it was sent (RFC 3261 §13.2.2.4): the dialog headers and route set of
// the INVITE, its CSeq number with method ACK, its credentials, a new
// branch, no body.
func ackFor(inv *sip.Request) *sip.Request {
	ack := inv.Clone()
	ack.Method = sip.ACK
	ack.RemoveHeader("Via")
	ack.RemoveHeader("Content-Type")
	if cseq := ack.CSeq(); cseq != nil {
		cseq.MethodName = sip.ACK
	}
	ack.SetBody(nil)
	return ack
}
