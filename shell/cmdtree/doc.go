// Package cmdtree holds the operational command tree of the CLI: the
// keywords, their help texts, their parameters and the functions that run
// them. Subsystems (chassis, interfaces, routing, services) register their
// commands into a Registry; the shell walks it to parse, complete and help.
//
// A Registry is built once per process and shared by every router; a command
// finds the router it runs on through Env.Router, which the wiring code knows
// how to convert (see the accessor functions the subsystems' Register take).
package cmdtree
