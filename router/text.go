package router

import "strings"

func splitLines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		out = append(out, strings.TrimSpace(l))
	}
	return out
}

func hasPrefix(s, p string) bool { return strings.HasPrefix(s, p) }
