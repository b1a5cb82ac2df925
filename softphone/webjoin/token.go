package webjoin

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
)

const (
	tokenBytes = 32
	// TokenLen is the length of a token in a link: 32 bytes as unpadded
	// base64url.
	TokenLen = 43
)

type tokenHash [sha256.Size]byte

// newToken returns a fresh random token and its digest.
func newToken() (string, tokenHash) {
	var b [tokenBytes]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	tok := base64.RawURLEncoding.EncodeToString(b[:])
	return tok, sha256.Sum256([]byte(tok))
}

// parseToken checks tok's format and returns its digest. Only the exact
// shape newToken makes is accepted: TokenLen characters of the base64url
// alphabet that decode to 32 bytes.
func parseToken(tok string) (tokenHash, error) {
	if len(tok) != TokenLen {
		return tokenHash{}, fmt.Errorf("token of %d characters: %w", len(tok), ErrBadToken)
	}
	for i := 0; i < len(tok); i++ {
		c := tok[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return tokenHash{}, fmt.Errorf("token character %q: %w", c, ErrBadToken)
		}
	}
	var b [tokenBytes + 1]byte
	if n, err := base64.RawURLEncoding.Strict().Decode(b[:], []byte(tok)); err != nil || n != tokenBytes {
		return tokenHash{}, fmt.Errorf("token does not decode: %w", ErrBadToken)
	}
	return sha256.Sum256([]byte(tok)), nil
}
