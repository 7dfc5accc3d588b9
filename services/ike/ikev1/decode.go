package ikev1

import (
	"errors"
	"fmt"
)

// knownTypes are the payloads phase 1, quick mode and informational
// exchanges may carry; a message with any other is dropped.
var knownTypes = map[PayloadType]bool{
	PayloadSA: true, PayloadKE: true, PayloadID: true, PayloadCert: true, PayloadCR: true,
	PayloadHash: true, PayloadSig: true, PayloadNonce: true, PayloadNotify: true, PayloadDelete: true,
	PayloadVendor: true, PayloadNATD: true, PayloadNATDDraft: true, PayloadNATOA: true, PayloadNATOADraft: true,
}

var errUnknownPayload = errors.New("unknown payload type")

func checkTypes(msg *Message) error {
	for _, p := range msg.Payloads {
		if !knownTypes[p.Type] {
			return fmt.Errorf("%w %d", errUnknownPayload, uint8(p.Type))
		}
	}
	return nil
}

// open decodes a message of sa, decrypting it when it is encrypted. last
// is the last ciphertext block (nil in clear), which becomes the next IV
// once the message proves authentic.
func (m *Machine) open(sa *ikeSA, h *Header, msg []byte) (*Message, []byte, error) {
	if h.Flags&FlagEncrypted == 0 {
		d, err := Decode(msg)
		if err != nil {
			return nil, nil, err
		}
		return d, nil, checkTypes(d)
	}
	if sa.cbc == nil {
		return nil, nil, fmt.Errorf("%w: encrypted before keys exist", ErrDecrypt)
	}
	plain, last, err := sa.cbc.open(h.MsgID, msg[HeaderLen:])
	if err != nil {
		return nil, nil, err
	}
	ps, err := ParsePayloads(h.Next, plain, true)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %w", ErrDecrypt, err)
	}
	d := &Message{Header: *h, Payloads: ps}
	return d, last, checkTypes(d)
}

// seal returns an encrypted message of sa with header h and the payloads
// of c; keep says whether its last block is the IV of the exchange's
// next message (every exchange but informational).
func (m *Machine) seal(sa *ikeSA, h Header, c *chain, keep bool) []byte {
	h.Flags |= FlagEncrypted
	h.Next = c.first
	ct, last := sa.cbc.seal(h.MsgID, c.b)
	sa.cbc.advance(h.MsgID, last, keep)
	h.Length = uint32(HeaderLen + len(ct))
	return append(h.Append(make([]byte, 0, h.Length)), ct...)
}

// dropDecode counts a message that failed to decode or verify under the
// counter its error belongs to.
func (m *Machine) dropDecode(sa *ikeSA, err error, format string, args ...any) {
	c := &m.stats.Malformed
	switch {
	case errors.Is(err, errUnknownPayload):
		c = &m.stats.UnknownPayload
	case errors.Is(err, errAuth), errors.Is(err, ErrDecrypt):
		c = &m.stats.AuthFailed
	case errors.Is(err, errNoProposal):
		c = &m.stats.NoProposal
	}
	m.drop(sa, c, format+": %v", append(args, err)...)
}

var (
	errAuth       = errors.New("authentication failed")
	errNoProposal = errors.New("no proposal chosen")
	errMissing    = errors.New("missing payload")
)

// need returns the body of the first payload of type t.
func need(d *Message, t PayloadType) ([]byte, error) {
	p := d.First(t)
	if p == nil {
		return nil, fmt.Errorf("%w %v", errMissing, t)
	}
	return p.Body, nil
}
