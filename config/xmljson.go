package config

import (
	"encoding/json"
	"html"
	"strings"

	"mxlab/config/schema"
)

// XML renders the statements below n as the Junos XML of `| display xml`:
// one element per statement, list keys as child elements, flags as empty
// elements, inactive statements with inactive="inactive". depth is the
// indentation level of n's children.
func (n *Node) XML(depth int) string {
	var b strings.Builder
	for _, k := range n.Kids {
		writeXML(&b, k, depth)
	}
	return b.String()
}

func writeXML(b *strings.Builder, x *Node, depth int) {
	ind := strings.Repeat("    ", depth)
	attr := ""
	if x.Inactive {
		attr = ` inactive="inactive"`
	}
	if x.Comment != "" {
		b.WriteString(ind + "<junos:comment>/* " + html.EscapeString(x.Comment) + " */</junos:comment>\n")
	}
	name := x.S.Name
	switch x.S.Kind {
	case schema.Leaf:
		if x.S.Type == schema.Empty {
			b.WriteString(ind + "<" + name + attr + "/>\n")
			return
		}
		b.WriteString(ind + "<" + name + attr + ">" + html.EscapeString(x.Value) + "</" + name + ">\n")
		return
	case schema.LeafList:
		for _, v := range x.Values {
			b.WriteString(ind + "<" + name + attr + ">" + html.EscapeString(v) + "</" + name + ">\n")
		}
		return
	}
	if x.S.Kind == schema.Container && len(x.Kids) == 0 {
		b.WriteString(ind + "<" + name + attr + "/>\n")
		return
	}
	b.WriteString(ind + "<" + name + attr + ">\n")
	if x.S.Kind == schema.List {
		for i, kname := range x.S.Keys {
			if i < len(x.Keys) && x.Keys[i] != "" {
				b.WriteString(ind + "    <" + kname + ">" + html.EscapeString(x.Keys[i]) + "</" + kname + ">\n")
			}
		}
	}
	for _, k := range x.Kids {
		writeXML(b, k, depth+1)
	}
	b.WriteString(ind + "</" + name + ">\n")
}

// JSON renders the statements below n as the Junos JSON of `| display
// json` (the members of an object, at indentation depth).
func (n *Node) JSON(depth int) string {
	var b strings.Builder
	writeJSONKids(&b, n.Kids, depth)
	return b.String()
}

func jsonString(s string) string {
	q, _ := json.Marshal(s)
	return string(q)
}

// writeJSONKids writes the members for kids: a list's entries are grouped
// into one array, as Junos does.
func writeJSONKids(b *strings.Builder, kids []*Node, depth int) {
	ind := strings.Repeat("    ", depth)
	for i := 0; i < len(kids); {
		x := kids[i]
		j := i + 1
		for j < len(kids) && kids[j].S == x.S {
			j++
		}
		if i > 0 {
			b.WriteString(",\n")
		}
		b.WriteString(ind + jsonString(x.S.Name) + " : ")
		switch {
		case x.S.Kind == schema.List:
			b.WriteString("[\n")
			for e := i; e < j; e++ {
				if e > i {
					b.WriteString(",\n")
				}
				writeJSONEntry(b, kids[e], depth)
			}
			b.WriteString("\n" + ind + "]")
		default:
			writeJSONValue(b, x, depth)
		}
		i = j
	}
	if len(kids) > 0 {
		b.WriteString("\n")
	}
}

func writeJSONEntry(b *strings.Builder, x *Node, depth int) {
	ind := strings.Repeat("    ", depth)
	b.WriteString(ind + "{\n")
	var keys []string
	for i, kname := range x.S.Keys {
		if i < len(x.Keys) && x.Keys[i] != "" {
			keys = append(keys, ind+"    "+jsonString(kname)+" : "+jsonString(x.Keys[i]))
		}
	}
	b.WriteString(strings.Join(keys, ",\n"))
	if len(x.Kids) > 0 {
		if len(keys) > 0 {
			b.WriteString(",\n")
		}
		writeJSONKids(b, x.Kids, depth+1)
	} else {
		b.WriteString("\n")
	}
	b.WriteString(ind + "}")
}

func writeJSONValue(b *strings.Builder, x *Node, depth int) {
	switch x.S.Kind {
	case schema.Leaf:
		if x.S.Type == schema.Empty {
			b.WriteString("[null]")
		} else {
			b.WriteString(jsonString(x.Value))
		}
	case schema.LeafList:
		vals := make([]string, len(x.Values))
		for i, v := range x.Values {
			vals[i] = jsonString(v)
		}
		b.WriteString("[" + strings.Join(vals, ", ") + "]")
	default:
		if len(x.Kids) == 0 {
			b.WriteString("[null]")
			return
		}
		b.WriteString("{\n")
		writeJSONKids(b, x.Kids, depth+1)
		b.WriteString(strings.Repeat("    ", depth) + "}")
	}
}
