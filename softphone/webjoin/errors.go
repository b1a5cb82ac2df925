package webjoin

import "errors"

var (
	// ErrNotLoopback means New was asked to serve a non-loopback address
	// without WithLAN.
	ErrNotLoopback = errors.New("webjoin: serving join links beyond this computer needs an explicit LAN setting")
	// ErrTLSRequired means a non-loopback address was asked without a
	// certificate and key (WithTLS).
	ErrTLSRequired = errors.New("webjoin: serving join links on the network needs HTTPS with your certificate and key")
	// ErrInvalidConfig means New or an Option got a bad value.
	ErrInvalidConfig = errors.New("webjoin: invalid configuration")
	// ErrBadToken means a token is not in the format CreateLink makes.
	ErrBadToken = errors.New("webjoin: malformed token")
	// ErrUnknownLink means Revoke was given a link this Server does not
	// hold (never made, revoked, or forgotten an hour after it expired).
	ErrUnknownLink = errors.New("webjoin: no such join link")
	// ErrTooManyLinks means too many unexpired links are outstanding.
	ErrTooManyLinks = errors.New("webjoin: too many open join links")
	// ErrClosed means the Server has been closed.
	ErrClosed = errors.New("webjoin: server closed")
	// ErrBadOffer is wrapped by a Handler whose offer is unusable; the
	// browser gets 400 Bad Request (503 for any other error).
	ErrBadOffer = errors.New("webjoin: unusable offer")
)
