package chassis

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"time"

	"gopkg.in/yaml.v3"

	"mxlab/pic"
)

// DefaultBootDelay is how long a card stays booting after
// "request chassis fpc ... online" when the layout sets no boot delay.
const DefaultBootDelay = 300 * time.Millisecond

// Layout describes the hardware of a router: its model and the cards in its
// FPC slots. The zero Layout is a default MX480.
type Layout struct {
	Model string `yaml:"model"` // mx240, mx480, mx960, mx104; "" is mx480
	// BootDelay is how long an FPC, then each of its PICs, stays booting
	// when brought online; 0 is DefaultBootDelay, a negative value none.
	BootDelay time.Duration `yaml:"boot-delay"`
	// FPCs are the cards by slot; nil gives the model's default cards.
	FPCs map[int]FPCLayout `yaml:"fpcs"`
}

// FPCLayout is one FPC: its type and, on an MPC, the PICs on its MICs.
type FPCLayout struct {
	Type string            `yaml:"type"` // mpc, ms-mpc, ms-dpc; "" is the model's MPC
	PICs map[int]PICLayout `yaml:"pics"`
}

// PICLayout is one PIC. In YAML it is a type name ("10x1ge") or a mapping
// ({type: ms-mic, adaptive-services: true}).
type PICLayout struct {
	Type string `yaml:"type"` // 10x1ge, 2x10ge, 1x10ge, 4xoc3, ms-mic
	// AdaptiveServices makes a services PIC answer also as sp-F/P/0.
	AdaptiveServices bool `yaml:"adaptive-services"`
}

// UnmarshalYAML accepts a PIC type name or a mapping.
func (p *PICLayout) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		*p = PICLayout{Type: n.Value}
		return nil
	}
	type plain PICLayout
	var v plain
	if err := n.Decode(&v); err != nil {
		return err
	}
	*p = PICLayout(v)
	return nil
}

// ErrLayout is wrapped by every layout error.
var ErrLayout = errors.New("invalid chassis layout")

// ParseLayout reads a YAML layout. Unknown keys are errors.
func ParseLayout(data []byte) (Layout, error) {
	var l Layout
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&l); err != nil && !errors.Is(err, io.EOF) {
		return Layout{}, fmt.Errorf("%w: %w", ErrLayout, err)
	}
	if _, err := resolve(l); err != nil {
		return Layout{}, err
	}
	return l, nil
}

// hardware is a layout checked against the catalogue.
type hardware struct {
	model     *Model
	bootDelay time.Duration
	fpcs      []fpcHW // sorted by slot
}

type fpcHW struct {
	slot int
	typ  *cardType
	pics []picHW // sorted by slot
}

type picHW struct {
	slot int
	typ  *picType
	kind pic.Kind
}

func layoutErr(format string, a ...any) error {
	return fmt.Errorf("%w: %s", ErrLayout, fmt.Sprintf(format, a...))
}

func resolve(l Layout) (*hardware, error) {
	name := l.Model
	if name == "" {
		name = "mx480"
	}
	m := models[name]
	if m == nil {
		return nil, layoutErr("model %q is not supported; supported models are %q", name, sortedKeys(models))
	}
	hw := &hardware{model: m, bootDelay: l.BootDelay}
	switch {
	case hw.bootDelay == 0:
		hw.bootDelay = DefaultBootDelay
	case hw.bootDelay < 0:
		hw.bootDelay = 0
	}
	fpcs := l.FPCs
	if fpcs == nil {
		fpcs = m.defaults
	}
	all := make(map[int]FPCLayout, len(fpcs)+len(m.fixed))
	for s, f := range fpcs {
		if _, ok := m.fixed[s]; ok {
			return nil, layoutErr("fpc %d of %s is built in", s, m.Desc)
		}
		all[s] = f
	}
	for s, f := range m.fixed {
		all[s] = f
	}
	for _, s := range sortedKeys(all) {
		_, fixed := m.fixed[s]
		f, err := resolveFPC(m, s, all[s], fixed)
		if err != nil {
			return nil, err
		}
		hw.fpcs = append(hw.fpcs, f)
	}
	return hw, nil
}

func resolveFPC(m *Model, slot int, fl FPCLayout, fixed bool) (fpcHW, error) {
	if slot < 0 || slot >= m.FPCSlots {
		return fpcHW{}, layoutErr("fpc %d: %s has fpc slots 0-%d", slot, m.Desc, m.FPCSlots-1)
	}
	tn := fl.Type
	if tn == "" {
		tn = m.fpcType
	}
	ct := cardTypes[tn]
	if ct == nil || (m.Name == "mx104") != (tn == "mx104-mpc" || tn == "mx104-xe") || (tn == "mx104-xe") != fixed {
		return fpcHW{}, layoutErr("fpc %d: card type %q is not supported in %s", slot, tn, m.Desc)
	}
	f := fpcHW{slot: slot, typ: ct}
	if ct.pics != nil {
		if len(fl.PICs) != 0 {
			return fpcHW{}, layoutErr("fpc %d: the PICs of %s are fixed", slot, ct.board.Desc)
		}
		for _, ps := range sortedKeys(ct.pics) {
			pt := picTypes[ct.pics[ps]]
			f.pics = append(f.pics, picHW{slot: ps, typ: pt, kind: pt.kind})
		}
		return f, nil
	}
	for _, ps := range sortedKeys(fl.PICs) {
		p, err := resolvePIC(slot, ps, ct, fl.PICs)
		if err != nil {
			return fpcHW{}, err
		}
		f.pics = append(f.pics, p)
	}
	return f, nil
}

func resolvePIC(fslot, ps int, ct *cardType, pics map[int]PICLayout) (picHW, error) {
	pl := pics[ps]
	pt := picTypes[pl.Type]
	if pt == nil || pt.mic == (item{}) || (pt.mic.Part == builtin) != (ct.board.Part == builtin && ct.micSlots == 1) {
		return picHW{}, layoutErr("fpc %d pic %d: PIC type %q is not supported; supported types are %q",
			fslot, ps, pl.Type, micPICTypes())
	}
	if ps < 0 || ps >= 2*ct.micSlots {
		return picHW{}, layoutErr("fpc %d pic %d: %s has pic slots 0-%d", fslot, ps, ct.board.Desc, 2*ct.micSlots-1)
	}
	if pt.wide && ps%2 != 0 {
		return picHW{}, layoutErr("fpc %d pic %d: %s takes a whole MIC (pic %d)", fslot, ps, pt.desc, ps-1)
	}
	if other, ok := pics[ps^1]; ok && (pt.wide || picTypes[other.Type] != nil && picTypes[other.Type].wide) {
		return picHW{}, layoutErr("fpc %d pic %d: MIC %d holds a %s", fslot, ps, ps/2, pt.desc)
	}
	if other, ok := pics[ps^1]; ok && picTypes[other.Type] != nil && picTypes[other.Type].mic != pt.mic {
		return picHW{}, layoutErr("fpc %d pic %d: PICs %d and %d are on the same MIC and must be alike", fslot, ps, ps&^1, ps|1)
	}
	k := pt.kind
	if pl.AdaptiveServices {
		if !k.Services {
			return picHW{}, layoutErr("fpc %d pic %d: adaptive-services needs a services PIC", fslot, ps)
		}
		k.Aliases = []string{"sp"}
	}
	return picHW{slot: ps, typ: pt, kind: k}, nil
}

func micPICTypes() []string {
	var names []string
	for n, p := range picTypes {
		if p.mic != (item{}) {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	return names
}

func sortedKeys[K int | string, V any](m map[K]V) []K {
	keys := make([]K, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
