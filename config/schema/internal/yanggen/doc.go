// Package yanggen turns the Junos configuration YANG into the Go source of
// the schema table (config/schema/junos_gen.go).
//
// The YANG is parsed and resolved by goyang; statement order, which goyang
// keeps only in its syntax tree, is read from the source statements, so the
// table lists children in the order Junos shows them. YANG description texts
// are never carried over.
package yanggen
