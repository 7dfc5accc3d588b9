package junosxml

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"
	"unicode/utf8"
)

var (
	textEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")
	attrEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;")
)

// Escape escapes character data. Bytes that are not UTF-8 and characters
// XML does not allow (controls other than tab and line ends) become
// U+FFFD, so that any text makes a well-formed document.
func Escape(s string) string { return textEscaper.Replace(valid(s)) }

// valid returns s with what XML 1.0 cannot carry replaced by U+FFFD.
func valid(s string) string {
	ok := utf8.ValidString(s)
	for i := 0; ok && i < len(s); i++ {
		if c := s[i]; c < 0x20 && c != '\t' && c != '\n' && c != '\r' {
			ok = false
		}
	}
	if ok {
		return s
	}
	var b strings.Builder
	for _, r := range strings.ToValidUTF8(s, "\uFFFD") {
		if (r < 0x20 && r != '\t' && r != '\n' && r != '\r') || r == 0xFFFE || r == 0xFFFF {
			r = '\uFFFD'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// XML returns e as Junos writes it: indent repeated per level (the CLI's
// "| display xml" uses four spaces; NETCONF replies use none, one
// element a line), starting at depth.
func (e *Elem) XML(indent string, depth int) string {
	var b strings.Builder
	e.write(&b, indent, depth)
	return b.String()
}

// WriteXML writes e.XML(indent, depth) to w.
func (e *Elem) WriteXML(w io.Writer, indent string, depth int) error {
	_, err := io.WriteString(w, e.XML(indent, depth))
	return err
}

func (e *Elem) write(b *strings.Builder, indent string, depth int) {
	ind := strings.Repeat(indent, depth)
	b.WriteString(ind + "<" + e.Name)
	for _, a := range e.Attrs {
		b.WriteString(" " + a.Name + `="` + attrEscaper.Replace(valid(a.Value)) + `"`)
	}
	switch {
	case len(e.Kids) == 0 && e.Text == "":
		b.WriteString("/>\n")
	case len(e.Kids) == 0:
		b.WriteString(">" + Escape(e.Text) + "</" + e.Name + ">\n")
	default:
		b.WriteString(">\n")
		for _, k := range e.Kids {
			k.write(b, indent, depth+1)
		}
		b.WriteString(ind + "</" + e.Name + ">\n")
	}
}

// JSON returns the elements as one Junos JSON document ("| display
// json"): every element is an array of objects, a text is {"data": ...},
// attributes are {"attributes": {...}}, an empty element is [null].
func JSON(elems ...*Elem) string {
	var b strings.Builder
	b.WriteString("{\n")
	writeMembers(&b, elems, 1)
	b.WriteString("}\n")
	return b.String()
}

// writeMembers writes elements as the members of an object, siblings of
// one name grouped into one array.
func writeMembers(b *strings.Builder, elems []*Elem, depth int) {
	ind := strings.Repeat("    ", depth)
	done := map[string]bool{}
	first := true
	for _, e := range elems {
		if done[e.Name] {
			continue
		}
		done[e.Name] = true
		if !first {
			b.WriteString(",\n")
		}
		first = false
		b.WriteString(ind + quote(e.Name) + " : [\n")
		firstItem := true
		for _, x := range elems {
			if x.Name != e.Name {
				continue
			}
			if !firstItem {
				b.WriteString(",\n")
			}
			firstItem = false
			writeItem(b, x, depth)
		}
		b.WriteString("\n" + ind + "]")
	}
	if !first {
		b.WriteString("\n")
	}
}

func writeItem(b *strings.Builder, e *Elem, depth int) {
	ind := strings.Repeat("    ", depth)
	in := ind + "    "
	if len(e.Kids) == 0 && e.Text == "" && len(e.Attrs) == 0 {
		b.WriteString(ind + "null")
		return
	}
	b.WriteString(ind + "{\n")
	var parts []string
	if len(e.Attrs) > 0 {
		var as []string
		for _, a := range e.Attrs {
			as = append(as, quote(a.Name)+" : "+quote(a.Value))
		}
		parts = append(parts, in+`"attributes" : {`+strings.Join(as, ", ")+"}")
	}
	if len(e.Kids) == 0 && e.Text != "" {
		parts = append(parts, in+`"data" : `+quote(e.Text))
	}
	b.WriteString(strings.Join(parts, ",\n"))
	if len(e.Kids) > 0 {
		if len(parts) > 0 {
			b.WriteString(",\n")
		}
		writeMembers(b, e.Kids, depth+1)
	} else if len(parts) > 0 {
		b.WriteString("\n")
	}
	b.WriteString(ind + "}")
}

// quote writes a JSON string as Junos does: "<", ">" and "&" as they are.
func quote(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.Encode(s)
	return strings.TrimSuffix(b.String(), "\n")
}
