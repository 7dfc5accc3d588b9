package pki

import (
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// The directories of a store, one per kind of object. Every file is PEM,
// named after its certificate identifier or CA profile.
const (
	dirKeys     = "key-pair"            // <id>.key: the private key (PKCS #8)
	dirRequests = "certificate-request" // <id>.csr: PKCS #10
	dirLocal    = "local"               // <id>.crt: the certificate, then its chain
	dirCA       = "ca"                  // <profile>.crt: the CA certificates of a profile
	dirCRL      = "crl"                 // <profile>.crl
)

// pemKeyOrigin is the PEM header that records where a key pair comes from.
const pemKeyOrigin = "Keypair-Location"

// Errors of the store. The commands print them after "error: ".
var (
	ErrNotFound = errors.New("not found")
	ErrExists   = errors.New("already exists")
	ErrBadName  = errors.New("invalid name")
)

// idPattern bounds certificate identifiers and CA profile names: they
// name files of the store.
var idPattern = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]{0,31}$`)

func checkID(kind, id string) error {
	if !idPattern.MatchString(id) {
		return fmt.Errorf("%w: %s %q (1 to 32 letters, digits, '_', '-', '.')", ErrBadName, kind, id)
	}
	return nil
}

// Store is the certificate store of one router: key pairs, certificate
// requests, local certificates, CA certificates per CA profile and CRLs.
// It lives in a directory of the router's state directory (mode 0700, files
// 0600, each written atomically) that the CLI file commands cannot reach;
// private keys never leave it.
//
// Changes (the request and clear commands) are serialised by a mutex and
// publish a new immutable snapshot; readers (show commands, IKE) take the
// current snapshot without locking.
type Store struct {
	dir   string
	now   func() time.Time
	trace *tracer

	mu   sync.Mutex // serialises changes
	snap atomic.Pointer[snapshot]
	cfg  atomic.Pointer[Config]
}

// snapshot is the content of the store at one time; never modified once
// published.
type snapshot struct {
	keys     map[string]*keyPair
	requests map[string]*request
	locals   map[string]*local
	cas      map[string]*caCerts
	crls     map[string]*crl
}

type keyPair struct {
	id        string
	key       crypto.Signer
	generated bool // generated on the router, not imported
}

type request struct {
	id  string
	der []byte
	csr *x509.CertificateRequest
}

type local struct {
	id    string
	cert  *x509.Certificate
	chain []*x509.Certificate // intermediates, as loaded after the certificate
}

type caCerts struct {
	profile string
	certs   []*x509.Certificate
}

type crl struct {
	profile string
	list    *x509.RevocationList
}

func (s *snapshot) clone() *snapshot {
	return &snapshot{keys: maps.Clone(s.keys), requests: maps.Clone(s.requests),
		locals: maps.Clone(s.locals), cas: maps.Clone(s.cas), crls: maps.Clone(s.crls)}
}

// Options describe a store.
type Options struct {
	Dir    string           // the store's directory (created mode 0700)
	LogDir string           // the router's /var/log, for the traceoptions file; "" for none
	Now    func() time.Time // the clock of validity checks; default time.Now
}

// Open opens (creating it when needed) the store and loads what it holds.
// Files that cannot be read are left out and reported in the returned
// error; the store is usable all the same.
func Open(o Options) (*Store, error) {
	if o.Now == nil {
		o.Now = time.Now
	}
	dir := o.Dir
	s := &Store{dir: dir, now: o.Now, trace: newTracer(o.LogDir, o.Now)}
	s.cfg.Store(&Config{})
	for _, d := range []string{"", dirKeys, dirRequests, dirLocal, dirCA, dirCRL} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o700); err != nil {
			return nil, err
		}
		os.Chmod(filepath.Join(dir, d), 0o700)
	}
	snap, err := s.load()
	s.snap.Store(snap)
	return s, err
}

// Close closes the trace file.
func (s *Store) Close() { s.trace.close() }

// load reads every file of the store.
func (s *Store) load() (*snapshot, error) {
	snap := &snapshot{keys: map[string]*keyPair{}, requests: map[string]*request{},
		locals: map[string]*local{}, cas: map[string]*caCerts{}, crls: map[string]*crl{}}
	var errs []error
	each := func(sub, ext string, f func(id string, data []byte) error) {
		names, _ := filepath.Glob(filepath.Join(s.dir, sub, "*"+ext))
		for _, name := range names {
			id := strings.TrimSuffix(filepath.Base(name), ext)
			if checkID("name", id) != nil {
				continue
			}
			data, err := os.ReadFile(name)
			if err == nil {
				err = f(id, data)
			}
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", name, err))
			}
		}
	}
	each(dirKeys, ".key", func(id string, data []byte) error {
		k, err := readStoredKey(id, data)
		if err == nil {
			snap.keys[id] = k
		}
		return err
	})
	each(dirRequests, ".csr", func(id string, data []byte) error {
		r, err := parseRequest(id, data)
		if err == nil {
			snap.requests[id] = r
		}
		return err
	})
	each(dirLocal, ".crt", func(id string, data []byte) error {
		certs, err := ParseCertificates(data)
		if err == nil {
			snap.locals[id] = &local{id: id, cert: certs[0], chain: certs[1:]}
		}
		return err
	})
	each(dirCA, ".crt", func(id string, data []byte) error {
		certs, err := ParseCertificates(data)
		if err == nil {
			snap.cas[id] = &caCerts{profile: id, certs: certs}
		}
		return err
	})
	each(dirCRL, ".crl", func(id string, data []byte) error {
		l, err := ParseCRL(data)
		if err == nil {
			snap.crls[id] = &crl{profile: id, list: l}
		}
		return err
	})
	return snap, errors.Join(errs...)
}

// current returns the snapshot readers use.
func (s *Store) current() *snapshot { return s.snap.Load() }

// change runs f on a copy of the current snapshot under the store's lock
// and publishes the copy when f succeeds. f writes the files first, so
// that the disk never holds less than what the snapshot shows.
func (s *Store) change(f func(next *snapshot) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	next := s.current().clone()
	if err := f(next); err != nil {
		return err
	}
	s.snap.Store(next)
	return nil
}

func (s *Store) path(sub, id, ext string) string { return filepath.Join(s.dir, sub, id+ext) }

// removeFile deletes a file of the store; a missing file is not an error.
func removeFile(name string) error {
	if err := os.Remove(name); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}

// pemCerts encodes certificates as PEM blocks.
func pemCerts(certs []*x509.Certificate) []byte {
	var b []byte
	for _, c := range certs {
		b = append(b, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})...)
	}
	return b
}
