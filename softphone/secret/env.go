package secret

import (
	"fmt"
	"os"
)

// FromEnv returns the password held in the environment variable varName,
// the keychain-less way to pass a password (`--password-env VAR`). It
// returns an error wrapping ErrEmptyEnv, naming the variable but never its
// value, when the variable is unset or empty, and ErrInvalid for an empty
// or malformed varName. The value is returned unchanged (no trimming).
func FromEnv(varName string) (string, error) {
	if varName == "" {
		return "", fmt.Errorf("secret: %w: empty environment variable name", ErrInvalid)
	}
	for _, r := range varName {
		if r == '=' || r == 0 {
			return "", fmt.Errorf("secret: %w: environment variable name %q contains '=' or NUL", ErrInvalid, varName)
		}
	}
	v, ok := os.LookupEnv(varName)
	if !ok {
		return "", fmt.Errorf("secret: %w: %s is not set", ErrEmptyEnv, varName)
	}
	if v == "" {
		return "", fmt.Errorf("secret: %w: %s is empty", ErrEmptyEnv, varName)
	}
	return v, nil
}
