package chassis

import "sync"

// broker hands card events to watchers. publish never blocks: each
// subscriber has an unbounded queue drained by its own goroutine (runWatch).
type broker struct {
	mu   sync.Mutex
	subs map[*subscriber]struct{}
}

type subscriber struct {
	mu   sync.Mutex
	q    []Event
	wake chan struct{} // capacity 1; never closed
}

func (b *broker) init() { b.subs = map[*subscriber]struct{}{} }

func (b *broker) subscribe() *subscriber {
	s := &subscriber{wake: make(chan struct{}, 1)}
	b.mu.Lock()
	b.subs[s] = struct{}{}
	b.mu.Unlock()
	return s
}

func (b *broker) unsubscribe(s *subscriber) {
	b.mu.Lock()
	delete(b.subs, s)
	b.mu.Unlock()
}

// publish queues e for every subscriber. It is called from the cards'
// goroutines.
func (b *broker) publish(e Event) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for s := range b.subs {
		s.mu.Lock()
		s.q = append(s.q, e)
		s.mu.Unlock()
		select {
		case s.wake <- struct{}{}:
		default:
		}
	}
}

// take returns the queued events and empties the queue.
func (s *subscriber) take() []Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	q := s.q
	s.q = nil
	return q
}
