package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"golang.org/x/term"

	"mxlab/lab"
	"mxlab/lab/ui"
)

const labUsage = `usage:
  mxlab lab up FILE [--ui [ADDR]] [--ui-public]
                                            start the lab of a topology file; runs until Ctrl-C or "lab down";
                                            --ui serves its web page on ADDR (default 127.0.0.1, a free port)
  mxlab lab ui [NAME] [--addr ADDR] [--public]
                                            serve the web page of a running lab until Ctrl-C
  mxlab lab console NODE [--lab NAME] [-c "cmd; cmd"] [--user USER]
                                            a CLI on a router of a running lab
  mxlab lab exec NODE [--lab NAME] -- CMD...  run a command in a node's network namespace
  mxlab lab cp [--lab NAME] SRC DST          copy a file into or out of a router: NODE:PATH on one side
                                            (a relative PATH is in /var/tmp), a host file or - on the other
  mxlab lab pki COMMAND ...                 a CA for the lab's certificates ("mxlab lab pki help")
  mxlab lab keys NODE [--lab NAME]          the ESP SAs of a router with their keys, as lines of
                                            Wireshark's esp_sa file (decrypts a capture of the WAN)
  mxlab lab inspect [NAME] [--inventory FILE] [--ssh-config FILE]
                                            the nodes, their management addresses and SSH/NETCONF ports;
                                            writes an Ansible inventory and an OpenSSH config snippet
  mxlab lab down [NAME]                     stop a lab (or remove what a killed one left)
  mxlab lab list                            the labs that are running
NAME may be omitted when one lab runs. Run directories live in %s.
`

// runLab runs "mxlab lab ..." with a clock (that of the lab CA) and
// returns the exit status.
func runLab(args []string, now func() time.Time) int {
	if len(args) == 0 {
		fmt.Fprintf(os.Stderr, labUsage, lab.RunDir())
		return 2
	}
	var err error
	switch args[0] {
	case "up":
		err = labUp(args[1:])
	case "console":
		err = labConsole(args[1:])
	case "ui":
		err = labUI(args[1:])
	case "exec":
		err = labExec(args[1:])
	case "cp":
		err = labCp(args[1:])
	case "pki":
		err = runLabPKI(args[1:], now)
	case "keys":
		err = labKeys(args[1:])
	case "down":
		err = labDown(args[1:])
	case "inspect":
		err = labInspect(args[1:])
	case "list":
		for _, name := range lab.Running(lab.RunDir()) {
			fmt.Println(name)
		}
	case "help", "-h", "--help":
		fmt.Printf(labUsage, lab.RunDir())
	default:
		fmt.Fprintf(os.Stderr, "mxlab lab: unknown command %q\n"+labUsage, args[0], lab.RunDir())
		return 2
	}
	var ex exitError
	switch {
	case errors.As(err, &ex):
		return int(ex)
	case errors.Is(err, flag.ErrHelp):
		return 2
	case err != nil:
		fmt.Fprintf(os.Stderr, "mxlab lab %s: %v\n", args[0], err)
		return 1
	}
	return 0
}

// parseInterleaved parses flags given before and after the positional
// arguments ("console r1 --lab e2"); what follows "--" is returned as rest.
func parseInterleaved(fs *flag.FlagSet, args []string) (pos, rest []string, err error) {
	for len(args) > 0 {
		if args[0] == "--" {
			return pos, args[1:], nil
		}
		if err := fs.Parse(args); err != nil {
			return nil, nil, err
		}
		left := fs.Args()
		if used := len(args) - len(left); used > 0 && args[used-1] == "--" {
			return pos, left, nil
		}
		if len(left) == 0 {
			break
		}
		pos = append(pos, left[0])
		args = left[1:]
	}
	return pos, nil, nil
}

func labUp(args []string) error {
	file, web, public, err := parseUp(args)
	if err != nil {
		return err
	}
	t, err := lab.Load(file)
	if err != nil {
		return err
	}
	// The loopback forwards, and the web page's listener, are opened
	// here, in the host's namespace, before a run without root goes into
	// a user namespace of its own; that run inherits them.
	fw, err := lab.OpenForwards(t)
	if err != nil {
		return err
	}
	if web.set && fw[lab.ForwardUI] == nil {
		ln, err := ui.Listen(web.value, public)
		if err != nil {
			fw.Close()
			return err
		}
		fw[lab.ForwardUI] = map[int]net.Listener{0: ln}
	}
	if status, ok, err := lab.InUserNamespace(os.Args, fw); ok {
		if err != nil {
			return err
		}
		return exitError(status)
	}
	ln := fw.Take(lab.ForwardUI, 0)
	stopDebug, err := startDebug()
	if err != nil {
		if ln != nil {
			ln.Close()
		}
		fw.Close()
		return err
	}
	defer stopDebug()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer stop()
	l, err := lab.Up(ctx, t, lab.Options{RunDir: lab.RunDir(), Forwards: fw, MgmtNetwork: true, UI: serveUI})
	if err != nil {
		if ln != nil {
			ln.Close()
		}
		return err
	}
	fmt.Println(l.Ready())
	fmt.Printf("SSH and NETCONF: mxlab lab inspect %s\n", t.Name)
	uiCtx, uiStop := context.WithCancel(context.Background())
	uiDone := make(chan error, 1)
	if ln != nil {
		go func() { uiDone <- ui.Serve(uiCtx, l, ln, os.Stdout, ui.Options{}) }()
	} else {
		uiDone <- nil
	}
	select {
	case <-ctx.Done():
	case <-l.Stopping():
	case err = <-uiDone:
		uiDone <- nil
		if err != nil {
			fmt.Fprintf(os.Stderr, "mxlab lab up: web page: %v\n", err)
		}
		select {
		case <-ctx.Done():
		case <-l.Stopping():
		}
	}
	uiStop()
	<-uiDone
	if err := l.Close(); err != nil {
		return err
	}
	fmt.Printf("lab %s stopped\n", t.Name)
	return nil
}

// parseUp reads the arguments of "lab up": FILE [--ui [ADDR]] [--ui-public],
// flags before or after FILE, "--ui ADDR" or "--ui=ADDR".
func parseUp(args []string) (file string, web optionalValue, public bool, err error) {
	fs := flag.NewFlagSet("mxlab lab up", flag.ContinueOnError)
	fs.Var(&web, "ui", "serve the lab's web page (on `ADDR`, default 127.0.0.1 and a free port)")
	pub := fs.Bool("ui-public", false, "let --ui listen on an address other than loopback")
	pos, _, err := parseInterleaved(fs, args)
	if err != nil {
		return "", web, false, err
	}
	if web.set && web.value == "" && len(pos) == 2 { // "--ui ADDR": the word after --ui
		for i, a := range args[:len(args)-1] {
			if a == "--ui" || a == "-ui" {
				if j := slices.Index(pos, args[i+1]); j >= 0 {
					web.value = pos[j]
					pos = slices.Delete(pos, j, j+1)
				}
				break
			}
		}
	}
	if len(pos) != 1 {
		return "", web, false, errors.New("usage: mxlab lab up FILE [--ui [ADDR]] [--ui-public]")
	}
	return pos[0], web, *pub, nil
}

// serveUI serves the web page of a running lab for "mxlab lab ui".
func serveUI(ctx context.Context, l *lab.Lab, ln net.Listener, out io.Writer) error {
	return ui.Serve(ctx, l, ln, out, ui.Options{})
}

// optionalValue is a flag given alone ("--ui") or with a value ("--ui=ADDR").
type optionalValue struct {
	set   bool
	value string
}

func (o *optionalValue) String() string { return o.value }
func (o *optionalValue) Set(v string) error {
	o.set = true
	if v != "true" {
		o.value = v
	}
	return nil
}
func (o *optionalValue) IsBoolFlag() bool { return true }

func labUI(args []string) error {
	fs := flag.NewFlagSet("mxlab lab ui", flag.ContinueOnError)
	addr := fs.String("addr", "", "listen on `ADDR` (default 127.0.0.1 and a free port)")
	public := fs.Bool("public", false, "let --addr be an address other than loopback")
	pos, _, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 1 {
		return errors.New("usage: mxlab lab ui [NAME] [--addr ADDR] [--public]")
	}
	dir, err := lab.Find(lab.RunDir(), strings.Join(pos, ""))
	if err != nil {
		return err
	}
	ln, err := ui.Listen(*addr, *public)
	if err != nil {
		return err
	}
	defer ln.Close()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer stop()
	return lab.ServeUI(ctx, dir, ln, os.Stdout)
}

func labConsole(args []string) error {
	fs := flag.NewFlagSet("mxlab lab console", flag.ContinueOnError)
	name := fs.String("lab", "", "the lab (default: the only one running)")
	cmds := fs.String("c", "", "run commands (separated by ';') and exit with their status")
	user := fs.String("user", "lab", "login user")
	pos, _, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return errors.New("usage: mxlab lab console NODE [--lab NAME] [-c \"cmd; cmd\"]")
	}
	dir, err := lab.Find(lab.RunDir(), *name)
	if err != nil {
		return err
	}
	req := lab.Request{Node: pos[0], User: *user, Term: os.Getenv("TERM"), Commands: *cmds}
	in := io.Reader(os.Stdin)
	var resize chan lab.Window
	fd := int(os.Stdin.Fd())
	if *cmds == "" && term.IsTerminal(fd) && term.IsTerminal(int(os.Stdout.Fd())) {
		req.TTY = true
		req.Cols, req.Rows, _ = term.GetSize(int(os.Stdout.Fd()))
		old, err := term.MakeRaw(fd)
		if err != nil {
			return err
		}
		defer term.Restore(fd, old)
		var stop func()
		resize, stop = followWindow()
		defer stop()
	} else if *cmds != "" {
		in = nil
	}
	status, err := lab.Console(dir, req, in, os.Stdout, resize)
	if err != nil {
		return err
	}
	return exitError(status)
}

// followWindow sends the terminal's size each time it changes, until
// stop is called.
func followWindow() (chan lab.Window, func()) {
	ch := make(chan lab.Window, 1)
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGWINCH)
	stop := func() { signal.Stop(sig); close(sig) }
	go func() {
		for range sig {
			if c, r, err := term.GetSize(int(os.Stdout.Fd())); err == nil {
				select {
				case ch <- lab.Window{Cols: c, Rows: r}:
				default:
				}
			}
		}
	}()
	return ch, stop
}

func labExec(args []string) error {
	fs := flag.NewFlagSet("mxlab lab exec", flag.ContinueOnError)
	name := fs.String("lab", "", "the lab (default: the only one running)")
	pos, cmd, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 1 && cmd == nil { // "exec h1 ip route" without "--"
		pos, cmd = pos[:1], pos[1:]
	}
	if len(pos) != 1 || len(cmd) == 0 {
		//lint:ignore ST1005 usage text shown to the user as it is
		return errors.New("usage: mxlab lab exec NODE [--lab NAME] -- CMD...")
	}
	dir, err := lab.Find(lab.RunDir(), *name)
	if err != nil {
		return err
	}
	return lab.Exec(dir, pos[0], cmd)
}

func labDown(args []string) error {
	fs := flag.NewFlagSet("mxlab lab down", flag.ContinueOnError)
	pos, _, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 1 {
		return errors.New("usage: mxlab lab down [NAME]")
	}
	name := strings.Join(pos, "")
	if name == "" {
		labs := lab.Labs(lab.RunDir())
		if len(labs) != 1 {
			_, err := lab.Find(lab.RunDir(), "")
			return err
		}
		name = labs[0]
	}
	dir, err := lab.Find(lab.RunDir(), name)
	if err != nil {
		return err
	}
	if err := lab.Down(dir); err != nil {
		return err
	}
	fmt.Printf("lab %s down\n", name)
	return nil
}

func labKeys(args []string) error {
	fs := flag.NewFlagSet("mxlab lab keys", flag.ContinueOnError)
	name := fs.String("lab", "", "the lab (default: the only one running)")
	pos, _, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return errors.New("usage: mxlab lab keys NODE [--lab NAME]")
	}
	dir, err := lab.Find(lab.RunDir(), *name)
	if err != nil {
		return err
	}
	return lab.Keys(dir, pos[0], os.Stdout)
}
