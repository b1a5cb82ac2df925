package app

import (
	"errors"
	"sync"
	"time"
)

// maxZoneName bounds a time zone name. The longest IANA name is 32 bytes
// (America/Argentina/ComodRivadavia).
const maxZoneName = 64

// zones caches the zones loaded by name (string -> *time.Location).
// time.LoadLocation reads and parses a zoneinfo file on every call (and tries
// up to four directories for an unknown name), so a report refreshed on every
// call would otherwise hit the disk each time. Only zones that loaded are
// kept; they are files shipped with the system, so the cache stays small.
var zones sync.Map

// errZoneName is returned by loadZone for a name that cannot be an IANA zone.
var errZoneName = errors.New("not an IANA time zone name such as Asia/Tokyo")

// loadZone returns the zone called name ("Local" is this computer's). It
// refuses, without touching the disk, a name that is not spelled like an IANA
// zone (https://data.iana.org/time-zones/theory.html, "Timezone
// identifiers"): so a report query never opens tzdata.zi, zone.tab or another
// non-zone file, and costs one map lookup once its zone was loaded.
func loadZone(name string) (*time.Location, error) {
	if loc, ok := zones.Load(name); ok {
		return loc.(*time.Location), nil
	}
	if !validZoneName(name) {
		return nil, errZoneName
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, err
	}
	zones.Store(name, loc)
	return loc, nil
}

// validZoneName reports whether name is spelled like an IANA zone name:
// components of ASCII letters, digits, '_', '-' and '+' separated by single
// slashes, each starting with a letter (Etc/GMT+5, EST5EDT, Port-au-Prince),
// at most maxZoneName bytes.
func validZoneName(name string) bool {
	if name == "" || len(name) > maxZoneName {
		return false
	}
	start := true // at the first byte of a component
	for i := 0; i < len(name); i++ {
		c := name[i]
		letter := 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z'
		switch {
		case start && !letter:
			return false
		case c == '/':
			start = true
			continue
		case letter, '0' <= c && c <= '9', c == '_', c == '-', c == '+':
		default:
			return false
		}
		start = false
	}
	return !start
}
