package config

import (
	"fmt"
	"strings"
)

// CheckError is a failed commit or commit check: the list of errors, and
// the reason printed after "error: configuration check-out failed".
type CheckError struct {
	Errors []*CommitError
	Reason string // e.g. "missing mandatory statements"; "" for none
}

func (e *CheckError) Error() string {
	var b strings.Builder
	for _, ce := range e.Errors {
		b.WriteString(ce.Format())
		b.WriteString("\n")
	}
	b.WriteString("error: configuration check-out failed")
	if e.Reason != "" {
		b.WriteString(": (" + e.Reason + ")")
	}
	return b.String()
}

// ErrorAt returns a commit error for statement x: the [edit ...] banner
// names x's parent, the quoted statement is x's head words ("unit 1",
// "route 10.0.0.0/8").
func ErrorAt(x *Node, msg string) *CommitError { return errorAt(x, msg) }

// WarningAt is ErrorAt for a warning, which does not fail the commit.
func WarningAt(x *Node, msg string) *CommitError {
	ce := errorAt(x, msg)
	ce.Warning = true
	return ce
}

// errorAt returns a CommitError for statement x.
func errorAt(x *Node, msg string) *CommitError {
	stmt := strings.Join(headWords(x), " ")
	return &CommitError{Path: EditPath(x.Parent), Statement: stmt, Msg: msg}
}

// CommitError is a failed commit-time check, reported the Junos way.
type CommitError struct {
	Path      []string // words of the [edit ...] banner: the parent of the statement
	Statement string   // the statement, e.g. "local-gateway" or "unit 29"
	Msg       string
	Warning   bool // a warning does not fail the commit
}

// Error returns the message in one line.
func (e *CommitError) Error() string {
	return fmt.Sprintf("[edit %s] '%s': %s", strings.Join(e.Path, " "), e.Statement, e.Msg)
}

// Format renders the error as Junos prints it, without a final newline:
//
//	[edit services service-set ss1 ipsec-vpn-options]
//	  'local-gateway'
//	    Local gateway must be configured with IPSec rules
func (e *CommitError) Format() string {
	var b strings.Builder
	b.WriteString("[edit")
	for _, w := range e.Path {
		b.WriteByte(' ')
		b.WriteString(quoteWord(w))
	}
	b.WriteString("]\n  '")
	b.WriteString(e.Statement)
	b.WriteString("'\n    ")
	if e.Warning {
		b.WriteString("warning: ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// quoteWord puts double quotes around a word holding a space.
func quoteWord(w string) string {
	if w == "" || strings.ContainsAny(w, " \t") {
		return `"` + w + `"`
	}
	return w
}
