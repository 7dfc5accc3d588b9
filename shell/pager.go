package shell

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
)

// pager shows a command's output a screen at a time on a terminal. Lines
// are shown as they come until the screen is full; the rest waits until
// the command is done, so the prompt "---(more NN%)---" always knows how
// much is left. Space shows the next screen, Enter the next line, q or
// Ctrl-C drop the rest.
type pager struct {
	next   io.Writer
	s      *Session
	ctx    context.Context
	cancel context.CancelFunc
	length int // lines per screen, the prompt line included

	partial []byte
	queue   [][]byte // lines not shown yet
	shown   int
	onPage  int
	quit    bool
}

func (p *pager) Write(b []byte) (int, error) {
	if p.quit {
		return len(b), nil
	}
	p.partial = append(p.partial, b...)
	for {
		i := bytes.IndexByte(p.partial, '\n')
		if i < 0 {
			break
		}
		p.queue = append(p.queue, append([]byte(nil), p.partial[:i+1]...))
		p.partial = p.partial[i+1:]
	}
	return len(b), p.flush(false)
}

// Close shows what is left, asking between screens.
func (p *pager) Close() error {
	if len(p.partial) > 0 && !p.quit {
		p.queue = append(p.queue, p.partial)
		p.partial = nil
	}
	return p.flush(true)
}

// flush shows queued lines while the screen has room; when final, it asks
// for more until the queue is empty.
func (p *pager) flush(final bool) error {
	for len(p.queue) > 0 && !p.quit {
		if p.onPage >= p.length-1 {
			if !final {
				return nil
			}
			if err := p.more(); err != nil {
				return err
			}
			continue
		}
		if _, err := p.next.Write(p.queue[0]); err != nil {
			return err
		}
		p.queue = p.queue[1:]
		p.shown++
		p.onPage++
	}
	return nil
}

// more prints the pager prompt and waits for a key.
func (p *pager) more() error {
	pct := p.shown * 100 / (p.shown + len(p.queue))
	prompt := fmt.Sprintf("---(more %d%%)---", pct)
	if _, err := io.WriteString(p.next, prompt); err != nil {
		return err
	}
	for {
		k, err := p.s.keys.readKey(p.ctx)
		if err != nil {
			k = 'q'
		}
		switch k {
		case ' ':
			p.onPage = 0
		case keyEnter, 'j':
			p.onPage = p.length - 2
		case 'q', 'Q', keyCtrlC:
			p.quit = true
			p.queue = nil
			p.cancel()
		default:
			continue
		}
		_, err = io.WriteString(p.next, "\r"+strings.Repeat(" ", len(prompt))+"\r")
		return err
	}
}
