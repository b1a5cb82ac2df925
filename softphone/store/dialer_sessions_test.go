package store

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"
)

// TestDialerSessionAttemptsSurviveReopen: a "dialing" attempt committed
// before a crash is there, unchanged, when the file is opened again; a
// finish keeps the fields it does not set.
func TestDialerSessionAttemptsSurviveReopen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "p.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	l, err := s.SaveDialerList(ctx, DialerList{Name: "Monday"}, []DialerContact{{Name: "Ada", Numbers: []DialerNumber{{Raw: "x", Key: "+12125550100"}}}})
	if err != nil {
		t.Fatal(err)
	}
	ds, err := s.CreateDialerSession(ctx, DialerSession{Name: "mon", ListID: l.ID})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateDialerSession(ctx, DialerSession{Name: "mon", ListID: l.ID}); !errors.Is(err, ErrDuplicate) {
		t.Fatalf("second session named mon: %v", err)
	}
	started := time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC)
	id, err := s.AddDialerAttempt(ctx, DialerAttempt{SessionID: ds.ID, Position: 0, Number: "+12125550100", Line: 1,
		Status: AttemptDialing, Started: started}, "dialing", `{"dialled":1}`)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.FinishDialerAttempt(ctx, DialerAttempt{ID: id, CallID: "c1"}, "", ""); err != nil {
		t.Fatal(err)
	}
	s.Close() // as if the process died here

	s, err = Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got, err := s.DialerSessionByName(ctx, "mon")
	if err != nil || got.ID != ds.ID || got.State != "dialing" || got.Counters != `{"dialled":1}` {
		t.Fatalf("session %+v, %v", got, err)
	}
	as, err := s.DialerAttempts(ctx, ds.ID)
	if err != nil || len(as) != 1 {
		t.Fatalf("attempts %+v, %v", as, err)
	}
	if a := as[0]; a.Status != AttemptDialing || a.CallID != "c1" || a.Line != 1 || !a.Started.Equal(started) || a.Result != "" {
		t.Fatalf("attempt %+v", a)
	}
	if err := s.FinishDialerAttempt(ctx, DialerAttempt{ID: id, SessionID: ds.ID, Status: AttemptDone, Result: "interrupted"}, "idle", "{}"); err != nil {
		t.Fatal(err)
	}
	byNum, err := s.DialerAttemptsForNumber(ctx, "+12125550100")
	if err != nil || len(byNum) != 1 || byNum[0].Result != "interrupted" || byNum[0].CallID != "c1" {
		t.Fatalf("by number %+v, %v", byNum, err)
	}
	if err := s.FinishDialerAttempt(ctx, DialerAttempt{ID: 999, Status: AttemptDone}, "", ""); !errors.Is(err, ErrNotFound) {
		t.Fatalf("finish of a missing attempt: %v", err)
	}
	if _, err := s.DialerSessionByName(ctx, "tue"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing session: %v", err)
	}
	if err := s.DeleteDialerList(ctx, l.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DialerSession(ctx, ds.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("a deleted list's session is still there: %v", err)
	}
}

// TestDialerSessionMigrationFromV5 upgrades a version-5 file: the session
// tables appear and the call lists stay.
func TestDialerSessionMigrationFromV5(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "p.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	l, err := s.SaveDialerList(ctx, DialerList{Name: "Monday"}, []DialerContact{{Name: "Ada"}})
	if err != nil {
		t.Fatal(err)
	}
	s = reopenMigrated(t, s, path, 6, `DROP TABLE dialer_attempts`, `DROP TABLE dialer_sessions`, `PRAGMA user_version = 5`)
	if _, cs, err := s.DialerList(ctx, l.ID); err != nil || len(cs) != 1 {
		t.Fatalf("list lost: %v %d", err, len(cs))
	}
	if _, err := s.CreateDialerSession(ctx, DialerSession{ListID: l.ID}); err != nil {
		t.Fatal(err)
	}
}
