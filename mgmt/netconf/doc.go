// Package netconf is the NETCONF server of a router (RFC 6241 over SSH,
// RFC 6242 framing), with the Junos XML API that PyEZ, ncclient and
// Ansible use.
//
// A session starts with the hello exchange: the capabilities a Junos
// router advertises, base:1.0 and its "]]>]]>" framing, and base:1.1
// chunked framing only when the router offers it (system services
// netconf rfc-compliant and version-1.1) and the client does too. Each
// <rpc> is answered with an <rpc-reply> echoing its attributes
// (message-id); errors are <rpc-error> elements in the base namespace.
//
// Configuration RPCs work on the router's config.DB as "configure" does:
// get-configuration (xml, text, set, json; committed or candidate;
// subtree filters; compare="rollback"), load-configuration (text, set,
// xml, json; merge, replace, override, update; rollback N),
// commit-configuration (check, confirmed, log), lock/unlock-configuration
// (configure exclusive), open-configuration private, and the RFC 6241
// get-config, edit-config, lock, unlock, validate, commit,
// discard-changes, close-session and kill-session. <command> and every
// other RPC go to Ops: the router's CLI, whose commands with a data model
// answer their RPC by name (get-software-information...). An RPC no
// command has gets a "syntax error" rpc-error naming it.
//
// Messages are limited to MaxMessage bytes; a larger one gets an
// rpc-error (too-big) and ends the session, as does a framing error.
package netconf
