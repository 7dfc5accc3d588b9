package config

import (
	"reflect"
	"strings"
	"testing"

	"mxlab/config/schema"
)

// memos are what a session keeps between resolutions.
type memos struct {
	walk walkMemo
	vals valueMemo
}

// resolveBoth resolves words from the root fresh and through m, and
// fails when the results differ.
func resolveBoth(t *testing.T, m *memos, words []string, needValue bool) {
	t.Helper()
	fresh := &resolver{words: words, needValue: needValue}
	want, wantErr := fresh.walk(schema.Root())
	kept := &resolver{words: words, needValue: needValue, vals: &m.vals}
	got, gotErr := kept.walkOn(schema.Root(), &m.walk)
	if !reflect.DeepEqual(got, want) || !reflect.DeepEqual(gotErr, wantErr) || kept.want != fresh.want || kept.pos != fresh.pos {
		t.Fatalf("%q (needValue %v): through the memo %v %v %+v, fresh %v %v %+v",
			words, needValue, got, gotErr, kept.want, want, wantErr, fresh.want)
	}
}

// TestWalkMemoPrefixes resolves every prefix of lines as they are typed,
// word after word, then edited back, through one memo: the same paths,
// errors and expectations as a fresh resolution.
func TestWalkMemoPrefixes(t *testing.T) {
	lines := []string{
		"routing-options static route 10.0.0.0/24 next-hop 192.0.2.1",
		"routing-options static route 10.0.0.0/8 next-hop [ 1.1.1.1 2.2.2.2 ] preference 5",
		"interfaces ge-1/0/0 unit 0 family inet address 10.0.0.1/24",
		"system services ssh",
		"policy-options policy-statement p term t from route-filter 10.0.0.0/8 upto /24",
		"policy-options policy-statement p term t from route-filter 10.0.0.0/8 exact",
		"routing-options static route 10.0.0.0/24 next-hop",
		"routing-options static route 10.0.0.0/24 next-hop preference 5",
		"routing-options static route",
		"routing-options static rou 10.0.0.0/24",
		"interfaces ge-1/0/0 unit x",
		"system host-name",
	}
	for _, needValue := range []bool{false, true} {
		var memo memos
		resolveBoth(t, &memo, nil, needValue)
		for _, line := range lines {
			words := strings.Fields(line)
			for i := range words {
				resolveBoth(t, &memo, words[:i+1], needValue)
			}
			for i := len(words); i >= 0; i-- {
				resolveBoth(t, &memo, words[:i], needValue)
			}
		}
	}
}

// FuzzWalkMemo resolves line a, then line b through the memo a left.
func FuzzWalkMemo(f *testing.F) {
	f.Add("routing-options static route 10.0.0.0/24", "routing-options static route 10.0.0.0/24 next-hop 192.0.2.1", true)
	f.Add("routing-options static route 10.0.0.0/24 next-hop", "routing-options static route 10.0.0.0/24 next-hop preference 5", false)
	f.Add("policy-options policy-statement p term t from route-filter 10.0.0.0/8", "policy-options policy-statement p term t from route-filter 10.0.0.0/8 upto /24", true)
	f.Add("interfaces ge-1/0/0 unit 0", "interfaces ge-1/0/0 unit 0 family inet address 10.0.0.1/24", false)
	f.Fuzz(func(t *testing.T, a, b string, needValue bool) {
		var memo memos
		resolveBoth(t, &memo, strings.Fields(a), needValue)
		resolveBoth(t, &memo, strings.Fields(b), needValue)
	})
}
