package app

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"os"
	"strings"
	"syscall"
)

// Error codes sent to the frontend in ErrorPayload.Code. The frontend switches
// on these strings (and translates them), never on the message text.
const (
	// CodeInternal is used for any error that has no more specific code.
	CodeInternal = "internal"
	// CodeInvalidArgument means the frontend sent a bad argument.
	CodeInvalidArgument = "invalid_argument"
	// CodeNotStarted means the application was not fully started yet.
	CodeNotStarted = "not_started"
	// CodeCanceled means the operation was canceled.
	CodeCanceled = "canceled"
	// CodeTimeout means the operation ran out of time (no answer).
	CodeTimeout = "timeout"
	// CodeDNS means the DNS lookup of a host name failed.
	CodeDNS = "dns_lookup"
	// CodeConnRefused means the server refused the connection (nothing
	// listens on that port).
	CodeConnRefused = "connection_refused"
	// CodeNetUnreachable means the network or host cannot be reached.
	CodeNetUnreachable = "network_unreachable"
	// CodeCertificate means the server's TLS certificate was not accepted.
	CodeCertificate = "tls_certificate"
	// CodeAuthFailed means the registrar refused the user name or password
	// (401/403 to an authenticated REGISTER).
	CodeAuthFailed = "auth_failed"
	// CodeDuplicate means a name is already taken.
	CodeDuplicate = "duplicate"
	// CodeTooLarge means a text is over its limit.
	CodeTooLarge = "too_large"
	// CodeInvalidNumber means a phone number could not be understood.
	CodeInvalidNumber = "invalid_number"
	// CodeNotRegistered means a call was placed on an account that is not
	// registered; no INVITE was sent.
	CodeNotRegistered = "account_not_registered"
)

// ErrorPayload is the JSON value a rejected bound call delivers to the
// frontend: a stable machine-readable Code, one sentence a rep can act on
// (Message, English; the frontend shows its own translation of Code), the
// technical Detail for the "details" toggle and the log, and the Host the
// error names, when there is one.
type ErrorPayload struct {
	// Code is one of the Code* constants or a code registered with
	// WithErrorCode.
	Code string `json:"code"`
	// Message is one sentence for the rep, in English.
	Message string `json:"message"`
	// Detail is the full technical error text ("" when Message says it all).
	Detail string `json:"detail,omitempty"`
	// Host is the host name or address the error is about ("" if none).
	Host string `json:"host,omitempty"`
}

// Error makes ErrorPayload usable as an error value in Go code and tests.
func (p ErrorPayload) Error() string { return p.Code + ": " + p.Message }

// Coder is implemented by errors that carry their own frontend error code.
// FormatError prefers it over the sentinel table.
type Coder interface {
	// ErrorCode returns the code to send to the frontend.
	ErrorCode() string
}

// errorCode pairs a sentinel error with its frontend code.
type errorCode struct {
	err  error
	code string
}

// defaultErrorCodes lists the sentinels known to this package, checked in
// order with errors.Is after the more specific ones.
var defaultErrorCodes = []errorCode{
	{ErrInvalidArgument, CodeInvalidArgument},
	{ErrNotStarted, CodeNotStarted},
	{context.Canceled, CodeCanceled},
	{context.DeadlineExceeded, CodeTimeout},
	{os.ErrDeadlineExceeded, CodeTimeout},
}

// messages holds the English sentence of each code; {host} is replaced by
// the host the error names. The frontend has its own (en, ja) copies.
var messages = map[string]string{
	CodeInternal:             "Something went wrong. The details below and the log say what.",
	CodeInvalidArgument:      "That input was not accepted. The details say why.",
	CodeNotStarted:           "Pitchline is still starting. Try again in a moment.",
	CodeCanceled:             "The operation was canceled.",
	CodeTimeout:              "No answer from {host} in time. Check the address and your network, then try again.",
	CodeDNS:                  "The server name {host} could not be found (DNS lookup failed). Check the address.",
	CodeConnRefused:          "{host} refused the connection. Check the address and port.",
	CodeNetUnreachable:       "{host} cannot be reached from this network. Check your connection.",
	CodeCertificate:          "The certificate of {host} is not trusted. Check the address, or ask your administrator.",
	CodeAuthFailed:           "The server refused the user name or password. Check them in Settings → Accounts.",
	CodeDuplicate:            "That name is already taken. Choose another one.",
	CodeTooLarge:             "That text is too long. Shorten it and try again.",
	CodeInvalidNumber:        "That phone number could not be understood. Include the area code.",
	CodeNotRegistered:        "This account is not signed in to its server, so the call was not placed. Check the account in Settings → Accounts, or call from another account.",
	"invalid_target":         "That number or address cannot be dialed. Check it and try again.",
	"no_such_call":           "That call has already ended.",
	"invalid_state":          "That is not possible in the call's current state.",
	"call_failed":            "The call could not be placed. The details say why.",
	"registration_failed":    "The server did not accept the sign-in. The details say why.",
	"not_found":              "It no longer exists. Refresh and try again.",
	"no_keychain":            "No keychain is available to keep the password. Install or unlock your system keychain.",
	"keychain_locked":        "The system keychain is locked. Unlock it and try again.",
	"no_sound_server":        "No audio device was found. Start your sound system or plug in a headset.",
	CodeCRMAuth:              "The CRM refused the token. Reconnect it with a new token in Settings → CRM.",
	CodeCRMForbidden:         "The CRM token lacks a permission Pitchline needs. Create a token with the required scopes.",
	CodeCRMUnreachable:       "The CRM could not be reached. Your calls stay queued and are sent when it is back.",
	CodeCRMBadResponse:       "The CRM answered with something Pitchline did not understand. The details say what.",
	CodeCRMNotConnected:      "No CRM is connected. Connect one in Settings → CRM.",
	CodeCRMSellSearch:        "Zendesk Sell refused the search a tag list needs: its Search API comes with some Sell plans only. Ask your Sell admin, or export the contacts to CSV and import the file.",
	CodeOutcomeRequired:      "Choose an outcome before saving.",
	"no_form":                "That call has no open form any more.",
	CodeBadCSV:               "That file cannot be read as a call list. It needs a header row with name and phone columns; the details say what is wrong.",
	CodeDialerSettings:       "Those list settings are not valid. The details say which one to change.",
	CodeDialerVoicemail:      "That voicemail file can't be played. Choose a WAV or MP3 file; the details say what is wrong.",
	CodeDialerApology:        "That apology prompt can't be used. Choose a WAV or MP3 file of at most 15 seconds; the details say what is wrong.",
	CodeVoicemailRecording:   "A voicemail is already being recorded. Stop it first.",
	CodeVoicemailNotSaved:    "The recording could not be saved; the details name the file and what went wrong.",
	CodeDialerState:          "That is not possible at this point of the session. Wait for the current call, or start the session again.",
	CodeDialerTooLarge:       "That file is too large. Split it into smaller lists and import each.",
	CodeSkipDNC:              "This number is on the do-not-call list, so it was not dialled. Skip to the next contact.",
	CodeSkipHours:            "It is outside this list's calling hours where the contact is, so the call was not placed. Skip to the next contact.",
	CodeSkipRetry:            "This contact was dialled as often as the list's retry policy allows for now. Skip to the next contact.",
	CodeSkipInvalid:          "This contact's number cannot be dialled. Correct it in the list, or skip to the next contact.",
	"no_such_participant":    "That participant has already left the call.",
	"too_many_participants":  "A call holds at most 8 participants. Remove one before adding another.",
	"transfer_failed":        "The customer's phone did not accept the transfer. Return to the customer, or merge the calls into a conference.",
	"invalid_lead":           "Write each team lead as a SIP address such as sip:lead@example.com, then save again (the details name the line to correct).",
	"join_link_gone":         "That join link no longer works, so there is nothing to revoke. Make a new link if you need one.",
	"join_address_invalid":   "Write the address as an IP address such as 192.168.1.20, and the port as 0 (any free port) or a number from 1024 to 65535.",
	"join_port_in_use":       "Another program already uses that port. Choose another port in Settings → Join links, or 0 for any free port.",
	"join_cert_missing":      "The certificate file was not found. Choose the file again in Settings → Join links.",
	"join_key_missing":       "The key file was not found. Choose the file again in Settings → Join links.",
	"join_not_certificate":   "The certificate file is not a PEM certificate. Choose the file that starts with BEGIN CERTIFICATE.",
	"join_not_key":           "The key file holds no usable private key. Choose the unencrypted PEM key that belongs to the certificate.",
	"join_key_mismatch":      "The key does not match the certificate. Choose the key that was made together with this certificate.",
	"join_cert_expired":      "The certificate has expired or is not valid yet. Get a new certificate and choose it in Settings → Join links.",
	"join_cert_address":      "The certificate is not made for this address, so browsers would refuse it. Choose an address the certificate names, or get a certificate for this one.",
	"join_address_not_local": "That address is not one of this computer's. Choose one of the listed addresses in Settings → Join links.",
	"join_lan_off":           "Turn on “Allow join links from other computers on my network” to use that address.",
	"join_tls_required":      "Join links for other computers need HTTPS. Choose your certificate and key files first.",
}

// MessageFor returns the English sentence for code, with host filled in.
func MessageFor(code, host string) string {
	m, ok := messages[code]
	if !ok {
		m = messages[CodeInternal]
	}
	if host == "" {
		host = "the server"
		if strings.HasPrefix(m, "{host}") {
			host = "The server"
		}
	}
	return strings.ReplaceAll(m, "{host}", host)
}

// ErrorFormatter maps errors returned by bound methods to ErrorPayload
// values. The zero value knows only this package's sentinels.
type ErrorFormatter struct {
	codes []errorCode
}

// NewErrorFormatter returns an ErrorFormatter that knows this package's
// sentinels plus the extra sentinel→code pairs, which take precedence.
func NewErrorFormatter(extra map[error]string) *ErrorFormatter {
	f := &ErrorFormatter{}
	for err, code := range extra {
		f.codes = append(f.codes, errorCode{err, code})
	}
	f.codes = append(f.codes, defaultErrorCodes...)
	return f
}

// newOrderedFormatter is NewErrorFormatter with the extra pairs checked in
// the given order after the map (an error can match several sentinels).
func newOrderedFormatter(extra map[error]string, ordered []errorCode) *ErrorFormatter {
	f := NewErrorFormatter(extra)
	n := len(extra)
	f.codes = append(f.codes[:n:n], append(ordered, f.codes[n:]...)...)
	return f
}

// coreFormatter classifies errors that reach the UI other than as a
// bound call's rejection (account states, registration tests).
var coreFormatter = newOrderedFormatter(nil, coreErrorCodes())

// classifyError classifies err with the core's sentinels.
func classifyError(err error) ErrorPayload { return coreFormatter.Payload(err) }

// Format converts err into an ErrorPayload. A nil error yields nil so that
// Format can be handed to Wails as options.App.ErrorFormatter directly.
func (f *ErrorFormatter) Format(err error) any {
	if err == nil {
		return nil
	}
	return f.Payload(err)
}

// Payload classifies a non-nil err. In order: an ErrorPayload in the chain
// is returned as is; a refused password or CRM token; then what failed on
// the network (certificate, DNS lookup, connection refused, unreachable,
// timeout), found with errors.As/Is on the real error values; then errors
// implementing Coder; then the sentinel table; anything else is
// CodeInternal. Detail is always the full error text.
func (f *ErrorFormatter) Payload(err error) ErrorPayload {
	var p ErrorPayload
	if errors.As(err, &p) {
		return p
	}
	codes := f.codes
	if codes == nil {
		codes = defaultErrorCodes
	}
	code, host := classify(err, codes)
	if code == "" {
		var c Coder
		if errors.As(err, &c) {
			code = c.ErrorCode()
		}
	}
	if code == "" {
		for _, ec := range codes {
			if errors.Is(err, ec.err) {
				code = ec.code
				break
			}
		}
	}
	if code == "" {
		code = CodeInternal
	}
	msg := MessageFor(code, host)
	if code == CodeInvalidArgument {
		if s := plainReason(err); s != "" {
			msg = s
		}
	}
	return ErrorPayload{Code: code, Message: msg, Detail: err.Error(), Host: host}
}

// plainReason returns the reason an invalid-argument error gives after
// "app: invalid argument: " as a sentence, when that reason is plain text
// written for a person (no further "package: " chain); "" otherwise.
func plainReason(err error) string {
	s := err.Error()
	rest, ok := strings.CutPrefix(s, ErrInvalidArgument.Error()+": ")
	if !ok || rest == "" || strings.Contains(rest, ": ") || len(rest) > 200 {
		return ""
	}
	rest = strings.ToUpper(rest[:1]) + rest[1:]
	if !strings.HasSuffix(rest, ".") {
		rest += "."
	}
	return rest
}

// classify finds the network-level cause of err, or a refused credential
// registered in codes; "" when neither.
func classify(err error, codes []errorCode) (code, host string) {
	for _, ec := range codes {
		switch ec.code {
		case CodeNotRegistered, CodeAuthFailed, CodeCRMAuth, CodeCRMForbidden:
			if errors.Is(err, ec.err) {
				return ec.code, ""
			}
		}
	}
	var c Coder
	if errors.As(err, &c) && (c.ErrorCode() == CodeCRMAuth || c.ErrorCode() == CodeCRMForbidden) {
		return c.ErrorCode(), ""
	}
	host = hostOf(err)
	var (
		unknownAuth x509.UnknownAuthorityError
		hostErr     x509.HostnameError
		invalid     x509.CertificateInvalidError
		verifyErr   *tls.CertificateVerificationError
		dnsErr      *net.DNSError
	)
	switch {
	case errors.As(err, &verifyErr), errors.As(err, &unknownAuth), errors.As(err, &hostErr), errors.As(err, &invalid):
		return CodeCertificate, host
	case errors.As(err, &dnsErr):
		if dnsErr.Name != "" {
			host = dnsErr.Name
		}
		return CodeDNS, host
	case errors.Is(err, syscall.ECONNREFUSED):
		return CodeConnRefused, host
	case errors.Is(err, syscall.ENETUNREACH), errors.Is(err, syscall.EHOSTUNREACH):
		return CodeNetUnreachable, host
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded):
		return CodeTimeout, host
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return CodeTimeout, host
	}
	return "", ""
}

// hostOf returns the remote address named by a *net.OpError (or a URL
// error's host) in err's chain, "" when there is none.
func hostOf(err error) string {
	var op *net.OpError
	if errors.As(err, &op) && op.Addr != nil {
		return op.Addr.String()
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return dnsErr.Name
	}
	return ""
}
