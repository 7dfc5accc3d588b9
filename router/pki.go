package router

import (
	"context"
	"path/filepath"

	"mxlab/config"
	"mxlab/services/pki"
	"mxlab/shell/cmdtree"
)

// pkiPath is the router path of the certificate store, which the file
// commands cannot reach.
const pkiPath = "/pki"

// newPKI opens the router's certificate store and makes it a
// configuration owner with its commit check. Files of the store that
// cannot be read are left out (they do not stop the router).
func (r *Router) newPKI() error {
	st, err := pki.Open(pki.Options{Dir: filepath.Join(r.dir, filepath.FromSlash(pkiPath)),
		LogDir: filepath.Join(r.dir, "var", "log"), Now: r.now})
	if st == nil {
		return err
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
