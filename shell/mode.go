package shell

import (
	"context"
	"io"
)

// Mode is a command mode: operational mode is one, configuration mode
// another. The shell core tokenizes, walks the grammar the mode gives,
// reports errors with carets, answers '?' and Tab, applies pipes and the
// pager; the mode supplies the grammar and runs the commands.
type Mode interface {
	// Prompt returns the banner printed after a blank line before each
	// prompt ("[edit interfaces]"; "" in operational mode) and the prompt
	// itself (Session.Prompt builds "user@host# ").
	Prompt(s *Session) (banner, prompt string)
	// Start returns the grammar state at the beginning of a line.
	Start(s *Session) Cursor
	// Exec runs one parsed line. next is the mode to run next: the mode
	// itself to stay, another mode to enter it (Leave it later by
	// returning nil from that mode), or nil to leave this mode and go back
	// to the previous one. An error is printed as "error: <err>", or as a
	// caret line and the message when it is a *CaretError.
	Exec(s *Session, cmd *Command, out io.Writer) (next Mode, err error)
}

// Leaver is implemented by modes that print something or clean up when
// they are left because the input ended (Ctrl-D, end of a script).
type Leaver interface {
	Leave(s *Session, out io.Writer)
}

// ConfigMode is configuration mode, provided by the wiring code.
type ConfigMode interface {
	// Enter is called for "configure", "configure private" and
	// "configure exclusive" (variant "", "private", "exclusive"); it
	// prints its messages to out and returns the mode to run, or an error
	// (printed as "error: ...").
	Enter(s *Session, variant string, out io.Writer) (Mode, error)
}

// Command is one parsed command line.
type Command struct {
	Ctx   context.Context // cancelled by Ctrl-C and when the session ends
	Line  string          // the line as typed, pipes included
	Words []Word          // the accepted words before any pipe, keywords in full
	// Cursor is the grammar state after the last word: modes type-assert
	// it to their own cursor type to find what was parsed.
	Cursor Cursor
	// Display is the "| display" format the command renders itself (one of
	// the formats its Choices.Display listed, or "xml rpc", which the
	// shell answers); "" for plain text.
	Display string
	// Compare is the "| compare" argument: "rollback N", or "rollback 0"
	// for a bare "| compare"; "" when not asked.
	Compare string
}

// Word is an accepted token of a command line.
type Word struct {
	Text   string // the keyword in full, or the value as typed (unquoted)
	Choice Choice // what it matched
	Pos    int    // the column of the token in the line
}

// Choice is one thing that may come next on a command line.
type Choice struct {
	// Word is the keyword, or the placeholder shown by '?' ("<address>")
	// when Placeholder is set.
	Word string
	Help string
	// Mark is the one-character column of '?' listings: "" or " " for a
	// command or a leaf, ">" for a container, "+" for a leaf-list.
	Mark string
	// Placeholder makes the choice a free value: any token matches it when
	// no keyword does.
	Placeholder bool
	// Value makes the choice a suggested value (an existing name): '?' and
	// Tab offer it, a token must equal it to match it (otherwise the token
	// goes to the placeholder).
	Value bool
	// Hidden makes the choice a keyword that is accepted when typed in
	// full but never listed, completed or matched by a prefix (the
	// optional keyword of a positional parameter: "show chassis fpc slot 1").
	Hidden bool
}

// Choices is what may come next at one point of a command line.
type Choices struct {
	List  []Choice
	Enter bool // the line may end here
	Pipe  bool // the output may be piped here ("|" is offered when Enter)
	// Display lists the "| display" formats ("set", "xml", "json") and
	// "compare" the command renders itself. Without them the shell offers
	// "| display xml" and "| display json" and renders them itself.
	Display []string
	// NoMatch is the message for a token that matches nothing, printed
	// under a caret at the token ("unknown command.",
	// "syntax error, expecting <command>."); "" means "syntax error.".
	NoMatch string
	// Missing is the message when the line ends here and Enter is not
	// allowed; "" means "missing argument." when a placeholder is
	// expected, NoMatch otherwise.
	Missing string
}

// Matcher may also be implemented by a Cursor whose choices include many
// values (the names of thousands of configured entries): MatchChoices
// returns the choices a typed word is matched against (the keywords, the
// placeholders, and of the values only the one equal to word), so that
// accepting a line does not list them all.
type Matcher interface {
	MatchChoices(word string) Choices
}

// Cursor is a position in a mode's grammar. Cursors are values: Accept
// returns a new cursor and leaves the receiver unchanged, so the core can
// walk the same prefix again for '?' and Tab.
type Cursor interface {
	// Choices lists what may come next.
	Choices() Choices
	// Accept takes word, which matched c (c is one of Choices().List; for
	// a placeholder word is the token as typed). An error rejects the
	// value and is printed under a caret at the token.
	Accept(word string, c Choice) (Cursor, error)
}

// CaretError is an error at a column of the command line: the shell prints
// a caret under the column, then Msg.
type CaretError struct {
	Pos int    // the column in the line (0 is the first character)
	Msg string // "syntax error.", "'i' is ambiguous.", ...
	// List, when set, follows the message as "Possible completions:".
	List []Choice
}

func (e *CaretError) Error() string { return e.Msg }
