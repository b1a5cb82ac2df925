package app

import (
	"context"
	"log/slog"
	"strings"

	"github.com/wailsapp/wails/v2/pkg/logger"
)

// wailsLogger routes Wails' own log lines into the application's slog
// logger so that one handler decides format and level.
type wailsLogger struct {
	log *slog.Logger
}

// newWailsLogger wraps l for use as options.App.Logger.
func newWailsLogger(l *slog.Logger) logger.Logger {
	return &wailsLogger{log: l.With("source", "wails")}
}

// emit logs msg at level, trimming the trailing newline Wails adds.
func (w *wailsLogger) emit(level slog.Level, msg string) {
	w.log.Log(context.Background(), level, strings.TrimRight(msg, "\n"))
}

// Print logs an unlevelled Wails message at info level.
func (w *wailsLogger) Print(message string) { w.emit(slog.LevelInfo, message) }

// Trace logs a Wails trace message at debug level.
func (w *wailsLogger) Trace(message string) { w.emit(slog.LevelDebug-4, message) }

// Debug logs a Wails debug message.
func (w *wailsLogger) Debug(message string) { w.emit(slog.LevelDebug, message) }

// Info logs a Wails info message.
func (w *wailsLogger) Info(message string) { w.emit(slog.LevelInfo, message) }

// Warning logs a Wails warning.
func (w *wailsLogger) Warning(message string) { w.emit(slog.LevelWarn, message) }

// Error logs a Wails error.
func (w *wailsLogger) Error(message string) { w.emit(slog.LevelError, message) }

// Fatal logs a Wails fatal error; Wails itself exits afterwards.
func (w *wailsLogger) Fatal(message string) { w.emit(slog.LevelError+4, message) }
