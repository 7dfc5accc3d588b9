package router

import (
	"context"
	"errors"
	"fmt"
	"path"
	"path/filepath"
	"strings"

	"mxlab/config"
	"mxlab/services/pki"
	"mxlab/shell/cmdtree"
	"mxlab/syslog"
)

// pkid is the process the PKI's system log lines name.
var pkid = syslog.Process{Name: "pkid", PID: 1912}

// pkiPath is the router path of the certificate store, which the file
// commands cannot reach.
const pkiPath = "/pki"

// newPKI opens the router's certificate store and makes it a
// configuration owner with its commit check. Files of the store that
// cannot be read are left out (they do not stop the router) and named in
// /var/log/messages.
func (r *Router) newPKI() error {
	st, err := pki.Open(pki.Options{Dir: filepath.Join(r.dir, filepath.FromSlash(pkiPath)),
		LogDir: filepath.Join(r.dir, "var", "log"), Now: r.now})
	if st == nil {
		return err
	}
	if err != nil {
		r.Log.Event(pkid, "PKID_STORE_READ", "certificate store: %v", err)
	}
	r.pki = st
	r.DB.AddValidator(pki.Validate)
	r.DB.AddOwner(st)
	return nil
}

// startPKI applies the committed configuration to the store.
func (r *Router) startPKI(ctx context.Context, eff *config.Node) {
	if p, err := r.pki.Prepare(ctx, nil, eff); err == nil {
		p.Apply()
	}
}

// PKI returns the router's certificate store (IKE authenticates with it).
func (r *Router) PKI() *pki.Store { return r.pki }

// registerPKI adds the PKI commands.
func registerPKI(reg *cmdtree.Registry) {
	pki.Register(reg, func(env *cmdtree.Env) *pki.Store { return env.Router.(*Router).pki })
}

// ErrNotRouterFile reports a path outside the router's user file space.
var ErrNotRouterFile = errors.New("not a file of the router's user file space (/var)")

// FilePath maps an absolute router path ("/var/tmp/r2.req") to its file in
// the state directory, for tools that bring files in and out of a router
// (a lab's "cp"). Paths outside /var, and the router's own files, are
// refused.
func (r *Router) FilePath(name string) (string, error) {
	p := path.Clean("/" + strings.TrimPrefix(name, "/"))
	if !path.IsAbs(name) || !strings.HasPrefix(p, "/var/") {
		return "", fmt.Errorf("%s: %w", name, ErrNotRouterFile)
	}
	for _, h := range internalPaths {
		if p == h || strings.HasPrefix(p, h+"/") {
			return "", fmt.Errorf("%s: %w", name, ErrNotRouterFile)
		}
	}
	return filepath.Join(r.dir, filepath.FromSlash(p)), nil
}
