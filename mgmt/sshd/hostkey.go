package sshd

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"golang.org/x/crypto/ssh"

	"mxlab/internal/atomicfile"
)

// hostKeyFiles are the host keys of a router, by file name (as Junos
// keeps them in /etc/ssh): Ed25519 and ECDSA P-256. Both are made in
// microseconds, so a lab of hundreds of routers starts at once; RSA keys,
// which take a noticeable time each, are not made.
var hostKeyFiles = []struct {
	name string
	make func() (any, error)
}{
	{"ssh_host_ed25519_key", func() (any, error) {
		_, k, err := ed25519.GenerateKey(rand.Reader)
		return k, err
	}},
	{"ssh_host_ecdsa_key", func() (any, error) {
		return ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	}},
}

// loadHostKeys reads the host keys of dir, making (and keeping, mode
// 0600) those that do not exist yet.
func loadHostKeys(dir string) ([]ssh.Signer, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("host keys: %w", err)
	}
	var out []ssh.Signer
	for _, f := range hostKeyFiles {
		path := filepath.Join(dir, f.name)
		s, err := readHostKey(path)
		if errors.Is(err, fs.ErrNotExist) {
			s, err = makeHostKey(path, f.make)
		}
		if err != nil {
			return nil, fmt.Errorf("host key %s: %w", path, err)
		}
		out = append(out, s)
	}
	return out, nil
}

func readHostKey(path string) (ssh.Signer, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ssh.ParsePrivateKey(data)
}

// makeHostKey generates a key and writes it in OpenSSH form, atomically,
// readable by the owner only.
func makeHostKey(path string, gen func() (any, error)) (ssh.Signer, error) {
	key, err := gen()
	if err != nil {
		return nil, err
	}
	block, err := ssh.MarshalPrivateKey(key, "")
	if err != nil {
		return nil, err
	}
	if err := atomicfile.Write(path, pem.EncodeToMemory(block)); err != nil {
		return nil, err
	}
	pub, err := ssh.NewSignerFromKey(key)
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(path+".pub", ssh.MarshalAuthorizedKey(pub.PublicKey()), 0o644); err != nil {
		return nil, err
	}
	return pub, nil
}
