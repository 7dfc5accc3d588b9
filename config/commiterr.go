package config

import "strings"

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

// errorAt returns a CommitError for statement x.
func errorAt(x *Node, msg string) *CommitError {
	stmt := strings.Join(headWords(x), " ")
	return &CommitError{Path: EditPath(x.Parent), Statement: stmt, Msg: msg}
}
