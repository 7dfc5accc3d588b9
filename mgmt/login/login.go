package login

import (
	"crypto/subtle"
	"strconv"
	"strings"

	"github.com/go-crypt/crypt/algorithm"
	"github.com/go-crypt/crypt/algorithm/md5crypt"
	"github.com/go-crypt/crypt/algorithm/shacrypt"
	"golang.org/x/crypto/ssh"

	"mxlab/config"
)

// Root is the name of the superuser, who authenticates with [edit system
// root-authentication] and logs in to the FreeBSD shell.
const Root = "root"

// User is an account that may log in.
type User struct {
	Name  string
	Class string // "super-user", "operator", "read-only", "unauthorized"
	UID   int
	// hash is the encrypted-password ("" when the account has none).
	hash string
	keys [][]byte // wire form of the authorized public keys
}

// Perm returns the permissions of the user's class.
func (u User) Perm() Perm { return ClassPerm(u.Class) }

// Retry is [edit system login retry-options]: how failed logins are
// delayed and when the connection is dropped.
type Retry struct {
	Tries     int // tries-before-disconnect
	Threshold int // backoff-threshold: failures before the delay grows
	Factor    int // backoff-factor, in seconds
}

// Junos defaults of retry-options.
var DefaultRetry = Retry{Tries: 10, Threshold: 2, Factor: 5}

// Accounts is the login configuration of a router: its users, the root
// account, the login message and the retry options.
type Accounts struct {
	users     map[string]User
	Message   string // system login message, shown before authentication
	Retry     Retry
	RootLogin string // system services ssh root-login: allow, deny, deny-password
}

// FromConfig reads the accounts of a committed configuration (without its
// inactive statements).
func FromConfig(root *config.Node) *Accounts {
	a := &Accounts{users: map[string]User{}, Retry: DefaultRetry, RootLogin: "allow"}
	sys := root.Get("system")
	if sys == nil {
		return a
	}
	if ra := sys.Get("root-authentication"); ra != nil {
		u := User{Name: Root, Class: "super-user"}
		readAuth(&u, ra)
		a.users[Root] = u
	}
	lg := sys.Get("login")
	a.Message, _ = lg.Leaf("message")
	for _, e := range lg.Entries("user") {
		u := User{Name: e.Key(), Class: "unauthorized"}
		if v, ok := e.Leaf("class"); ok {
			u.Class = v
		}
		u.UID, _ = strconv.Atoi(leaf(e, "uid"))
		readAuth(&u, e.Get("authentication"))
		if u.Name != Root {
			a.users[u.Name] = u
		}
	}
	ro := lg.Get("retry-options")
	setInt(&a.Retry.Tries, ro, "tries-before-disconnect")
	setInt(&a.Retry.Threshold, ro, "backoff-threshold")
	setInt(&a.Retry.Factor, ro, "backoff-factor")
	if v, ok := sys.Leaf("services", "ssh", "root-login"); ok {
		a.RootLogin = v
	}
	return a
}

func leaf(n *config.Node, name string) string {
	v, _ := n.Leaf(name)
	return v
}

func setInt(dst *int, n *config.Node, name string) {
	if n == nil {
		return
	}
	if v, ok := n.Leaf(name); ok {
		if i, err := strconv.Atoi(v); err == nil {
			*dst = i
		}
	}
}

// readAuth reads an authentication container: the password hash and the
// public keys.
func readAuth(u *User, auth *config.Node) {
	if auth == nil {
		return
	}
	u.hash, _ = auth.Leaf("encrypted-password")
	for _, kind := range []string{"ssh-rsa", "ssh-ecdsa", "ssh-ed25519"} {
		for _, e := range auth.Entries(kind) {
			pk, _, _, _, err := ssh.ParseAuthorizedKey([]byte(e.Key()))
			if err == nil {
				u.keys = append(u.keys, pk.Marshal())
			}
		}
	}
}

// Empty reports whether the configuration has no account at all.
func (a *Accounts) Empty() bool { return len(a.users) == 0 }

// Lookup returns the account of a user.
func (a *Accounts) Lookup(name string) (User, bool) {
	u, ok := a.users[name]
	return u, ok
}

// Password reports whether password opens the account of name.
func (a *Accounts) Password(name, password string) (User, bool) {
	u, ok := a.users[name]
	if !ok || u.hash == "" || (name == Root && a.RootLogin != "allow") {
		return User{}, false
	}
	return u, Match(u.hash, password)
}

// PublicKey reports whether key is an authorized key of the account.
func (a *Accounts) PublicKey(name string, key ssh.PublicKey) (User, bool) {
	u, ok := a.users[name]
	if !ok || (name == Root && a.RootLogin == "deny") {
		return User{}, false
	}
	wire := key.Marshal()
	for _, k := range u.keys {
		if len(k) == len(wire) && subtle.ConstantTimeCompare(k, wire) == 1 {
			return u, true
		}
	}
	return User{}, false
}

// Match reports whether password matches a crypt(3) hash: MD5 ($1$),
// SHA-256 ($5$) or SHA-512 ($6$) crypt.
func Match(hash, password string) bool {
	var d algorithm.Digest
	var err error
	switch {
	case strings.HasPrefix(hash, "$1$"):
		d, err = md5crypt.Decode(hash)
	case strings.HasPrefix(hash, "$5$"), strings.HasPrefix(hash, "$6$"):
		d, err = shacrypt.Decode(hash)
	default:
		return false
	}
	if err != nil {
		return false
	}
	ok, err := d.MatchAdvanced(password)
	return err == nil && ok
}

// Hash returns the SHA-512 crypt ($6$) hash of password with a random
// salt, as Junos stores a plain-text-password.
func Hash(password string) (string, error) {
	h, err := shacrypt.New(shacrypt.WithSHA512(), shacrypt.WithIterations(shacrypt.IterationsDefaultOmitted),
		shacrypt.WithSaltLength(8))
	if err != nil {
		return "", err
	}
	d, err := h.Hash(password)
	if err != nil {
		return "", err
	}
	return d.Encode(), nil
}
