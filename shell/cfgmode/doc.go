// Package cfgmode is the configuration mode of the CLI: the Junos
// configuration commands (set, delete, edit, show, commit, rollback,
// load...) over a config.DB, plugged into the shell as a shell.Mode, and
// the operational commands that show the configuration and its history.
package cfgmode
