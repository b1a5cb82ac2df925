package store

import (
	"testing"
)

// reopenMigrated runs stmts on s, the store at path (they drop the tables
// of later migrations and set an older user_version, and may add rows),
// closes it and opens path again, so that the migrations since that
// version run. It fails the test unless the file is then at
// SchemaVersion(), and that at least atLeast. The reopened store is closed
// at the end of the test.
func reopenMigrated(t *testing.T, s *Store, path string, atLeast int, stmts ...string) *Store {
	t.Helper()
	for _, q := range stmts {
		if _, err := s.db.Exec(q); err != nil {
			t.Fatal(q, err)
		}
	}
	s.Close()
	return openMigrated(t, path, atLeast)
}

// openMigrated opens the file at path, written at an older schema
// version, so that the migrations since that version run. It fails the
// test unless the file is then at SchemaVersion(), and that at least
// atLeast. The store is closed at the end of the test.
func openMigrated(t *testing.T, path string, atLeast int) *Store {
	t.Helper()
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	var v int
	s.db.QueryRow(`PRAGMA user_version`).Scan(&v)
	if v != SchemaVersion() || v < atLeast {
		t.Fatalf("user_version %d, want %d (at least %d)", v, SchemaVersion(), atLeast)
	}
	return s
}
