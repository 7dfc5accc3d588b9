package ui

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/coder/websocket"
)

// accept upgrades a request to a WebSocket when it comes from the page's
// own origin (a browser always says where a WebSocket comes from; another
// site's page cannot open one with the user's cookie).
func (s *Server) accept(w http.ResponseWriter, r *http.Request) (*websocket.Conn, bool) {
	if origin := r.Header.Get("Origin"); origin != "" && !sameOrigin(origin, r.Host) {
		s.log.refused(r, "WebSocket from origin "+origin)
		http.Error(w, "refused: cross-origin WebSocket", http.StatusForbidden)
		return nil, false
	}
	c, err := websocket.Accept(w, r, nil)
	if err != nil {
		return nil, false
	}
	return c, true
}

func sameOrigin(origin, host string) bool {
	u, err := url.Parse(origin)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return false
	}
	return strings.EqualFold(u.Host, host)
}

// writeTimeout bounds one write to a page.
const writeTimeout = 10 * time.Second

// serveState pushes the topology, then states and events, until the page
// or the server goes.
func (s *Server) serveState(w http.ResponseWriter, r *http.Request) {
	if !s.enter() {
		http.Error(w, "closing", http.StatusServiceUnavailable)
		return
	}
	defer s.leave()
	c, ok := s.accept(w, r)
	if !ok {
		return
	}
	defer c.CloseNow()
	ctx := c.CloseRead(r.Context()) // the page sends nothing: ends when it goes
	cl := newClient()
	select {
	case s.hub.join <- cl:
	case <-ctx.Done():
		return
	}
	defer func() {
		select {
		case s.hub.leave <- cl:
		case <-r.Context().Done(): // the hub has stopped
		}
	}()
	for {
		select {
		case <-ctx.Done():
			return
		case <-cl.wake:
		}
		msgs, closed := cl.next()
		for _, m := range msgs {
			wctx, cancel := context.WithTimeout(ctx, writeTimeout)
			err := c.Write(wctx, websocket.MessageText, m)
			cancel()
			if err != nil {
				return
			}
		}
		if closed {
			c.Close(websocket.StatusGoingAway, "the page fell behind or the server stops")
			return
		}
	}
}
