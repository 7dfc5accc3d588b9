// Package config is a router's configuration database: the candidate and
// active trees, the Junos configuration commands over them, the text and
// set formats, load, diff, the commit transaction and the rollback history.
//
// # Trees
//
// A configuration is a tree of Nodes, each pointing at the schema statement
// it instantiates (package config/schema): containers and list entries have
// children, leaves a value, leaf-lists values. Every command resolves its
// words against the schema first (Resolve, with Junos' unique-prefix
// matching and its "syntax error" and "invalid value" messages, as an
// InputError), so set, delete, edit, completion ('?' and Tab, Choices) and
// load share one parser. A tree renders as curly-brace text (Text), as set
// commands (SetLines), as Junos XML and JSON, and two trees as the
// "show | compare" diff (Compare); ParseText reads the curly-brace form.
//
// # Sessions and commit
//
// A DB holds the active configuration, the rollback history (0..49) and the
// shared candidate; Begin opens a Session (configure, configure private or
// configure exclusive) with its own edit level. Commit is a transaction:
//
//  1. check: the schema's mandatory statements and junos:must constraints
//     (must.go), max-elements and references (refs.go), then every
//     Validator the owners registered (each needs no kernel, so the verdict
//     never depends on a forwarding plane); errors are collected, each naming its
//     [edit ...] path, and returned as a *CheckError;
//  2. every Owner, in registration order, prepares its change from the old
//     to the new active statements (inactive ones removed) and may refuse
//     it; on a refusal the Pendings already prepared are aborted in reverse
//     order and nothing changes;
//  3. the new tree is written to the Store (one file per commit, written
//     atomically), becomes the active configuration, and every Pending is
//     applied, which cannot fail.
//
// "commit confirmed" arms a timer that rolls back unless confirmed; its
// minute can be shortened for tests with the environment variable named by
// ConfirmUnitEnv. Errors that code branches on are sentinels (ErrNotFound,
// ErrLocked, ErrNoRollback) or typed (*InputError, *LoadError, *LockError,
// *CommitError); the CLI decides how they look.
package config
