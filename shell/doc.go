// Package shell is the Junos-style CLI of one router session: prompts,
// the tokenizer, unique-prefix abbreviations, errors with carets, '?'
// help, Tab and space completion, pipes, the pager, the "set cli"
// settings, a line editor for terminals and a plain line mode for pipes
// and scripts.
//
// The core knows nothing of the commands. A Mode (operational mode is
// OpMode over a cmdtree.Registry; configuration mode is provided by the
// wiring through Options.ConfigMode) gives a Cursor into its grammar: at
// each word the Cursor lists its Choices (keywords, placeholders, whether
// the line may end or be piped), and the core walks them once for
// parsing, help and completion alike. The mode then runs the parsed
// Command with an io.Writer that already applies the pipes and the pager.
//
// Without a terminal (Options.TTY false, or TERM=dumb) the shell reads
// lines ended by "\r", "\n" or "\r\n" and prints each after its prompt,
// so the output reads like a session log. On a terminal it runs its own
// line editor, which never sends escape sequences, and ends output lines
// with CRLF.
package shell
