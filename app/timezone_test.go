package app

import (
	"archive/zip"
	"errors"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestLoadZone(t *testing.T) {
	for _, name := range []string{"Asia/Tokyo", "America/New_York", "Etc/GMT+5", "Etc/GMT-14", "EST5EDT",
		"America/Port-au-Prince", "America/Argentina/ComodRivadavia", "UTC", "Local"} {
		loc, err := loadZone(name)
		if err != nil {
			t.Errorf("loadZone(%q): %v", name, err)
			continue
		}
		if again, err := loadZone(name); err != nil || again != loc {
			t.Errorf("loadZone(%q) again = %p, %v; want the cached %p", name, again, err, loc)
		}
	}
	if loc, _ := loadZone("Local"); loc != time.Local {
		t.Errorf(`loadZone("Local") = %v, want time.Local`, loc)
	}
	// Names that are not spelled like a zone are refused before any file is
	// opened: non-zone files of the zoneinfo directory, paths, NUL bytes.
	for _, name := range []string{"", "tzdata.zi", "zone1970.tab", "+VERSION", "../../etc/passwd", "/etc/localtime",
		"Asia//Tokyo", "Asia/Tokyo/", "/Asia/Tokyo", "Asia/Tokyo\x00", "Asia/-Tokyo", "Asia/Tōkyō", "Asia/Tokyo ",
		strings.Repeat("A", maxZoneName+1)} {
		if _, err := loadZone(name); !errors.Is(err, errZoneName) {
			t.Errorf("loadZone(%q) = %v, want errZoneName", name, err)
		}
	}
	// Spelled like a zone, but no such zone: time.LoadLocation's error.
	if _, err := loadZone("Asia/Atlantis"); err == nil || errors.Is(err, errZoneName) {
		t.Errorf(`loadZone("Asia/Atlantis") = %v, want an unknown time zone error`, err)
	}
	if _, ok := zones.Load("Asia/Atlantis"); ok {
		t.Error("an unknown zone was cached")
	}
}

// TestValidZoneNameAcceptsEveryIANAZone checks validZoneName against every
// zone in the tz database Go ships ($GOROOT/lib/time/zoneinfo.zip), so the
// spelling rule refuses no real zone.
func TestValidZoneNameAcceptsEveryIANAZone(t *testing.T) {
	goroot, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		t.Fatalf("go env GOROOT: %v", err)
	}
	z, err := zip.OpenReader(filepath.Join(strings.TrimSpace(string(goroot)), "lib", "time", "zoneinfo.zip"))
	if err != nil {
		t.Fatal(err)
	}
	defer z.Close()
	n := 0
	for _, f := range z.File {
		if strings.HasSuffix(f.Name, "/") {
			continue
		}
		n++
		if !validZoneName(f.Name) {
			t.Errorf("validZoneName(%q) = false for an IANA zone", f.Name)
		}
	}
	if n < 300 {
		t.Fatalf("zoneinfo.zip lists %d zones, want hundreds", n)
	}
}
