package netns

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	"github.com/vishvananda/netlink"
	vnetns "github.com/vishvananda/netns"
	"golang.org/x/sys/unix"
)

// RunDir is where named namespaces live, as iproute2 keeps them, so that
// `ip netns exec NAME ...` works on them.
const RunDir = "/run/netns"

// ErrNotRoot reports that named namespaces cannot be made by this process.
var ErrNotRoot = errors.New("network namespaces need root")

// ErrExists reports a namespace name already in use.
var ErrExists = errors.New("network namespace already exists")

// Handle is an open network namespace. Its methods may be called from any
// goroutine; netlink requests go through a socket opened inside the
// namespace, so they never switch the calling thread. The socket is opened
// by the first request, and Release gives both descriptors back while the
// namespace is idle.
type Handle struct {
	name string // "" for a namespace that has no name in RunDir
	path string // where the namespace is found again; "" when it cannot be

	use    sync.RWMutex    // held for reading while a request uses ns or nl, for writing to close them
	mu     sync.Mutex      // guards what follows
	ns     vnetns.NsHandle // -1 while released
	nl     *netlink.Handle // nil until the first request, and while released
	closed bool
	pinned bool // a Router uses nl: never released
}

// Available reports whether this process can create named namespaces: it
// must run as root (CAP_SYS_ADMIN for mounts and unshare, CAP_NET_ADMIN
// for links). Without it the error says what is missing.
func Available() error {
	if os.Geteuid() != 0 {
		return fmt.Errorf("%w: running as uid %d; named namespaces under %s need CAP_SYS_ADMIN and CAP_NET_ADMIN (run as root, or inside a user namespace)",
			ErrNotRoot, os.Geteuid(), RunDir)
	}
	return nil
}

// Create makes a new named network namespace, bind-mounted at
// RunDir/name the way `ip netns add` does. The loopback is brought up.
func Create(name string) (*Handle, error) {
	if err := Available(); err != nil {
		return nil, err
	}
	if name == "" || strings.ContainsAny(name, "/\x00") || name == "." || name == ".." {
		return nil, fmt.Errorf("namespace name %q: %w", name, ErrBadName)
	}
	if err := os.MkdirAll(RunDir, 0o755); err != nil {
		return nil, fmt.Errorf("create namespace %s: %w", name, err)
	}
	path := filepath.Join(RunDir, name)
	f, err := os.OpenFile(path, os.O_RDONLY|os.O_CREATE|os.O_EXCL, 0o444)
	if err != nil {
		if errors.Is(err, os.ErrExist) {
			return nil, fmt.Errorf("namespace %s: %w", name, ErrExists)
		}
		return nil, fmt.Errorf("create namespace %s: %w", name, err)
	}
	f.Close()
	if err := unshareAndMount(path); err != nil {
		os.Remove(path)
		return nil, fmt.Errorf("create namespace %s: %w", name, err)
	}
	h, err := Open(name)
	if err != nil {
		removeNamed(path)
		return nil, err
	}
	if err := h.setLoopbackUp(); err != nil {
		h.Delete()
		return nil, fmt.Errorf("create namespace %s: %w", name, err)
	}
	return h, nil
}

// unshareAndMount creates a namespace on a locked thread, bind-mounts it at
// path and puts the thread back in its namespace.
func unshareAndMount(path string) error {
	runtime.LockOSThread()
	orig, err := vnetns.Get()
	if err != nil {
		runtime.UnlockOSThread()
		return err
	}
	defer orig.Close()
	if err := unix.Unshare(unix.CLONE_NEWNET); err != nil {
		runtime.UnlockOSThread()
		return fmt.Errorf("unshare: %w", err)
	}
	self := fmt.Sprintf("/proc/self/task/%d/ns/net", unix.Gettid())
	merr := unix.Mount(self, path, "none", unix.MS_BIND, "")
	if err := vnetns.Set(orig); err != nil {
		// The thread stays locked: it dies with this goroutine rather
		// than run other goroutines in the wrong namespace.
		return fmt.Errorf("restore namespace: %w", err)
	}
	runtime.UnlockOSThread()
	if merr != nil {
		return fmt.Errorf("bind mount %s: %w", path, merr)
	}
	return nil
}

// Open opens the named namespace RunDir/name.
func Open(name string) (*Handle, error) {
	ns, err := vnetns.GetFromPath(filepath.Join(RunDir, name))
	if err != nil {
		return nil, fmt.Errorf("open namespace %s: %w", name, err)
	}
	return &Handle{name: name, path: filepath.Join(RunDir, name), ns: ns}, nil
}

// Name returns the namespace's name in RunDir.
func (h *Handle) Name() string { return h.name }

// Close releases the handle for good; the namespace stays.
func (h *Handle) Close() error {
	h.use.Lock()
	defer h.use.Unlock()
	h.mu.Lock()
	defer h.mu.Unlock()
	h.closed = true
	return h.release()
}

// Release closes the handle's descriptors (the namespace's and the netlink
// socket); the next request opens them again. It is for namespaces set up
// once and then seldom touched, such as a lab's hosts: ten thousand of
// them would otherwise hold two descriptors each. It waits for the
// requests under way. A handle without a name in RunDir, or one a Router
// uses, keeps them.
func (h *Handle) Release() {
	h.use.Lock()
	defer h.use.Unlock()
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.path != "" && !h.pinned {
		h.release()
	}
}

func (h *Handle) release() error {
	if h.nl != nil {
		h.nl.Close()
		h.nl = nil
	}
	if h.ns.IsOpen() {
		return h.ns.Close()
	}
	return nil
}

// fd returns the namespace's descriptor, opening it again after Release.
// It stays open until done is called, which must be before any other
// request on h.
func (h *Handle) fd() (ns vnetns.NsHandle, done func(), err error) {
	h.use.RLock()
	h.mu.Lock()
	ns, err = h.openFD()
	h.mu.Unlock()
	if err != nil {
		h.use.RUnlock()
		return -1, nil, err
	}
	return ns, h.use.RUnlock, nil
}

func (h *Handle) openFD() (vnetns.NsHandle, error) {
	if h.closed {
		return -1, fmt.Errorf("namespace %s: handle closed", h.name)
	}
	if !h.ns.IsOpen() {
		ns, err := vnetns.GetFromPath(h.path)
		if err != nil {
			return -1, fmt.Errorf("open namespace %s: %w", h.name, err)
		}
		h.ns = ns
	}
	return h.ns, nil
}

// link returns the netlink socket of the namespace, opening it at the
// first request and again after Release. It stays open until done is
// called, which must be before any other request on h.
func (h *Handle) link() (nl *netlink.Handle, done func(), err error) {
	h.use.RLock()
	h.mu.Lock()
	nl, err = h.openLink()
	h.mu.Unlock()
	if err != nil {
		h.use.RUnlock()
		return nil, nil, err
	}
	return nl, h.use.RUnlock, nil
}

func (h *Handle) openLink() (*netlink.Handle, error) {
	if h.nl != nil {
		return h.nl, nil
	}
	ns, err := h.openFD()
	if err != nil {
		return nil, err
	}
	nl, err := netlink.NewHandleAt(ns, unix.NETLINK_ROUTE) // links, addresses, routes: one socket, not one per family
	if err != nil {
		return nil, fmt.Errorf("namespace %s: netlink: %w", h.name, err)
	}
	h.nl = nl
	return nl, nil
}

// pin opens the netlink socket for good, for a Router that holds it.
func (h *Handle) pin() (*netlink.Handle, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	nl, err := h.openLink()
	if err != nil {
		return nil, err
	}
	h.pinned = true
	return nl, nil
}

// Delete closes the handle and removes the namespace name. The kernel
// frees the namespace, and every link in it, when its last user is gone.
func (h *Handle) Delete() error {
	h.Close()
	if h.name == "" {
		return nil
	}
	return removeNamed(filepath.Join(RunDir, h.name))
}

func removeNamed(path string) error {
	if err := unix.Unmount(path, unix.MNT_DETACH); err != nil && !errors.Is(err, unix.EINVAL) && !errors.Is(err, unix.ENOENT) {
		return fmt.Errorf("unmount %s: %w", path, err)
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("remove %s: %w", path, err)
	}
	return nil
}

// Cleanup deletes every named namespace whose name starts with prefix: the
// ones a killed process left behind. It returns the names it deleted.
func Cleanup(prefix string) ([]string, error) {
	if prefix == "" {
		return nil, fmt.Errorf("cleanup: empty prefix would delete every namespace: %w", ErrBadName)
	}
	ents, err := os.ReadDir(RunDir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("cleanup: %w", err)
	}
	var done []string
	var errs []error
	for _, e := range ents {
		if !strings.HasPrefix(e.Name(), prefix) {
			continue
		}
		if err := removeNamed(filepath.Join(RunDir, e.Name())); err != nil {
			errs = append(errs, err)
			continue
		}
		done = append(done, e.Name())
	}
	return done, errors.Join(errs...)
}

// Do runs fn with the calling goroutine's thread inside namespace h, then
// puts the thread back, even when fn panics. fn must not start goroutines
// (they would run in the caller's namespace); sockets it opens stay in h and
// may be used from any goroutine afterwards. When the thread cannot be put
// back it stays locked to the goroutine, and dies with it.
func Do(h *Handle, fn func() error) (err error) {
	ns, done, err := h.fd()
	if err != nil {
		return err
	}
	runtime.LockOSThread()
	orig, err := vnetns.Get()
	if err != nil {
		runtime.UnlockOSThread()
		done()
		return fmt.Errorf("netns: current namespace: %w", err)
	}
	defer func() {
		if rerr := vnetns.Set(orig); rerr != nil {
			err = errors.Join(err, fmt.Errorf("netns: leave %s: %w", h.name, rerr))
		} else {
			runtime.UnlockOSThread()
		}
		orig.Close()
	}()
	err = vnetns.Set(ns)
	done() // fn may make requests on h
	if err != nil {
		return fmt.Errorf("netns: enter %s: %w", h.name, err)
	}
	return fn()
}

func (h *Handle) setLoopbackUp() error {
	return h.LinkSetUp("lo", true)
}

// Sysctl writes value to /proc/sys/<key> inside the namespace
// ("net/ipv4/ip_forward").
func (h *Handle) Sysctl(key, value string) error {
	return Do(h, func() error {
		return os.WriteFile(filepath.Join("/proc/sys", key), []byte(value), 0o644)
	})
}
