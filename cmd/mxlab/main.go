package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/term"

	"mxlab/chassis"
	"mxlab/lab"
	"mxlab/netns"
	"mxlab/router"
	"mxlab/shell"
)

func main() {
	raiseFileLimit()
	os.Exit(run(os.Args[1:], time.Now))
}

// raiseFileLimit lifts the soft limit of open files to the hard one, and
// for root the hard one to the kernel's ceiling (fs.nr_open, at most 2^20): a lab holds
// descriptors for the namespaces and sockets of its routers (9 to 14 per
// router; a host none once set up), and the usual soft limit of 1,024 ends
// a lab of a hundred routers. A lab that would still run out is refused
// before it starts (lab.Up).
func raiseFileLimit() {
	var l syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l); err != nil {
		return
	}
	if data, err := os.ReadFile("/proc/sys/fs/nr_open"); err == nil {
		// At most 2^20: children inherit the limit, and some close every
		// descriptor below it.
		if max, err := strconv.ParseUint(strings.TrimSpace(string(data)), 10, 64); err == nil && min(max, 1<<20) > l.Max {
			max = min(max, 1<<20)
			if syscall.Setrlimit(syscall.RLIMIT_NOFILE, &syscall.Rlimit{Cur: max, Max: max}) == nil {
				return
			}
		}
	}
	if l.Cur < l.Max {
		l.Cur = l.Max
		syscall.Setrlimit(syscall.RLIMIT_NOFILE, &l)
	}
}

// run runs the command with its arguments and a clock, and returns the
// exit status.
func run(args []string, now func() time.Time) int {
	if len(args) > 0 && args[0] == "lab" {
		return runLab(args[1:], now)
	}
	fs := flag.NewFlagSet("mxlab", flag.ContinueOnError)
	name := fs.String("name", "mxlab", "router name (serial numbers, default state directory)")
	user := fs.String("user", "lab", "login user")
	stateDir := fs.String("state-dir", "", "state directory (default $XDG_STATE_HOME/mxlab/NAME or ~/.local/state/mxlab/NAME)")
	cfgFile := fs.String("config", "", "configuration file to commit at start (curly-brace text or set commands)")
	layoutFile := fs.String("chassis", "", "chassis layout file (YAML); default: an MX480")
	cmds := fs.String("c", "", "run commands (separated by ';') like Junos 'cli -c' and exit")
	var mg mgmtFlags
	fs.StringVar(&mg.ssh, "ssh", defaultSSH, `address of the SSH server (CLI and NETCONF); "off" for none`)
	fs.StringVar(&mg.netconf, "netconf", defaultNETCONF, `address of the NETCONF-over-SSH port (830 on a router); "off" for none`)
	version := fs.Bool("version", false, "print the version of mxlab and of the Junos release it emulates, and exit")
	fs.Usage = func() { usage(fs) }
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if *version {
		fmt.Printf("mxlab %s, a Junos router emulator (Junos %s)\n", router.Version, router.Junos)
		return 0
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "mxlab: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	if !validUser(*user) {
		fmt.Fprintf(os.Stderr, "mxlab: --user %q: a user name is 1 to 64 letters, numbers, dots, dashes and underscores, not starting with a dot or a dash\n", *user)
		return 2
	}
	if !validName(*name) {
		fmt.Fprintf(os.Stderr, "mxlab: --name %q: a router name is 1 to 32 letters, numbers, dots, dashes and underscores\n", *name)
		return 2
	}
	if err := runRouter(now, *name, *user, *stateDir, *cfgFile, *layoutFile, *cmds, mg); err != nil {
		var ex exitError
		if errors.As(err, &ex) {
			return int(ex)
		}
		fmt.Fprintf(os.Stderr, "mxlab: %v\n", err)
		return 1
	}
	return 0
}

// usage prints the help of "mxlab -h": both ways to run mxlab and the
// flags of the router.
func usage(fs *flag.FlagSet) {
	w := fs.Output()
	fmt.Fprintf(w, "usage:\n  mxlab [flags]                             run one router with its CLI (flags below)\n")
	fmt.Fprintf(w, strings.TrimPrefix(labUsage, "usage:\n"), lab.RunDir())
	fmt.Fprintf(w, "\nflags:\n")
	fs.PrintDefaults()
}

// exitError carries an exit status without a message.
type exitError int

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

// validUser checks a login name as [edit system login user] does.
func validUser(u string) bool {
	return len(u) >= 1 && len(u) <= 64 && userRE.MatchString(u)
}

var (
	userRE = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]*$`)
	nameRE = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]{0,31}$`)
)

// validName checks a router name: it names a namespace and a directory.
func validName(n string) bool { return nameRE.MatchString(n) }

func defaultStateDir(name string) (string, error) {
	if d := os.Getenv("XDG_STATE_HOME"); d != "" {
		return filepath.Join(d, "mxlab", name), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(home, ".local", "state", "mxlab", name), nil
}

func runRouter(now func() time.Time, name, user, stateDir, cfgFile, layoutFile, cmds string, mg mgmtFlags) error {
	var err error
	if stateDir == "" {
		if stateDir, err = defaultStateDir(name); err != nil {
			return err
		}
	}
	var layout chassis.Layout
	if layoutFile != "" {
		data, err := os.ReadFile(layoutFile)
		if err != nil {
			return err
		}
		if layout, err = chassis.ParseLayout(data); err != nil {
			return fmt.Errorf("%s: %w", layoutFile, err)
		}
	}
	var startup string
	if cfgFile != "" {
		data, err := os.ReadFile(cfgFile)
		if err != nil {
			return err
		}
		startup = string(data)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGHUP)
	defer stop()
	nameLock, err := lockName(name)
	if err != nil {
		return err
	}
	defer router.Unlock(nameLock)
	ns, noPlane := standaloneNamespace(name)
	if ns != nil {
		defer func() {
			if err := ns.Delete(); err != nil {
				fmt.Fprintf(os.Stderr, "mxlab: %v\n", err)
			}
		}()
	}
	r, err := router.New(router.Options{Name: name, Layout: layout, StateDir: stateDir, Now: now, Netns: ns, NoPlane: noPlane,
		HostFiles: true})
	if err != nil {
		return err
	}
	defer r.Stop()
	if err := r.Start(ctx, startup); err != nil {
		return err
	}
	tty := term.IsTerminal(int(os.Stdin.Fd())) && term.IsTerminal(int(os.Stdout.Fd()))
	if cmds == "" {
		stopMgmt, err := serveManagement(r, mg, tty || mg.ssh != defaultSSH || mg.netconf != defaultNETCONF)
		if err != nil {
			return err
		}
		defer stopMgmt()
	}
	sh, done := r.NewShell(router.ShellOptions{
		In: os.Stdin, Out: os.Stdout, TTY: tty && cmds == "", Term: os.Getenv("TERM"), User: user,
	})
	defer done()
	if cmds != "" {
		if sh.RunCommands(ctx, cmds) {
			return exitError(1)
		}
		return nil
	}
	if !tty {
		// A pipe: Ctrl-C from the controlling terminal ends the session.
		var cancel context.CancelFunc
		ctx, cancel = signal.NotifyContext(ctx, os.Interrupt)
		defer cancel()
	} else if os.Getenv("TERM") == "dumb" {
		defer interruptOnSIGINT(ctx, sh)()
	}
	return sh.Run(ctx)
}

// interruptOnSIGINT makes SIGINT stop the running command of sh rather
// than the router: on a terminal in cooked mode (TERM=dumb) Ctrl-C is a
// signal, and the line discipline has already dropped the typed line. The
// returned function stops it.
func interruptOnSIGINT(ctx context.Context, sh *shell.Shell) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case <-ctx.Done():
				return
			case <-sig:
				sh.Interrupt()
			}
		}
	}()
	return func() {
		signal.Stop(sig)
		cancel()
		<-done
	}
}

// lockName makes sure that no other live process runs a router of the
// same name on this machine: the name is its namespace's. Without
// namespaces there is nothing to share but the state directory, which the
// router locks itself.
func lockName(name string) (*os.File, error) {
	if netns.Available() != nil {
		return nil, nil
	}
	dir := lab.DefaultRunDir
	if err := lab.EnsureRunRoot(dir); err != nil {
		return nil, err
	}
	f, err := router.Lock(filepath.Join(dir, "router-"+name+".lock"))
	var le *router.LockError
	if errors.As(err, &le) {
		who := ""
		if le.PID > 0 {
			who = fmt.Sprintf(" (process %d)", le.PID)
		}
		return nil, fmt.Errorf("router %s is already running%s: stop it or choose another --name", name, who)
	}
	return f, err
}

// standaloneNamespace gives a router run on its own a network namespace
// ("mxlab-NAME", replacing one left by a killed run) when mxlab may create
// one; otherwise it returns why the router has no forwarding plane.
func standaloneNamespace(name string) (*netns.Handle, error) {
	if err := netns.Available(); err != nil {
		return nil, err
	}
	nsName := "mxlab-" + name
	if old, err := netns.Open(nsName); err == nil {
		old.Delete()
	}
	removeOrphans(nsName)
	h, err := netns.Create(nsName)
	if errors.Is(err, netns.ErrExists) {
		// A namespace of that name could not be removed (still mounted in
		// another mount namespace): take a name of our own.
		h, err = netns.Create(fmt.Sprintf("%s-%d", nsName, os.Getpid()))
	}
	return h, err
}

// removeOrphans deletes the namespaces "NAME-PID" of earlier runs whose
// process is gone (a run that was killed after taking a name of its own).
func removeOrphans(nsName string) {
	paths, _ := filepath.Glob(filepath.Join(netns.RunDir, nsName+"-*"))
	for _, p := range paths {
		pid, err := strconv.Atoi(strings.TrimPrefix(filepath.Base(p), nsName+"-"))
		if err != nil {
			continue
		}
		if _, err := os.Stat(fmt.Sprintf("/proc/%d", pid)); err == nil {
			continue // still running
		}
		if h, err := netns.Open(filepath.Base(p)); err == nil {
			h.Delete()
		}
	}
}
