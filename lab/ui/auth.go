package ui

import (
	"crypto/subtle"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// cookieName is the cookie that carries the token after the first load.
// Cookies ignore ports: the name holds the port, so that the pages of two
// labs on one host keep their own.
func cookieName(r *http.Request) string {
	port := "0"
	if a, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr); ok {
		if _, p, err := net.SplitHostPort(a.String()); err == nil {
			port = p
		}
	}
	return "mxlab_ui_" + port
}

// guard lets through the requests that carry the token, for a Host this
// server answers to, and adds the headers every answer has.
func (s *Server) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Cache-Control", "no-store")
		h.Set("X-Frame-Options", "DENY")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'")
		if s.loop && !loopbackHost(hostOnly(r.Host)) {
			s.log.refused(r, fmt.Sprintf("Host %q is not a loopback name", r.Host))
			http.Error(w, "refused: this page answers to 127.0.0.1 and localhost only", http.StatusForbidden)
			return
		}
		q := r.URL.Query()
		if tok, ok := q["token"]; ok {
			if !s.validToken(tok[0]) {
				s.log.refused(r, "wrong token")
				http.Error(w, "refused: wrong access token (open the URL mxlab printed)", http.StatusForbidden)
				return
			}
			http.SetCookie(w, &http.Cookie{Name: cookieName(r), Value: s.token, Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode})
			if r.Method == http.MethodGet && (r.URL.Path == "/" || r.URL.Path == "/index.html") {
				q.Del("token")
				u := *r.URL
				u.RawQuery = q.Encode()
				http.Redirect(w, r, u.RequestURI(), http.StatusSeeOther)
				return
			}
			next.ServeHTTP(w, r)
			return
		}
		c, err := r.Cookie(cookieName(r))
		if err != nil {
			http.Error(w, "refused: this page needs its access token: open the URL mxlab printed (http://HOST:PORT/?token=...)", http.StatusForbidden)
			return
		}
		if !s.validToken(c.Value) {
			s.log.refused(r, "wrong token")
			http.Error(w, "refused: wrong access token (the lab's page was started again? open the URL mxlab printed)", http.StatusForbidden)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func (s *Server) validToken(t string) bool {
	return subtle.ConstantTimeCompare([]byte(t), []byte(s.token)) == 1
}

func hostOnly(hostport string) string {
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		return h
	}
	return strings.Trim(hostport, "[]")
}

// logger writes the server's notices to out, at most burst refusals per
// period: a flood of wrong tokens is summed up, not copied line by line.
type logger struct {
	now func() time.Time

	mu      sync.Mutex
	out     io.Writer
	start   time.Time // of the current period
	count   int       // refusals logged in it
	dropped int       // refusals not logged
}

const (
	logBurst  = 5
	logPeriod = 10 * time.Second
)

func newLogger(out io.Writer, now func() time.Time) *logger {
	if out == nil {
		out = io.Discard
	}
	return &logger{out: out, now: now}
}

// refused logs a refused request: when, from where, what and why.
func (l *logger) refused(r *http.Request, why string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if now.Sub(l.start) >= logPeriod {
		if l.dropped > 0 {
			fmt.Fprintf(l.out, "%s web page: %d more requests refused\n", now.Format(time.DateTime), l.dropped)
		}
		l.start, l.count, l.dropped = now, 0, 0
	}
	if l.count >= logBurst {
		l.dropped++
		return
	}
	l.count++
	path := r.URL.Path
	fmt.Fprintf(l.out, "%s web page: refused %s %s from %s: %s\n", now.Format(time.DateTime), r.Method, path, r.RemoteAddr, why)
}

// printf logs a notice.
func (l *logger) printf(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	fmt.Fprintf(l.out, "%s web page: %s\n", l.now().Format(time.DateTime), fmt.Sprintf(format, args...))
}
