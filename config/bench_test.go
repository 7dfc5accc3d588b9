package config

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"testing"

	"mxlab/config/configtest"
)

func loadBig(b *testing.B) (*DB, *Session, string) {
	text := configtest.Big()
	db, err := Open(Options{})
	if err != nil {
		b.Fatal(err)
	}
	s, _, _, _ := db.Begin(Who{User: "lab"}, Shared)
	if err := s.Load(LoadSet, text, "bench", false); err != nil {
		b.Fatal(err)
	}
	return db, s, text
}

func BenchmarkLoadSet10k(b *testing.B) {
	text := configtest.Big()
	b.ReportMetric(float64(strings.Count(text, "\n")), "statements")
	for i := 0; i < b.N; i++ {
		db, _ := Open(Options{})
		s, _, _, _ := db.Begin(Who{User: "lab"}, Shared)
		if err := s.Load(LoadSet, text, "bench", false); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCommit10k(b *testing.B) {
	dir := b.TempDir()
	st, _ := NewStore(dir)
	db, err := Open(Options{Store: st})
	if err != nil {
		b.Fatal(err)
	}
	s, _, _, _ := db.Begin(Who{User: "lab"}, Shared)
	if err := s.Load(LoadSet, configtest.Big(), "bench", false); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s.Set([]string{"system", "host-name", fmt.Sprintf("r%d", i)})
		if _, err := s.Commit(context.Background(), CommitOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCompare100(b *testing.B) {
	db, s, _ := loadBig(b)
	if _, err := s.Commit(context.Background(), CommitOptions{}); err != nil {
		b.Fatal(err)
	}
	_ = db
	for i := 0; i < 100; i++ {
		s.Set([]string{"routing-options", "static", "route", fmt.Sprintf("100.64.%d.0/24", i), "discard"})
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		out, err := s.Compare(0, nil)
		if err != nil || out == "" {
			b.Fatal(err)
		}
	}
}

// BenchmarkTreeMemory reports the heap held by a committed 10k tree.
func BenchmarkTreeMemory(b *testing.B) {
	text := configtest.Big()
	for i := 0; i < b.N; i++ {
		runtime.GC()
		var m0, m1 runtime.MemStats
		runtime.ReadMemStats(&m0)
		t, err := applyLoad(NewRoot(), nil, LoadSet, text, "bench")
		if err != nil {
			b.Fatal(err)
		}
		runtime.GC()
		runtime.ReadMemStats(&m1)
		b.ReportMetric(float64(m1.HeapAlloc-m0.HeapAlloc)/(1<<20), "MB/tree")
		runtime.KeepAlive(t)
	}
}
