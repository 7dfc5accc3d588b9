package netns

import (
	"context"
	"fmt"

	"github.com/vishvananda/netlink"
)

// WatchLinks calls changed with the Linux name of every link whose state
// changes in the namespace (created, deleted, up, down, carrier), until ctx
// ends. It returns once the watch is set up; wait blocks until the
// watching goroutine has ended (after ctx ends).
func (h *Handle) WatchLinks(ctx context.Context, changed func(name string)) (wait func(), err error) {
	ns, release, err := h.fd()
	if err != nil {
		return nil, err
	}
	ch := make(chan netlink.LinkUpdate, 64)
	done := make(chan struct{})
	err = netlink.LinkSubscribeWithOptions(ch, done, netlink.LinkSubscribeOptions{Namespace: &ns})
	release()
	if err != nil {
		return nil, fmt.Errorf("namespace %s: watch links: %w", h.name, err)
	}
	ended := make(chan struct{})
	go func() {
		defer close(ended)
		stop := ctx.Done()
		for {
			select {
			case <-stop:
				close(done)
				stop = nil // drain until the subscription closes ch
			case u, ok := <-ch:
				if !ok {
					if stop != nil {
						close(done)
					}
					return
				}
				if stop != nil {
					changed(u.Attrs().Name)
				}
			}
		}
	}()
	return func() { <-ended }, nil
}
