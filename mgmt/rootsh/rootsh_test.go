package rootsh

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func TestRun(t *testing.T) {
	var out bytes.Buffer
	var cli, cmds []string
	o := Options{
		Host: func() string { return "r1" },
		In:   strings.NewReader("ls\rcli\r\nx\x7fcli -c 'show version; show route'\nexit\ncli\n"),
		Out:  &out, TTY: true,
		CLI: func(context.Context) int { cli = append(cli, "cli"); return 0 },
		Commands: func(_ context.Context, c string) int {
			cmds = append(cmds, c)
			return 0
		},
	}
	if st := Run(context.Background(), o); st != 0 {
		t.Errorf("status %d", st)
	}
	want := "root@r1:~ # ls\r\nls: Command not found.\r\nroot@r1:~ # cli\r\nroot@r1:~ # x\b \bcli -c 'show version; show route'\r\nroot@r1:~ # exit\r\n"
	if out.String() != want {
		t.Errorf("output:\n%q\nwant:\n%q", out.String(), want)
	}
	if len(cli) != 1 || len(cmds) != 1 || cmds[0] != "show version; show route" {
		t.Errorf("cli %v, commands %q", cli, cmds)
	}
}

func TestPlainAndExec(t *testing.T) {
	var out bytes.Buffer
	o := Options{Host: func() string { return "r1" }, In: strings.NewReader("whoami\npwd"), Out: &out}
	Run(context.Background(), o)
	if out.String() != "root\n/root\n" {
		t.Errorf("without a terminal: %q", out.String())
	}
	out.Reset()
	if st := Exec(context.Background(), o, `cli -c "x`); st != 1 || out.String() != "Unmatched \".\n" {
		t.Errorf("unmatched quote: %d %q", st, out.String())
	}
	out.Reset()
	if st := Exec(context.Background(), o, "cli -x"); st != 1 || !strings.Contains(out.String(), "usage: cli") {
		t.Errorf("bad cli flag: %d %q", st, out.String())
	}
}

func TestSplit(t *testing.T) {
	for in, want := range map[string][]string{
		`cli -c "show version | match Junos"`: {"cli", "-c", "show version | match Junos"},
		`  echo a   'b c' `:                   {"echo", "a", "b c"},
		`""`:                                  {""},
	} {
		got, err := split(in)
		if err != nil || strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("split(%q) = %q, %v", in, got, err)
		}
	}
}
