package app

import "log/slog"

// SystemService is bound to the frontend and answers questions about the
// running application itself.
type SystemService struct {
	version string
	logger  *slog.Logger
}

// Version returns the application version (set at build time through
// -ldflags "-X main.version=...").
func (s *SystemService) Version() (string, error) {
	if s == nil || s.version == "" {
		return "", ErrNotStarted
	}
	s.logger.Debug("version served", "version", s.version)
	return s.version, nil
}
