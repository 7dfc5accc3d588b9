package login

import (
	"crypto/ed25519"
	"crypto/rand"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"

	"mxlab/config"
)

// TestMatch checks the crypt(3) schemes against the test vectors of the
// SHA-crypt specification (Drepper, "Unix crypt using SHA-256 and
// SHA-512") and glibc's MD5-crypt output.
func TestMatch(t *testing.T) {
	for _, tt := range []struct {
		hash, password string
		want           bool
	}{
		{"$5$saltstring$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWEc5", "Hello world!", true},
		{"$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1", "Hello world!", true},
		{"$6$rounds=10000$saltstringsaltst$OW1/O6BYHV6BcXZu8QVeXbDWra3Oeqh0sbHbbMCVNSnCM/UrjmM0Dp8vOuZeHBy/YTBmSK6H9qs/y3RnOaw5v.", "Hello world!", true},
		{"$1$saltsalt$qjXMvbEw8oaL.CzflDtaK/", "password", true},
		{"$1$saltsalt$qjXMvbEw8oaL.CzflDtaK/", "Password", false},
		{"$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1", "hello world!", false},
		{"$6$", "x", false},
		{"$2b$10$abcdefghijklmnopqrstuu", "x", false},
		{"plain", "plain", false},
		{"", "", false},
	} {
		if got := Match(tt.hash, tt.password); got != tt.want {
			t.Errorf("Match(%q, %q) = %v, want %v", tt.hash, tt.password, got, tt.want)
		}
	}
}

func TestHash(t *testing.T) {
	h, err := Hash("lab123")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$6$") || !Match(h, "lab123") || Match(h, "lab124") {
		t.Errorf("Hash gave %q", h)
	}
}

// accounts loads set commands into a configuration and reads its accounts.
func accounts(t *testing.T, set string) *Accounts {
	t.Helper()
	db, err := config.Open(config.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s, _, _, err := db.Begin(config.Who{User: "root"}, config.Private)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Load(config.LoadSet, set, "test", false); err != nil {
		t.Fatal(err)
	}
	return FromConfig(s.Candidate())
}

func TestFromConfig(t *testing.T) {
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	signer, _ := ssh.NewSignerFromKey(priv)
	authorized := strings.TrimSpace(string(ssh.MarshalAuthorizedKey(signer.PublicKey()))) + " alice@laptop"
	a := accounts(t, `set system login message "authorized use only"
set system login retry-options tries-before-disconnect 4
set system login retry-options backoff-threshold 1
set system login user alice uid 2001
set system login user alice class super-user
set system login user alice authentication encrypted-password "$1$saltsalt$qjXMvbEw8oaL.CzflDtaK/"
set system login user alice authentication ssh-ed25519 "`+authorized+`"
set system login user olga class operator
set system login user olga authentication encrypted-password "$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1"
set system login user nopass class read-only
set system root-authentication encrypted-password "$5$saltstring$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWEc5"
set system services ssh root-login deny-password
`)
	if u, ok := a.Password("alice", "password"); !ok || u.Class != "super-user" || u.UID != 2001 {
		t.Errorf("alice: %+v %v", u, ok)
	}
	if _, ok := a.Password("alice", "wrong"); ok {
		t.Error("alice with a wrong password")
	}
	if u, ok := a.Password("olga", "Hello world!"); !ok || u.Perm().Has(Configure) || !u.Perm().Has(Clear) {
		t.Errorf("olga: %+v %v", u, ok)
	}
	if _, ok := a.Password("nopass", ""); ok {
		t.Error("an account without a password logged in with an empty one")
	}
	if _, ok := a.Password("root", "Hello world!"); ok {
		t.Error("root logged in with a password under root-login deny-password")
	}
	if _, ok := a.PublicKey("alice", signer.PublicKey()); !ok {
		t.Error("alice's key refused")
	}
	if _, ok := a.PublicKey("olga", signer.PublicKey()); ok {
		t.Error("alice's key opened olga's account")
	}
	if a.Message != "authorized use only" || a.Retry != (Retry{Tries: 4, Threshold: 1, Factor: 5}) {
		t.Errorf("message %q retry %+v", a.Message, a.Retry)
	}
	if a.Empty() || !accounts(t, "set system host-name r1\n").Empty() {
		t.Error("Empty is wrong")
	}
}

func TestFactory(t *testing.T) {
	a := FactoryAccounts()
	for _, user := range []string{FactoryUser, Root} {
		if u, ok := a.Password(user, FactoryPassword); !ok || u.Class != "super-user" {
			t.Errorf("factory login %s: %+v %v", user, u, ok)
		}
	}
}

func TestCommandPerm(t *testing.T) {
	for _, tt := range []struct {
		class string
		words string
		want  bool
	}{
		{"super-user", "configure", true},
		{"operator", "configure", false},
		{"operator", "clear interfaces statistics", true},
		{"operator", "ping", true},
		{"operator", "request system logout", false},
		{"read-only", "show version", true},
		{"read-only", "clear arp", false},
		{"read-only", "ping", false},
		{"read-only", "file show", true},
		{"read-only", "file copy", false},
		{"read-only", "quit", true},
		{"unauthorized", "show version", false},
		{"unauthorized", "quit", true},
	} {
		got := ClassPerm(tt.class).Has(CommandPerm(strings.Fields(tt.words)))
		if got != tt.want {
			t.Errorf("%s may run %q: %v, want %v", tt.class, tt.words, got, tt.want)
		}
	}
}

// FuzzMatch checks that no hash string makes Match panic.
func FuzzMatch(f *testing.F) {
	f.Add("$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1", "x")
	f.Add("$1$saltsalt$qjXMvbEw8oaL.CzflDtaK/", "password")
	f.Add("$5$rounds=1000$x$", "")
	f.Fuzz(func(t *testing.T, hash, password string) {
		if strings.Contains(hash, "rounds=") {
			return // large round counts are slow by design, not a parser problem
		}
		Match(hash, password)
	})
}
