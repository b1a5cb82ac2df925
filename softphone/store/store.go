package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	// modernc.org/sqlite is a pure-Go SQLite (no cgo, so the store builds
	// everywhere the app does) with FTS5 compiled in, which Search needs.
	_ "modernc.org/sqlite"
)

// Option configures a Store.
type Option func(*Store)

// WithClock sets the clock used for Updated stamps and outbox times
// (default time.Now).
func WithClock(now func() time.Time) Option { return func(s *Store) { s.now = now } }

// WithLogger sets the logger (default slog.Default()).
func WithLogger(l *slog.Logger) Option { return func(s *Store) { s.log = l } }

// WithRegion sets the default country (ISO 3166 alpha-2, "US", "JP") for
// numbers written without a country code (default "US").
func WithRegion(cc string) Option { return func(s *Store) { s.regionOpt = cc } }

// Store is an open store file. It is safe for concurrent use.
type Store struct {
	db   *sql.DB
	path string
	now  func() time.Time
	log  *slog.Logger

	regionOpt string
	regionMu  sync.RWMutex
	region    string

	wmu    sync.Mutex // serialises this process's write transactions
	closed chan struct{}
	once   sync.Once

	// token identifies this Open; MarkInFlight stamps it on outbox items
	// so that Due can tell an item left in flight by another process.
	token string

	// The caller-ID index (callerid.go): idx is what LookupNumber reads
	// once idxReady; with WithLazyIndex, LoadIndex builds it while writes
	// record their changes in idxPending to replay on it.
	idx        atomic.Pointer[callerIndex]
	idxReady   atomic.Bool
	lazyIndex  bool
	idxLoad    sync.Mutex // one LoadIndex at a time
	idxMu      sync.Mutex
	idxLoading bool
	idxPending []*indexChange

	// hook, when set (tests), is called at named points inside write
	// transactions; an error aborts the transaction.
	hook func(point string) error
}

// DefaultPath returns the store file's usual location:
// $XDG_DATA_HOME/pitchline/pitchline.db, else ~/.local/share/pitchline/
// pitchline.db (on macOS ~/Library/Application Support, on Windows
// %AppData%, following os.UserConfigDir).
func DefaultPath() (string, error) {
	if d := os.Getenv("XDG_DATA_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "pitchline", "pitchline.db"), nil
	}
	if isUnixLike() {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("store: no data folder: %w", err)
		}
		return filepath.Join(home, ".local", "share", "pitchline", "pitchline.db"), nil
	}
	d, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("store: no data folder: %w", err)
	}
	return filepath.Join(d, "pitchline", "pitchline.db"), nil
}

// Open opens (creating if needed) the store file at path, brings its schema
// up to date and loads the caller-ID index. The folder is created with
// mode 0700.
func Open(path string, opts ...Option) (*Store, error) {
	s := &Store{path: path, now: time.Now, log: slog.Default(), regionOpt: "US", closed: make(chan struct{})}
	for _, o := range opts {
		o(s)
	}
	s.log = s.log.With("component", "store")
	if err := s.SetRegion(s.regionOpt); err != nil {
		return nil, err
	}
	var tok [8]byte
	rand.Read(tok[:])
	s.token = hex.EncodeToString(tok[:])
	if path == "" {
		return nil, fmt.Errorf("%w: empty path", ErrInvalid)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("store: create folder for %s: %w", path, err)
	}
	db, err := sql.Open("sqlite", dsn(path))
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	db.SetMaxOpenConns(8)
	db.SetMaxIdleConns(8)
	s.db = db
	ctx := context.Background()
	if err := s.checkPragmas(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if err := s.migrate(ctx, len(migrations)); err != nil {
		db.Close()
		return nil, err
	}
	s.idx.Store(newCallerIndex())
	if !s.lazyIndex {
		if err := s.loadIndex(ctx); err != nil {
			db.Close()
			return nil, err
		}
		s.idxReady.Store(true)
	}
	return s, nil
}

// dsn builds the modernc.org/sqlite data source name: WAL, a busy timeout
// so concurrent writers wait instead of failing, foreign keys on, and
// BEGIN IMMEDIATE so read-then-write transactions never deadlock.
func dsn(path string) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Set("_txlock", "immediate")
	return "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
}

func (s *Store) checkPragmas(ctx context.Context) error {
	var mode string
	if err := s.db.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		return fmt.Errorf("store: open %s: %w", s.path, err)
	}
	if !strings.EqualFold(mode, "wal") {
		return fmt.Errorf("store: open %s: journal mode is %q, want wal", s.path, mode)
	}
	return nil
}

// Path returns the file the store was opened from.
func (s *Store) Path() string { return s.path }

// Close closes the database. Further calls return ErrClosed.
func (s *Store) Close() error {
	err := ErrClosed
	s.once.Do(func() {
		close(s.closed)
		s.wmu.Lock()
		defer s.wmu.Unlock()
		err = s.db.Close()
	})
	return err
}

func (s *Store) isClosed() bool {
	select {
	case <-s.closed:
		return true
	default:
		return false
	}
}

// SetRegion sets the default country for numbers without a country code.
// It affects numbers parsed from now on; stored E.164 values stay.
func (s *Store) SetRegion(cc string) error {
	cc = strings.ToUpper(strings.TrimSpace(cc))
	if !validRegion(cc) {
		return fmt.Errorf("%w: unknown region %q", ErrInvalid, cc)
	}
	s.regionMu.Lock()
	s.region = cc
	s.regionMu.Unlock()
	return nil
}

// Region returns the default country.
func (s *Store) Region() string {
	s.regionMu.RLock()
	defer s.regionMu.RUnlock()
	return s.region
}

// write runs fn in one write transaction (BEGIN IMMEDIATE), serialised with
// this process's other writes, and commits it. after, if not nil, runs
// after the commit (index updates).
func (s *Store) write(ctx context.Context, what string, fn func(tx *sql.Tx) error) error {
	if s.isClosed() {
		return ErrClosed
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	if s.isClosed() {
		return ErrClosed
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: %s: begin: %w", what, err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return wrapOp(what, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: %s: commit: %w", what, err)
	}
	return nil
}

// wrapOp prefixes err with the operation unless it already reads like a
// store error.
func wrapOp(what string, err error) error {
	if strings.HasPrefix(err.Error(), "store: ") {
		return err
	}
	return fmt.Errorf("store: %s: %w", what, err)
}

// hookAt calls the test hook, if any.
func (s *Store) hookAt(point string) error {
	if s.hook == nil {
		return nil
	}
	return s.hook(point)
}

func (s *Store) reader() (*sql.DB, error) {
	if s.isClosed() {
		return nil, ErrClosed
	}
	return s.db, nil
}

// notFound wraps sql.ErrNoRows as ErrNotFound.
func notFound(err error, what string, id any) error {
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%w: %s %v", ErrNotFound, what, id)
	}
	return err
}

// ts converts a time to the stored form (Unix nanoseconds, 0 for zero).
func ts(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

// fromTS converts a stored time back (UTC); 0 is the zero time.
func fromTS(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}
