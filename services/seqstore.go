package services

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"sync"

	"mxlab/internal/atomicfile"
)

// seqFile keeps the sequence-number reservations of the manual SAs of every
// PIC of a router (mspic.SeqStore) in one file of the state directory,
// written atomically (temporary file, fsync, rename). The cards of a
// router share it; each saves only its own keys, so it merges.
type seqFile struct {
	path string

	mu   sync.Mutex
	all  map[string]uint64
	read bool
}

func newSeqFile(stateDir string) *seqFile {
	return &seqFile{path: filepath.Join(stateDir, "db", "ipsec-sequence")}
}

func (f *seqFile) load() error {
	if f.read {
		return nil
	}
	f.all = map[string]uint64{}
	b, err := os.ReadFile(f.path)
	if errors.Is(err, os.ErrNotExist) {
		f.read = true
		return nil
	}
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, &f.all); err != nil {
		// A damaged file cannot be trusted; start from nothing rather
		// than refuse to run (the peer then drops until its window
		// passes, as after a key change).
		f.all = map[string]uint64{}
	}
	f.read = true
	return nil
}

// Load returns every reservation (a card ignores the keys of others).
func (f *seqFile) Load() (map[string]uint64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.load(); err != nil {
		return nil, err
	}
	out := make(map[string]uint64, len(f.all))
	for k, v := range f.all {
		out[k] = v
	}
	return out, nil
}

// Save merges m into the file.
func (f *seqFile) Save(m map[string]uint64) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.load(); err != nil {
		return err
	}
	for k, v := range m {
		f.all[k] = max(f.all[k], v)
	}
	b, err := json.Marshal(f.all)
	if err != nil {
		return err
	}
	return atomicfile.Write(f.path, b)
}
