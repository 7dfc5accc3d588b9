package netconf

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
)

// Framing (RFC 6242): base:1.0 sessions end each message with "]]>]]>";
// base:1.1 sessions, once both peers said so in their hello, send each
// message as chunks "\n#LEN\n" + LEN bytes, ended by "\n##\n".

// eom is the base:1.0 end-of-message marker.
const eom = "]]>]]>"

// MaxMessage is the largest message a session reads: 32 MiB. A larger one
// gets an rpc-error (error-tag too-big) and the session is closed.
const MaxMessage = 32 << 20

// maxChunk is the largest chunk size RFC 6242 allows.
const maxChunk = 4294967295

// Errors of the framer.
var (
	ErrTooBig  = errors.New("message too big")
	ErrFraming = errors.New("framing error")
)

// Reader reads NETCONF messages.
type Reader struct {
	r       *bufio.Reader
	chunked bool
	max     int
}

// NewReader returns a reader of base:1.0 messages at most max bytes long
// (MaxMessage when max is 0).
func NewReader(r io.Reader, max int) *Reader {
	if max <= 0 {
		max = MaxMessage
	}
	return &Reader{r: bufio.NewReaderSize(r, 64<<10), max: max}
}

// SetChunked switches to base:1.1 chunked framing.
func (fr *Reader) SetChunked() { fr.chunked = true }

// ReadMsg returns the next message. At the end of the input it returns
// io.EOF, or io.ErrUnexpectedEOF when a message was left unterminated.
func (fr *Reader) ReadMsg() ([]byte, error) {
	if fr.chunked {
		return fr.readChunked()
	}
	return fr.readEOM()
}

func (fr *Reader) readEOM() ([]byte, error) {
	var msg []byte
	for {
		b, err := fr.r.ReadByte()
		if err != nil {
			if errors.Is(err, io.EOF) && len(bytes.TrimSpace(msg)) > 0 {
				return nil, io.ErrUnexpectedEOF
			}
			return nil, err
		}
		msg = append(msg, b)
		if b == '>' && bytes.HasSuffix(msg, []byte(eom)) {
			msg = msg[:len(msg)-len(eom)]
			if len(bytes.TrimSpace(msg)) == 0 {
				msg = msg[:0]
				continue // an empty message between markers
			}
			return msg, nil
		}
		if len(msg) > fr.max+len(eom) {
			return nil, ErrTooBig
		}
	}
}

// readChunked reads chunks until the end-of-chunks marker.
func (fr *Reader) readChunked() ([]byte, error) {
	var msg bytes.Buffer
	started := false
	for {
		n, err := fr.chunkHeader(started)
		if err != nil {
			return nil, err
		}
		started = true
		if n == 0 {
			return msg.Bytes(), nil
		}
		if msg.Len()+n > fr.max {
			return nil, ErrTooBig
		}
		// Copied as it arrives: a chunk header promising gigabytes costs
		// nothing until the bytes come.
		if got, err := io.CopyN(&msg, fr.r, int64(n)); err != nil || got != int64(n) {
			return nil, unexpected(err)
		}
	}
}

// chunkHeader reads "\n#LEN\n" (returning LEN) or "\n##\n" (returning 0).
// Blank space before the first chunk of a message is skipped (the end of
// line a peer writes after its base:1.0 hello).
func (fr *Reader) chunkHeader(started bool) (int, error) {
	lf := false
	var b byte
	for {
		var err error
		if b, err = fr.r.ReadByte(); err != nil {
			if started || lf {
				return 0, unexpected(err)
			}
			return 0, err
		}
		if b == '\n' && (!lf || !started) {
			lf = true
			continue
		}
		if !started && !lf && (b == ' ' || b == '\r' || b == '\t') {
			continue
		}
		break
	}
	if !lf {
		return 0, fmt.Errorf("%w: expected a chunk header", ErrFraming)
	}
	if b != '#' {
		return 0, fmt.Errorf("%w: expected '#'", ErrFraming)
	}
	var digits []byte
	for {
		b, err := fr.r.ReadByte()
		if err != nil {
			return 0, unexpected(err)
		}
		if b == '\n' {
			break
		}
		if b == '#' && len(digits) == 0 {
			if b, err = fr.r.ReadByte(); err != nil {
				return 0, unexpected(err)
			}
			if b != '\n' {
				return 0, fmt.Errorf("%w: bad end-of-chunks marker", ErrFraming)
			}
			if !started {
				return 0, fmt.Errorf("%w: end of chunks before a chunk", ErrFraming)
			}
			return 0, nil
		}
		if b < '0' || b > '9' || len(digits) > 10 || (len(digits) == 0 && b == '0') {
			return 0, fmt.Errorf("%w: bad chunk size", ErrFraming)
		}
		digits = append(digits, b)
	}
	n, err := strconv.ParseUint(string(digits), 10, 64)
	if err != nil || n == 0 || n > maxChunk {
		return 0, fmt.Errorf("%w: bad chunk size", ErrFraming)
	}
	if n > uint64(fr.max) {
		return 0, ErrTooBig
	}
	return int(n), nil
}

func unexpected(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}

// Writer writes NETCONF messages.
type Writer struct {
	w       io.Writer
	chunked bool
}

// NewWriter returns a writer of base:1.0 messages.
func NewWriter(w io.Writer) *Writer { return &Writer{w: w} }

// SetChunked switches to base:1.1 chunked framing.
func (fw *Writer) SetChunked() { fw.chunked = true }

// WriteMsg writes one message in one Write.
func (fw *Writer) WriteMsg(msg []byte) error {
	var b []byte
	if fw.chunked {
		b = make([]byte, 0, len(msg)+24)
		b = fmt.Appendf(b, "\n#%d\n", len(msg))
		b = append(b, msg...)
		b = append(b, "\n##\n"...)
	} else {
		b = make([]byte, 0, len(msg)+len(eom)+1)
		b = append(b, msg...)
		b = append(b, eom...)
		b = append(b, '\n')
	}
	_, err := fw.w.Write(b)
	return err
}
