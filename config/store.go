package config

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Store keeps committed configurations in a directory: one file per commit
// (commit-<seq>.conf: a header line with the commit's metadata, then the
// configuration text), the newest MaxRollback+1 kept. Files are written
// atomically (temporary file, fsync, rename, fsync of the directory), so a
// crash leaves the old or the new configuration, never a mix.
type Store struct{ dir string }

// NewStore returns a store in dir, creating it (mode 0700: configurations
// hold secrets), and removes the temporary files of a commit that was
// killed before its rename.
func NewStore(dir string) (*Store, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	os.Chmod(dir, 0o700)
	left, _ := filepath.Glob(filepath.Join(dir, ".commit-*.tmp"))
	for _, f := range left {
		os.Remove(f)
	}
	return &Store{dir: dir}, nil
}

// Dir returns the store's directory.
func (s *Store) Dir() string { return s.dir }

const headerPrefix = "## mxlab-commit "

func (s *Store) file(seq uint64) string {
	return filepath.Join(s.dir, fmt.Sprintf("commit-%08d.conf", seq))
}

// Load returns the stored commits, newest first.
func (s *Store) Load() ([]Commit, error) {
	names, err := filepath.Glob(filepath.Join(s.dir, "commit-*.conf"))
	if err != nil {
		return nil, err
	}
	var out []Commit
	for _, name := range names {
		c, err := readHeader(name)
		if err != nil {
			continue // a foreign or damaged file is not a commit
		}
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Seq > out[j].Seq })
	if len(out) > MaxRollback+1 {
		out = out[:MaxRollback+1]
	}
	return out, nil
}

func readHeader(name string) (Commit, error) {
	f, err := os.Open(name)
	if err != nil {
		return Commit{}, err
	}
	defer f.Close()
	line, err := bufio.NewReader(f).ReadString('\n')
	if err != nil {
		return Commit{}, err
	}
	return parseHeader(strings.TrimSuffix(line, "\n"))
}

// header fields: seq unixnano user via confirm comment(quoted)
func formatHeader(c Commit) string {
	return fmt.Sprintf("%s%d %d %s %s %d %s\n", headerPrefix, c.Seq, c.Time.UnixNano(),
		strconv.Quote(c.User), c.Via, c.Confirm, strconv.Quote(c.Comment))
}

func parseHeader(line string) (Commit, error) {
	var c Commit
	if !strings.HasPrefix(line, headerPrefix) {
		return c, fmt.Errorf("not a commit file")
	}
	rest := line[len(headerPrefix):]
	var ns int64
	if _, err := fmt.Sscanf(rest, "%d %d", &c.Seq, &ns); err != nil {
		return c, err
	}
	c.Time = time.Unix(0, ns)
	f := strings.SplitN(rest, " ", 3)
	if len(f) < 3 {
		return c, fmt.Errorf("short header")
	}
	user, tail, err := unquotePrefix(f[2])
	if err != nil {
		return c, err
	}
	c.User = user
	var via string
	if _, err := fmt.Sscanf(tail, "%s %d", &via, &c.Confirm); err != nil {
		return c, err
	}
	c.Via = via
	parts := strings.SplitN(strings.TrimSpace(tail), " ", 3)
	if len(parts) == 3 {
		if cm, _, err := unquotePrefix(parts[2]); err == nil {
			c.Comment = cm
		}
	}
	return c, nil
}

func unquotePrefix(s string) (string, string, error) {
	q, err := strconv.QuotedPrefix(s)
	if err != nil {
		return "", "", err
	}
	v, err := strconv.Unquote(q)
	return v, strings.TrimSpace(s[len(q):]), err
}

// Read returns the configuration text of commit seq.
func (s *Store) Read(seq uint64) (string, error) {
	b, err := os.ReadFile(s.file(seq))
	if err != nil {
		return "", err
	}
	text := string(b)
	if i := strings.IndexByte(text, '\n'); i >= 0 {
		text = text[i+1:]
	}
	return text, nil
}

// Write stores a commit atomically and removes commits older than the
// rollback range.
func (s *Store) Write(c Commit, text string) error {
	name := s.file(c.Seq)
	tmp, err := os.CreateTemp(s.dir, ".commit-*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	w := bufio.NewWriterSize(tmp, 64<<10)
	w.WriteString(formatHeader(c))
	w.WriteString(text)
	if err := w.Flush(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), name); err != nil {
		return err
	}
	if d, err := os.Open(s.dir); err == nil {
		d.Sync()
		d.Close()
	}
	s.prune(c.Seq)
	return nil
}

// prune removes commits older than the rollback range ending at newest.
func (s *Store) prune(newest uint64) {
	if newest <= MaxRollback+1 {
		return
	}
	names, _ := filepath.Glob(filepath.Join(s.dir, "commit-*.conf"))
	for _, name := range names {
		var seq uint64
		if _, err := fmt.Sscanf(filepath.Base(name), "commit-%d.conf", &seq); err == nil && seq+MaxRollback+1 <= newest {
			os.Remove(name)
		}
	}
}
