package router

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"mxlab/config"
)

func TestFilePath(t *testing.T) {
	r := newRouter(t, "")
	for _, tt := range []struct {
		in, want string // want: relative to the state directory, "" for refused
	}{
		{"/var/tmp/r2.req", "var/tmp/r2.req"},
		{"/config/commit-00000001.conf", ""},
		{"/db/ipsec-sequence", ""},
		{"/var/tmp/../home/lab/x", "var/home/lab/x"},
		{"/var/../pki/key-pair/x.key", ""},
		{"/pki/ca/x.crt", ""},
		{"/etc/passwd", ""},
		{"var/tmp/x", ""},
		{"/var", ""},
	} {
		got, err := r.FilePath(tt.in)
		if tt.want == "" {
			if !errors.Is(err, ErrNotRouterFile) {
				t.Errorf("FilePath(%q) = %q, %v; want refused", tt.in, got, err)
			}
			continue
		}
		if want := filepath.Join(r.dir, tt.want); got != want || err != nil {
			t.Errorf("FilePath(%q) = %q, %v; want %q", tt.in, got, err, want)
		}
	}
}

// TestPKIConfig: the committed PKI configuration reaches the store, its
// commit check runs, and traceoptions write /var/log/pkid.
func TestPKIConfig(t *testing.T) {
	r := newRouter(t, "set security pki ca-profile ca-lab ca-identity ca-lab\n"+
		"set security pki ca-profile ca-lab revocation-check disable\n"+
		"set security pki traceoptions flag all\n")
	if p, ok := r.PKI().Config().Profile("ca-lab"); !ok || p.Check.Mode != "disable" {
		t.Fatalf("CA profile in the store: %+v %v", p, ok)
	}
	run := func(cmds string) string { return runCommands(r, cmds) }
	out := run("request security pki generate-key-pair certificate-id k1 type ecdsa; file list /")
	if !strings.Contains(out, "Generated key pair k1, key size 256 bits") || strings.Contains(out, "pki/") {
		t.Fatalf("output:\n%s", out)
	}
	log, err := os.ReadFile(filepath.Join(r.dir, "var", "log", "pkid"))
	if err != nil || !strings.Contains(string(log), "generated ecdsa key pair k1, 256 bits") {
		t.Fatalf("pkid trace: %q, %v", log, err)
	}
	s, _, _, err := r.DB.Begin(config.Who{User: "lab"}, config.Private)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Load(config.LoadSet, "set security pki trusted-ca-group g ca-profiles nope\n", "test", false); err != nil {
		t.Fatal(err)
	}
	_, err = s.Commit(context.Background(), config.CommitOptions{})
	if err == nil || !strings.Contains(err.Error(), "Referenced ca-profile nope must be defined") {
		t.Fatalf("commit: %v", err)
	}
}

// TestPKIUnreadable: a file of the store that cannot be read is left out
// and named in /var/log/messages.
func TestPKIUnreadable(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "pki", "ca"), 0o700)
	os.WriteFile(filepath.Join(dir, "pki", "ca", "broken.crt"), []byte("not a certificate"), 0o600)
	r, err := New(Options{Name: "r1", StateDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Stop()
	msgs, _ := os.ReadFile(filepath.Join(dir, "var", "log", "messages"))
	if !strings.Contains(string(msgs), "pkid[1912]: PKID_STORE_READ: certificate store:") || !strings.Contains(string(msgs), "broken.crt") {
		t.Fatalf("messages:\n%s", msgs)
	}
}
