// Command gen writes config/schema/junos_gen.go, the schema table generated
// from the Junos configuration YANG. It is run by go generate in
// config/schema:
//
//	go generate ./config/schema
//
// The YANG files are read at development time only; the repository holds
// the generated table, never the YANG.
package main
