package lab

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer collects what ServeUI copies.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestServeUI hands a listener of this process to a running lab, which
// serves on it (Options.UI) until the client goes; a lab without a UI
// refuses.
func TestServeUI(t *testing.T) {
	needRoot(t)
	topo := testLab(t, "testdata/line3/line3.yaml")
	served := make(chan struct{}) // closed when the UI function returns
	l, err := Up(context.Background(), topo, Options{RunDir: privateDir(t), UI: func(ctx context.Context, l *Lab, ln net.Listener, out io.Writer) error {
		defer close(served)
		srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprintf(w, "page of %s", l.Topology().Name)
			fmt.Fprintf(out, "served %s\n", r.URL.Path)
		})}
		go srv.Serve(ln)
		fmt.Fprintf(out, "serving on %s\n", ln.Addr())
		<-ctx.Done()
		srv.Close()
		return ctx.Err()
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	ln, err := net.ListenTCP("tcp", &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	out := &syncBuffer{}
	done := make(chan error, 1)
	go func() { done <- ServeUI(ctx, l.Dir(), ln, out) }()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(out.String(), "serving on "+ln.Addr().String()) {
		if time.Now().After(deadline) {
			t.Fatalf("the lab did not serve: %q", out.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	resp, err := http.Get("http://" + ln.Addr().String() + "/x")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "page of "+topo.Name {
		t.Errorf("page %q", body)
	}
	for !strings.Contains(out.String(), "served /x\n") {
		if time.Now().After(deadline) {
			t.Fatalf("the lab's notices did not reach the client: %q", out.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("ServeUI: %v", err)
	}
	select {
	case <-served:
	case <-time.After(10 * time.Second):
		t.Fatal("the UI outlived its client")
	}

	// A lab without a UI refuses.
	topo2 := testLab(t, "testdata/line3/line3.yaml")
	topo2.Name += "b"
	l2 := upLab(t, topo2, privateDir(t))
	err = ServeUI(context.Background(), l2.Dir(), ln, io.Discard)
	if !errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), "serves no web page") {
		t.Errorf("a lab without UI: %v", err)
	}
}
