package config

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"testing"
)

// bigConfig returns a configuration of about n/10000 × 10,000 set lines:
// interfaces, static routes, IPsec rules and terms, service sets.
func bigConfig() string {
	var b strings.Builder
	for i := 0; i < 500; i++ {
		fpc, pic, port := i/40, (i/10)%4, i%10
		name := fmt.Sprintf("ge-%d/%d/%d", fpc, pic, port)
		fmt.Fprintf(&b, "set interfaces %s description \"port %d\"\n", name, i)
		fmt.Fprintf(&b, "set interfaces %s unit 0 family inet address 10.%d.%d.1/24\n", name, i/256, i%256)
		fmt.Fprintf(&b, "set interfaces %s mtu 9000\n", name)
	}
	for i := 0; i < 2000; i++ {
		fmt.Fprintf(&b, "set routing-options static route 172.%d.%d.0/24 next-hop 10.0.%d.2\n", 16+i/256, i%256, i%200)
		fmt.Fprintf(&b, "set routing-options static route 172.%d.%d.0/24 preference %d\n", 16+i/256, i%256, 5+i%100)
		fmt.Fprintf(&b, "set routing-options static route 172.%d.%d.0/24 tag %d\n", 16+i/256, i%256, i)
	}
	for i := 0; i < 200; i++ {
		r := fmt.Sprintf("set services ipsec-vpn rule r%d term t1 ", i)
		fmt.Fprintf(&b, "%sfrom source-address 172.16.%d.0/24\n", r, i)
		fmt.Fprintf(&b, "%sfrom destination-address 192.168.%d.0/24\n", r, i)
		fmt.Fprintf(&b, "%sthen remote-gateway 10.0.%d.2\n", r, i%200)
		fmt.Fprintf(&b, "%sthen manual direction bidirectional protocol esp\n", r)
		fmt.Fprintf(&b, "%sthen manual direction bidirectional spi %d\n", r, 256+i)
		fmt.Fprintf(&b, "%sthen manual direction bidirectional authentication algorithm hmac-sha1-96\n", r)
		fmt.Fprintf(&b, "%sthen manual direction bidirectional encryption algorithm aes-128-cbc\n", r)
		fmt.Fprintf(&b, "%sthen anti-replay-window-size 128\n", r)
		fmt.Fprintf(&b, "set services ipsec-vpn rule r%d match-direction input\n", i)
		fmt.Fprintf(&b, "set services service-set ss%d next-hop-service inside-service-interface ms-1/2/0.%d\n", i, 2*i+1)
		fmt.Fprintf(&b, "set services service-set ss%d next-hop-service outside-service-interface ms-1/2/0.%d\n", i, 2*i+2)
		fmt.Fprintf(&b, "set services service-set ss%d ipsec-vpn-options local-gateway 10.%d.%d.1\n", i, i/256, i%256)
		fmt.Fprintf(&b, "set services service-set ss%d ipsec-vpn-rules r%d\n", i, i)
	}
	return b.String()
}

func loadBig(b *testing.B) (*DB, *Session, string) {
	text := bigConfig()
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
	text := bigConfig()
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
	if err := s.Load(LoadSet, bigConfig(), "bench", false); err != nil {
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
	text := bigConfig()
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
