package router

import (
	"errors"

	"mxlab/shell"
	"mxlab/shell/cmdtree"
)

// registerMgmt adds the commands of the management sessions:
// "request system logout".
func registerMgmt(reg *cmdtree.Registry) {
	helps := []string{"Make system-level requests", "Perform system-level operations"}
	reg.Register([]string{"request", "system", "logout"}, "Forcibly end a user's CLI login session",
		[]cmdtree.Param{
			{Name: "user", Value: "<user>", Help: "Name of user to log out"},
			{Name: "terminal", Value: "<terminal>", Help: "Terminal line of the session (pts/0)"},
			{Name: "all", Help: "Log out every session of the user"},
		}, runLogout, helps...)
}

// runLogout ends the SSH CLI sessions of a user or of a terminal line.
func runLogout(env *cmdtree.Env, a cmdtree.Args) error {
	r, ok := env.Router.(*Router)
	if !ok {
		return errors.New("no router")
	}
	user, byUser := a["user"]
	tty, byTTY := a["terminal"]
	if !byUser && !byTTY {
		return errors.New("specify a user or a terminal")
	}
	n := r.logout(func(l shell.Login) bool {
		return (!byUser || l.User == user) && (!byTTY || l.Line == tty)
	})
	if n == 0 {
		if byUser {
			return errors.New("user " + user + " is not logged in")
		}
		return errors.New("no session on terminal " + tty)
	}
	return nil
}
