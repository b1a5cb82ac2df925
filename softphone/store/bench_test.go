package store

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

// The 1M-contact benchmarks build (once, then reuse) a store file under
// the temp dir keyed by size and seed. They never run in `go test` (only
// with -bench) and are skipped with -short.
const (
	benchContacts = 1_000_000
	benchSeed     = 42
)

var (
	firstNames = strings.Fields("James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara Richard Susan Joseph Jessica " +
		"Thomas Sarah Charles Karen Margaret Mark Martin Marco Maria Marta Simon Sofia Lucas Emma Noah Olivia Liam Ava Ethan Mia Hana Yuki Kenji Aiko " +
		"Pierre Chloé José Zoë Ahmed Fatima Wei Priya Arjun Ingrid Lars Anneke Mateo Valentina")
	lastNames = strings.Fields("Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez Gonzalez Wilson Anderson " +
		"Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris Sanchez Clark Ramirez Lewis Robinson Walker Young Allen King Wright " +
		"Scott Torres Nguyen Hill Flores Green Adams Nelson Baker Hall Rivera Campbell Mitchell Carter Roberts Müller Dubois Rossi Kowalski Tanaka Suzuki")
	jpFamily = []string{"田中", "鈴木", "佐藤", "高橋", "渡辺", "伊藤", "山本", "中村", "小林", "加藤"}
	jpGiven  = []string{"太郎", "花子", "健一", "由美", "翔", "さくら", "大輔", "美咲", "拓也", "愛"}
	syll     = strings.Fields("mar com tek ra no va lo gi sys net data soft sol pro med fin tra nex cor ali bri zen opt qua")
	streets  = strings.Fields("Main Oak Pine Maple Cedar Elm Martin Park Lake Hill Washington Church High Station Mill")
)

func benchDB(b *testing.B) string {
	b.Helper()
	if testing.Short() {
		b.Skip("1M-contact benchmark skipped with -short")
	}
	path := filepath.Join(os.TempDir(), fmt.Sprintf("pitchline-bench-store-v%d-%d-%d.db", SchemaVersion(), benchContacts, benchSeed))
	if _, err := os.Stat(path + ".done"); err == nil {
		return path
	}
	os.Remove(path)
	os.Remove(path + "-wal")
	os.Remove(path + "-shm")
	start := time.Now()
	if err := buildBenchDB(path, benchContacts, benchSeed); err != nil {
		b.Fatal(err)
	}
	b.Logf("built %d-contact store in %v", benchContacts, time.Since(start))
	os.WriteFile(path+".done", nil, 0o644)
	return path
}

// buildBenchDB bulk-inserts n contacts (1-3 numbers each, 10% Japanese)
// through the same FTS writer as the store, in transactions of 20,000.
func buildBenchDB(path string, n int, seed uint64) error {
	s, err := Open(path)
	if err != nil {
		return err
	}
	defer s.Close()
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(seed, seed))
	const ncomp = 20_000
	compNames := make([]string, ncomp)
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	for i := range compNames {
		name := strings.ToUpper(syll[i%len(syll)][:1]) + syll[i%len(syll)][1:] + syll[(i/len(syll))%len(syll)] + fmt.Sprintf(" %d", i)
		compNames[i] = name
		if _, err := tx.ExecContext(ctx, `INSERT INTO companies(rid, id, name, updated) VALUES(?,?,?,1)`, i+1, fmt.Sprintf("co-%d", i+1), name); err != nil {
			return err
		}
	}
	phoneK := 0
	for i := 1; i <= n; i++ {
		jp := rng.IntN(10) == 0
		var fn, ln string
		if jp {
			fn, ln = jpGiven[rng.IntN(len(jpGiven))], jpFamily[rng.IntN(len(jpFamily))]
		} else {
			fn, ln = firstNames[rng.IntN(len(firstNames))], lastNames[rng.IntN(len(lastNames))]
		}
		co := rng.IntN(ncomp) + 1
		addr := fmt.Sprintf("%d %s Road, Springfield", rng.IntN(999)+1, streets[rng.IntN(len(streets))])
		id := fmt.Sprintf("00000000-0000-4000-8000-%012d", i)
		if _, err := tx.ExecContext(ctx, `INSERT INTO contacts(rid, id, first_name, last_name, address, company_id, updated) VALUES(?,?,?,?,?,?,1)`,
			i, id, fn, ln, addr, fmt.Sprintf("co-%d", co)); err != nil {
			return err
		}
		var phones []Phone
		for range 1 + rng.IntN(3) {
			phoneK++
			e := fmt.Sprintf("+1%010d", 2012000000+phoneK)
			if jp {
				e = fmt.Sprintf("+813%08d", 10000000+phoneK)
			}
			phones = append(phones, Phone{Raw: e, E164: e})
			if _, err := tx.ExecContext(ctx, `INSERT INTO phones(contact_id, raw, e164) VALUES(?,?,?)`, id, e, e); err != nil {
				return err
			}
		}
		if err := ftsWrite(ctx, tx, int64(i), fn+" "+ln, compNames[co-1], addr, phones); err != nil {
			return err
		}
		if i%20_000 == 0 {
			if err := tx.Commit(); err != nil {
				return err
			}
			if tx, err = s.db.BeginTx(ctx, nil); err != nil {
				return err
			}
		}
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	_, err = s.db.ExecContext(ctx, `INSERT INTO contacts_fts(contacts_fts) VALUES('optimize')`)
	return err
}

func percentiles(b *testing.B, d []time.Duration, unit string) {
	slices.Sort(d)
	p := func(q float64) float64 {
		v := d[min(len(d)-1, int(q*float64(len(d))))]
		if unit == "µs" {
			return float64(v) / float64(time.Microsecond)
		}
		return float64(v) / float64(time.Millisecond)
	}
	b.ReportMetric(p(0.50), "p50-"+unit)
	b.ReportMetric(p(0.99), "p99-"+unit)
	b.ReportMetric(p(1.0-1e-9), "max-"+unit)
}

// BenchmarkLookupNumber1M measures caller ID at 1M contacts over the mix
// of callerIDQueries (75% known numbers in three spellings per country,
// 25% unknown), and checks every answer against the expected contact.
func BenchmarkLookupNumber1M(b *testing.B) {
	path := benchDB(b)
	runtime.GC()
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	t0 := time.Now()
	s, err := Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	openTime := time.Since(t0)
	runtime.GC()
	runtime.ReadMemStats(&m1)
	queries := callerIDQueries(b, s, 4096, 7)
	lat := make([]time.Duration, 0, b.N)
	var wrong int
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		q := queries[i%len(queries)]
		st := time.Now()
		got, ok := s.LookupNumber(q.raw)
		lat = append(lat, time.Since(st))
		if err := q.check(got, ok); err != nil {
			if wrong++; wrong <= 5 {
				b.Error(err)
			}
		}
	}
	b.StopTimer()
	percentiles(b, lat, "µs")
	b.ReportMetric(openTime.Seconds(), "open-s")
	b.ReportMetric(float64(m1.HeapAlloc-m0.HeapAlloc)/(1<<20), "heap-MB")
	mixReport(b, queries, b.N)
	if wrong > 0 {
		b.Fatalf("%d of %d lookups gave the wrong answer", wrong, b.N)
	}
}

// BenchmarkSearch1M measures type-ahead search (limit 20) at 1M contacts
// over a realistic mix: 1-4 letter prefixes, two-word queries, company
// prefixes, number digits, Japanese names, and misses.
func BenchmarkSearch1M(b *testing.B) {
	path := benchDB(b)
	s, err := Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	queries := []string{"m", "ma", "mar", "marg", "s", "si", "sim", "simon m", "mark tho", "j", "jo", "joh", "john sm",
		"tanaka", "田", "田中", "田中 太", "さくら", "marc", "marcom", "teknet", "2012", "20120", "201200012", "0312", "+1 201 200",
		"martin road", "oak", "zz", "qqqq", "müller", "chlo", "a", "e", "li", "wei"}
	lat := make([]time.Duration, 0, b.N)
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		st := time.Now()
		if _, err := s.Search(ctx, queries[i%len(queries)], 20); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(st))
	}
	b.StopTimer()
	percentiles(b, lat, "ms")
}

// BenchmarkLookupNumberSmall is the caller-ID lookup on the demo data, for
// quick runs (allocations included).
func BenchmarkLookupNumberSmall(b *testing.B) {
	s := openTest(b)
	s.SeedDemo(context.Background())
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		s.LookupNumber("+1 (555) 010-0199")
	}
}
