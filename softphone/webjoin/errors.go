package webjoin

import "errors"

var (
	// ErrNotLoopback means New was asked to serve a non-loopback address
	// without WithLAN.
	ErrNotLoopback = errors.New("webjoin: serving join links beyond this computer needs an explicit LAN setting")
	// ErrTLSRequired means a non-loopback address was asked without a
	// certificate and key (WithTLS).
	ErrTLSRequired = errors.New("webjoin: serving join links on the network needs HTTPS with your certificate and key")
	// ErrNotLocalAddress means a LAN address is not one of this
	// computer's (CheckAddress).
	ErrNotLocalAddress = errors.New("webjoin: the address is not one of this computer's")
	// ErrCertMissing means the certificate file is not given, missing or
	// unreadable (CheckTLS).
	ErrCertMissing = errors.New("webjoin: the certificate file cannot be read")
	// ErrKeyMissing means the key file is not given, missing or unreadable.
	ErrKeyMissing = errors.New("webjoin: the key file cannot be read")
	// ErrNotCertificate means the certificate file holds no PEM
	// certificate (or an unparseable one).
	ErrNotCertificate = errors.New("webjoin: the certificate file holds no PEM certificate")
	// ErrNotKey means the key file holds no usable PEM private key (none,
	// unparseable, or encrypted with a passphrase).
	ErrNotKey = errors.New("webjoin: the key file holds no usable PEM private key")
	// ErrKeyMismatch means the private key is not the certificate's.
	ErrKeyMismatch = errors.New("webjoin: the private key does not belong to the certificate")
	// ErrCertExpired means the certificate has expired or is not valid yet.
	ErrCertExpired = errors.New("webjoin: the certificate is not valid now")
	// ErrCertNotForAddress means the certificate does not name the address
	// links carry, so browsers would refuse it (CertInfo.Covers).
	ErrCertNotForAddress = errors.New("webjoin: the certificate is not made for this address")
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
