package login

import (
	"sync"

	"mxlab/config"
)

// The factory lab login: what a fresh router accepts over SSH and NETCONF
// before anyone has configured a user.
const (
	FactoryUser     = "lab"    // class super-user
	FactoryPassword = "lab123" // also root's password
)

// Factory returns the statements of the factory lab login, as set
// commands: user lab (super-user) and root, both with the password
// lab123, SSH with root login allowed and NETCONF over SSH on port 830.
// The hashes are fixed so that the configuration is the same on every
// router.
func Factory() string {
	return `set system root-authentication encrypted-password "$6$mxlab.rt$NPHYyXc7JEe.2.E/FgB6DzDbfSDBw8Za2JjesarL/cTe9UIejJXg12jNc7Xua4X5YGMa.9cbSecj9uvYCGcoj/"
set system login user lab uid 2000
set system login user lab class super-user
set system login user lab authentication encrypted-password "$6$mxlab.lb$w3A4wULqaEnSS.Cv.1RB/cF92A3DsBkAZoI/wMaBfFITg7OdW074LMG2ee3GEEbW3yv2srDSY0BDI2AkG6diG0"
set system services ssh root-login allow
set system services netconf ssh
`
}

// FactoryAccounts returns the accounts of the factory lab login.
var FactoryAccounts = sync.OnceValue(func() *Accounts {
	db, err := config.Open(config.Options{})
	if err == nil {
		var s *config.Session
		if s, _, _, err = db.Begin(config.Who{User: Root}, config.Private); err == nil {
			defer s.Close()
			if err = s.Load(config.LoadSet, Factory(), "factory", false); err == nil {
				return FromConfig(s.Candidate())
			}
		}
	}
	panic("login: the factory configuration does not load: " + err.Error())
})
