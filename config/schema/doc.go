// Package schema describes the Junos configuration statements mxlab knows:
// keywords, nesting, list keys, value types, ranges, defaults, choices and
// commit-time constraints.
//
// Most of the table is generated from the Junos 24.4R1 YANG by
// config/schema/gen (see junos_gen.go); overlay.go adds what the YANG lacks.
// The table is built once per process and shared, read-only, by every router.
package schema
