// Package netnstest is an in-memory stand-in for a netns.Router, for the
// unit tests of packages that program a router's interfaces and forwarding
// table: it records the desired state it is given and needs no root.
package netnstest
