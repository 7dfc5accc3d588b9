package ospf

import (
	"cmp"
	"slices"
	"time"
)

// entry is an LSA in a database, with when it was installed (its age grows
// from there) and the bookkeeping the extensive display shows.
type entry struct {
	lsa       *LSA
	installed time.Time
	ours      bool
	changed   time.Time // content last changed
	changes   int
	sent      time.Time // last flooded by us
}

// age returns the LSA's age at now, at most MaxAge.
func (e *entry) age(now time.Time) uint16 {
	a := int64(e.lsa.Age) + int64(now.Sub(e.installed)/time.Second)
	if a >= MaxAge || e.lsa.Age >= MaxAge {
		return MaxAge
	}
	return uint16(a)
}

// header returns the LSA's header with its current age.
func (e *entry) header(now time.Time) LSAHeader {
	h := e.lsa.LSAHeader
	h.Age = e.age(now)
	return h
}

// lsdb is a link-state database: one per area, and one for the AS-scope
// LSAs.
type lsdb struct {
	m map[LSAKey]*entry
}

func newLSDB() *lsdb { return &lsdb{m: map[LSAKey]*entry{}} }

func (d *lsdb) get(k LSAKey) *entry { return d.m[k] }

// sorted returns the entries by type, ID and advertising router, as the
// database display lists them.
func (d *lsdb) sorted() []*entry {
	out := make([]*entry, 0, len(d.m))
	for _, e := range d.m {
		out = append(out, e)
	}
	slices.SortFunc(out, func(a, b *entry) int {
		return cmp.Or(cmp.Compare(a.lsa.Type, b.lsa.Type), cmp.Compare(a.lsa.ID, b.lsa.ID), cmp.Compare(a.lsa.Adv, b.lsa.Adv))
	})
	return out
}

// install puts l in the database at now and reports whether its content
// differs from the instance it replaces (RFC 2328 13.2: a change that
// needs a new routing table calculation).
func (d *lsdb) install(l *LSA, now time.Time, ours bool) (*entry, bool) {
	k := l.Key()
	old := d.m[k]
	e := &entry{lsa: l, installed: now, ours: ours, changed: now, changes: 1}
	changed := true
	if old != nil {
		e.changes, e.changed = old.changes, old.changed
		changed = contentDiffers(old, l, now)
		if changed {
			e.changes++
			e.changed = now
		}
	}
	d.m[k] = e
	return e, changed
}

func (d *lsdb) remove(k LSAKey) { delete(d.m, k) }

// contentDiffers compares an installed LSA with a new instance: options,
// MaxAge-ness, length or body (RFC 2328 13.2).
func contentDiffers(old *entry, l *LSA, now time.Time) bool {
	o := old.lsa
	if o.Options != l.Options || o.Length != l.Length || (old.age(now) == MaxAge) != (l.Age >= MaxAge) {
		return true
	}
	return string(o.Raw[lsaHeaderLen:]) != string(l.Raw[lsaHeaderLen:])
}

// compareLSA tells which of two instances of an LSA is newer (RFC 2328
// 13.1): 1 when a is newer, -1 when b is, 0 when they are the same
// instance. Ages are the current ones.
func compareLSA(a LSAHeader, b LSAHeader) int {
	if a.Seq != b.Seq {
		return cmp.Compare(a.Seq, b.Seq)
	}
	if a.Checksum != b.Checksum {
		return cmp.Compare(a.Checksum, b.Checksum)
	}
	am, bm := a.Age >= MaxAge, b.Age >= MaxAge
	switch {
	case am && !bm:
		return 1
	case bm && !am:
		return -1
	}
	d := int(a.Age) - int(b.Age)
	if d > MaxAgeDiff || -d > MaxAgeDiff {
		return cmp.Compare(b.Age, a.Age) // the younger is newer
	}
	return 0
}
