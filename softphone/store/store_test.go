package store

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
)

func openTest(t testing.TB, opts ...Option) *Store {
	t.Helper()
	s, err := Open(filepath.Join(t.TempDir(), "data", "pitchline.db"), opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestOpenPragmasAndSettingsPersist(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "p.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	var fk, v int
	var mode string
	s.db.QueryRow("PRAGMA foreign_keys").Scan(&fk)
	s.db.QueryRow("PRAGMA journal_mode").Scan(&mode)
	s.db.QueryRow("PRAGMA user_version").Scan(&v)
	if fk != 1 || mode != "wal" || v != SchemaVersion() {
		t.Fatalf("foreign_keys=%d journal_mode=%s user_version=%d", fk, mode, v)
	}
	if err := s.SetSetting(ctx, "region", "JP"); err != nil {
		t.Fatal(err)
	}
	if err := s.SetSetting(ctx, "", "x"); !errors.Is(err, ErrInvalid) {
		t.Fatalf("empty key: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.SetSetting(ctx, "a", "b"); !errors.Is(err, ErrClosed) {
		t.Fatalf("after close: %v", err)
	}
	s, err = Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got, ok, err := s.GetSetting(ctx, "region")
	if err != nil || !ok || got != "JP" {
		t.Fatalf("after reopen: %q %v %v", got, ok, err)
	}
	if _, ok, _ := s.GetSetting(ctx, "missing"); ok {
		t.Fatal("missing setting reported set")
	}
	all, _ := s.Settings(ctx)
	if len(all) != 1 || all["region"] != "JP" {
		t.Fatalf("Settings = %v", all)
	}
}

func TestSchemaTooNew(t *testing.T) {
	path := filepath.Join(t.TempDir(), "p.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.Exec("PRAGMA user_version = 99"); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := Open(path); !errors.Is(err, ErrSchemaTooNew) {
		t.Fatalf("Open newer schema: %v", err)
	}
}
