// Package card runs the goroutine that owns the state of a card (an FPC or
// a PIC). Other goroutines never touch the state: they send the goroutine
// a closure with Do and wait for it to finish. The goroutine also keeps
// one timer, the card's boot timer, whose callback runs on it too.
//
//	type state struct{ online bool }
//	l := card.NewLoop[state]()
//	l.Start(ctx, func() *state { return &state{online: true} })
//	ok := l.Do(func(s *state) { s.online = false }) // false once the loop ended
//	l.Stop()                                          // cancels and waits
package card
