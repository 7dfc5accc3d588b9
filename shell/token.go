package shell

import "strings"

// Token is a word of a command line.
type Token struct {
	Text   string // the word, quotes removed and escapes resolved
	Pos    int    // column of the first character (the quote, if quoted)
	End    int    // column after the last character
	Quoted bool   // the word was written in double quotes
	Open   bool   // a quoted word whose closing quote is missing
}

// IsPipe reports whether the token is the pipe sign.
func (t Token) IsPipe() bool { return t.Text == "|" && !t.Quoted }

// Tokenize splits a command line into words: blanks separate words, a
// double-quoted string ("a b") is one word in which \" and \\ stand for
// '"' and '\', and an unquoted '|' is always a word of its own
// ("show version|match x"). Columns count runes, as a terminal does.
func Tokenize(line string) []Token {
	if isASCII(line) {
		return tokenizeASCII(nil, line)
	}
	return tokenizeRunes(line)
}

func tokenizeRunes(line string) []Token {
	var toks []Token
	rs := []rune(line)
	for i := 0; i < len(rs); {
		switch r := rs[i]; {
		case r == ' ' || r == '\t':
			i++
		case r == '|':
			toks = append(toks, Token{Text: "|", Pos: i, End: i + 1})
			i++
		case r == '"':
			t, n := quoted(rs[i:])
			t.Pos, t.End = i, i+n
			toks = append(toks, t)
			i += n
		default:
			j := i
			for j < len(rs) && rs[j] != ' ' && rs[j] != '\t' && rs[j] != '|' && rs[j] != '"' {
				j++
			}
			toks = append(toks, Token{Text: string(rs[i:j]), Pos: i, End: j})
			i = j
		}
	}
	return toks
}

// tokenizeASCII is Tokenize for a line of ASCII characters, where a
// column is a byte: the words are slices of the line. The tokens are
// appended to dst[:0].
func tokenizeASCII(dst []Token, line string) []Token {
	toks := dst[:0]
	if toks == nil {
		toks = make([]Token, 0, 8)
	}
	for i := 0; i < len(line); {
		switch c := line[i]; {
		case c == ' ' || c == '\t':
			i++
		case c == '|':
			toks = append(toks, Token{Text: "|", Pos: i, End: i + 1})
			i++
		case c == '"':
			t, n := quotedASCII(line[i:])
			t.Pos, t.End = i, i+n
			toks = append(toks, t)
			i += n
		default:
			j := i
			for j < len(line) && line[j] != ' ' && line[j] != '\t' && line[j] != '|' && line[j] != '"' {
				j++
			}
			toks = append(toks, Token{Text: line[i:j], Pos: i, End: j})
			i = j
		}
	}
	if len(toks) == 0 {
		return nil
	}
	return toks
}

// quotedASCII is quoted for ASCII text; n counts bytes.
func quotedASCII(s string) (Token, int) {
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			if i+1 < len(s) {
				i++
			}
			b.WriteByte(s[i])
		case '"':
			return Token{Text: b.String(), Quoted: true}, i + 1
		default:
			b.WriteByte(s[i])
		}
	}
	return Token{Text: b.String(), Quoted: true, Open: true}, len(s)
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// quoted reads a quoted word at the start of rs; it returns the token and
// the number of runes read.
func quoted(rs []rune) (Token, int) {
	var b strings.Builder
	for i := 1; i < len(rs); i++ {
		switch rs[i] {
		case '\\':
			if i+1 < len(rs) {
				i++
			}
			b.WriteRune(rs[i])
		case '"':
			return Token{Text: b.String(), Quoted: true}, i + 1
		default:
			b.WriteRune(rs[i])
		}
	}
	return Token{Text: b.String(), Quoted: true, Open: true}, len(rs)
}

// Quote returns word as it must be typed: in double quotes when it is
// empty or holds blanks, quotes, backslashes or '|'.
func Quote(word string) string {
	if word != "" && !strings.ContainsAny(word, " \t\"\\|") {
		return word
	}
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`)
	return `"` + r.Replace(word) + `"`
}

// splitCommands splits a "cmd; cmd" string at the semicolons that are not
// inside quotes.
func splitCommands(s string) []string {
	var out []string
	inQuote, start := false, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			if inQuote {
				i++
			}
		case '"':
			inQuote = !inQuote
		case ';':
			if !inQuote {
				out = append(out, s[start:i])
				start = i + 1
			}
		}
	}
	return append(out, s[start:])
}

// openQuote reports whether line ends inside a quoted word.
// It reads the line as Tokenize does, without building the words.
func openQuote(line string) bool {
	in := false
	for i := 0; i < len(line); i++ {
		switch line[i] {
		case '"':
			in = !in
		case '\\':
			if in {
				i++
			}
		}
	}
	return in
}
