package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"time"
)

// envDebugAddr names a loopback address ("127.0.0.1:6060") where "lab up"
// serves the Go runtime's profiles (net/http/pprof: /debug/pprof/heap,
// goroutine, profile...) while the lab runs, for measuring a lab's memory
// and CPU. Unset (the default), nothing is served.
const envDebugAddr = "MXLAB_DEBUG_ADDR"

// startDebug serves the profiles on $MXLAB_DEBUG_ADDR when it is set; stop
// closes the listener and waits for the server.
func startDebug() (stop func(), err error) {
	addr := os.Getenv(envDebugAddr)
	if addr == "" {
		return func() {}, nil
	}
	host, _, err := net.SplitHostPort(addr)
	if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
		return nil, fmt.Errorf("%s=%q: a loopback address and port, like 127.0.0.1:6060", envDebugAddr, addr)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", envDebugAddr, err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			fmt.Fprintf(os.Stderr, "mxlab lab up: %s: %v\n", envDebugAddr, err)
		}
	}()
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if srv.Shutdown(ctx) != nil {
			srv.Close()
		}
		<-done
	}, nil
}
