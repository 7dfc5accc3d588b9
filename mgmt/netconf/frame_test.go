package netconf

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"testing/iotest"
)

func TestReadEOM(t *testing.T) {
	in := "<hello/>]]>]]>\n<rpc>a]]b</rpc>]]>]]>]]>]]>  \n<rpc/>]]>]]>"
	// One byte at a time: messages split across reads.
	r := NewReader(iotest.OneByteReader(bytes.NewReader([]byte(in))), 0)
	var got []string
	for {
		m, err := r.ReadMsg()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, string(bytes.TrimSpace(m)))
	}
	want := []string{"<hello/>", "<rpc>a]]b</rpc>", "<rpc/>"}
	if len(got) != len(want) {
		t.Fatalf("got %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("message %d = %q, want %q", i, got[i], want[i])
		}
	}
}

func TestReadChunked(t *testing.T) {
	in := "\n#4\n<rpc\n#8\n>x</rpc>\n##\n\n#6\n<rpc/>\n##\n"
	r := NewReader(iotest.HalfReader(bytes.NewReader([]byte(in))), 0)
	r.SetChunked()
	for _, want := range []string{"<rpc>x</rpc>", "<rpc/>"} {
		m, err := r.ReadMsg()
		if err != nil || string(m) != want {
			t.Fatalf("ReadMsg = %q, %v; want %q", m, err, want)
		}
	}
	if _, err := r.ReadMsg(); !errors.Is(err, io.EOF) {
		t.Errorf("at the end: %v, want EOF", err)
	}
}

func TestReadErrors(t *testing.T) {
	for _, tt := range []struct {
		name    string
		chunked bool
		in      string
		want    error
	}{
		{"unterminated", false, "<rpc><get/>", io.ErrUnexpectedEOF},
		{"too big", false, string(bytes.Repeat([]byte("x"), 200)) + "]]>]]>", ErrTooBig},
		{"chunk header", true, "\n#x\n", ErrFraming},
		{"chunk size zero", true, "\n#0\n", ErrFraming},
		{"leading zero", true, "\n#01\na\n##\n", ErrFraming},
		{"no hash", true, "\n4\nabcd", ErrFraming},
		{"end first", true, "\n##\n", ErrFraming},
		{"short chunk", true, "\n#10\nabc", io.ErrUnexpectedEOF},
		{"chunk too big", true, "\n#101\n", ErrTooBig},
		{"total too big", true, "\n#60\n" + string(bytes.Repeat([]byte("x"), 60)) + "\n#60\n", ErrTooBig},
		{"no end", true, "\n#3\nabc", io.ErrUnexpectedEOF},
	} {
		r := NewReader(bytes.NewReader([]byte(tt.in)), 100)
		if tt.chunked {
			r.SetChunked()
		}
		if _, err := r.ReadMsg(); !errors.Is(err, tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, err, tt.want)
		}
	}
}

func TestWriter(t *testing.T) {
	var b bytes.Buffer
	w := NewWriter(&b)
	w.WriteMsg([]byte("<a/>"))
	w.SetChunked()
	w.WriteMsg([]byte("<b/>"))
	if want := "<a/>]]>]]>\n\n#4\n<b/>\n##\n"; b.String() != want {
		t.Errorf("wrote %q, want %q", b.String(), want)
	}
}

// FuzzReader checks that no input makes the framer panic or return a
// message over the limit, in both framings.
func FuzzReader(f *testing.F) {
	f.Add([]byte("<rpc/>]]>]]><rpc/>]]>]]>"), false)
	f.Add([]byte("\n#3\nabc\n##\n\n#1\nx\n#2\nyz\n##\n"), true)
	f.Add([]byte("\n#4294967295\n"), true)
	f.Fuzz(func(t *testing.T, data []byte, chunked bool) {
		r := NewReader(bytes.NewReader(data), 1024)
		if chunked {
			r.SetChunked()
		}
		for range 100 {
			m, err := r.ReadMsg()
			if err != nil {
				return
			}
			if len(m) > 1024 {
				t.Fatalf("message of %d bytes over the limit of 1024", len(m))
			}
		}
	})
}
