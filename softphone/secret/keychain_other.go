//go:build !(linux || freebsd || openbsd || netbsd || dragonfly)

package secret

import "github.com/zalando/go-keyring"

// osKeychain is the platform keychain (macOS Keychain, Windows Credential
// Manager) via go-keyring. No pre-check is needed there.
type osKeychain struct{}

func newOSKeychain() Backend { return osKeychain{} }

// Get implements Backend.
func (osKeychain) Get(service, account string) (string, error) { return keyring.Get(service, account) }

// Set implements Backend.
func (osKeychain) Set(service, account, secret string) error {
	return keyring.Set(service, account, secret)
}

// Delete implements Backend.
func (osKeychain) Delete(service, account string) error { return keyring.Delete(service, account) }
