// Package router assembles one router: its configuration database, its
// chassis, its forwarding plane (a network namespace and the routing
// table), its MS PIC services and the CLI sessions on it. A lab runs many
// routers in one process; what is the same for all of them (the schema, the
// command tree) is built once.
//
// The configuration reaches the subsystems as config.Owner values, in this
// order: the chassis (interfaces and cards), the services (service
// interfaces, SAs), then the forwarding plane (addresses, then routes, which
// need the links the steps before created).
package router
