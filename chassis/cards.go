package chassis

import "mxlab/pic"

// Card is an FPC and its PICs with their states, as "show chassis fpc
// pic-status" lists them.
type Card struct {
	Slot  int
	State State
	Desc  string // "MPC7E 3D 40XGE", "MS-MPC"
	PICs  []PIC
}

// PIC is a PIC of a Card.
type PIC struct {
	Slot  int
	State State
	Desc  string // "10x 1GE(LAN) SFP", "MS-MPC-PIC"
}

// Cards returns the FPCs of the chassis, by slot, with their PICs. The
// PICs of an FPC that is not online are Offline.
func (c *Chassis) Cards() []Card {
	v := c.snapshot()
	out := make([]Card, 0, len(v.fpcs))
	for _, f := range v.fpcs {
		card := Card{Slot: f.hw.slot, State: f.st.State, Desc: f.hw.typ.board.Desc}
		for _, p := range f.pics {
			st := p.st.State
			if f.st.State != pic.Online {
				st = pic.Offline
			}
			card.PICs = append(card.PICs, PIC{Slot: p.hw.slot, State: st, Desc: p.hw.typ.desc})
		}
		out = append(out, card)
	}
	return out
}
