package router

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"mxlab/config"
	"mxlab/config/configtest"
)

// benchRouter is a router without a forwarding plane holding the 10k
// statement configuration in a candidate, with every validator and owner
// of a real router.
func benchRouter(b *testing.B) (*Router, *config.Session) {
	b.Helper()
	r, err := New(Options{Name: "bench", StateDir: b.TempDir(), NoPlane: errors.New("benchmark")})
	if err != nil {
		b.Fatal(err)
	}
	if err := r.Start(context.Background(), ""); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(r.Stop)
	s, _, _, err := r.DB.Begin(config.Who{User: "lab"}, config.Private)
	if err != nil {
		b.Fatal(err)
	}
	if err := s.Load(config.LoadSet, configtest.Big(), "bench", false); err != nil {
		b.Fatal(err)
	}
	return r, s
}

// BenchmarkCommitCheck10k is "commit check" of the 10k-statement
// configuration with every validator of a router (schema, constraints,
// references, chassis, routing, services).
func BenchmarkCommitCheck10k(b *testing.B) {
	_, s := benchRouter(b)
	if _, err := s.CommitCheck(); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := s.CommitCheck(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCommit10k is "commit" of a one-statement change to the 10k
// configuration: validation, every owner's Prepare and Apply, the store.
func BenchmarkCommit10k(b *testing.B) {
	_, s := benchRouter(b)
	if _, err := s.Commit(context.Background(), config.CommitOptions{}); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s.Set([]string{"system", "host-name", fmt.Sprintf("r%d", i)})
		if _, err := s.Commit(context.Background(), config.CommitOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}
