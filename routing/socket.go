package routing

import (
	"errors"
	"fmt"
	"net/netip"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// sockOpts are the socket options of ping and traceroute.
type sockOpts struct {
	Source netip.Addr
	Device string // Linux name for SO_BINDTODEVICE
	Mark   int    // routing instance table (SO_MARK)
	TTL    int
	DF     bool
}

// rawSocket is a socket read and written with deadlines through the
// runtime's poller.
type rawSocket struct {
	f  *os.File
	fd int
}

// openSocket opens a socket of the given type and protocol in the calling
// thread's namespace (call it inside Dataplane.Do).
func openSocket(typ, proto int, o sockOpts) (*rawSocket, error) {
	fd, err := unix.Socket(unix.AF_INET, typ|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, proto)
	if err != nil {
		return nil, fmt.Errorf("socket: %w", err)
	}
	if err := setOpts(fd, o); err != nil {
		unix.Close(fd)
		return nil, err
	}
	return &rawSocket{f: os.NewFile(uintptr(fd), "icmp"), fd: fd}, nil
}

func setOpts(fd int, o sockOpts) error {
	if o.TTL > 0 {
		if err := unix.SetsockoptInt(fd, unix.IPPROTO_IP, unix.IP_TTL, o.TTL); err != nil {
			return fmt.Errorf("ttl %d: %w", o.TTL, err)
		}
	}
	if o.Device != "" {
		if err := unix.SetsockoptString(fd, unix.SOL_SOCKET, unix.SO_BINDTODEVICE, o.Device); err != nil {
			return fmt.Errorf("interface %s: %w", o.Device, err)
		}
	}
	if o.Mark != 0 {
		if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_MARK, o.Mark); err != nil {
			return fmt.Errorf("routing instance: %w", err)
		}
	}
	pmtu := unix.IP_PMTUDISC_DONT
	if o.DF {
		pmtu = unix.IP_PMTUDISC_DO
	}
	if err := unix.SetsockoptInt(fd, unix.IPPROTO_IP, unix.IP_MTU_DISCOVER, pmtu); err != nil {
		return fmt.Errorf("do-not-fragment: %w", err)
	}
	if o.Source.IsValid() {
		if err := unix.Bind(fd, &unix.SockaddrInet4{Addr: o.Source.As4()}); err != nil {
			return fmt.Errorf("source %s: %w", o.Source, err)
		}
	}
	return nil
}

func (s *rawSocket) setTTL(ttl int) error {
	return unix.SetsockoptInt(s.fd, unix.IPPROTO_IP, unix.IP_TTL, ttl)
}

// localPort returns the port a UDP socket is bound to.
func (s *rawSocket) localPort() (int, error) {
	sa, err := unix.Getsockname(s.fd)
	if err != nil {
		return 0, err
	}
	if in, ok := sa.(*unix.SockaddrInet4); ok {
		return in.Port, nil
	}
	return 0, errors.New("not an ipv4 socket")
}

func (s *rawSocket) sendTo(b []byte, dst netip.Addr, port int) error {
	rc, err := s.f.SyscallConn()
	if err != nil {
		return err
	}
	var serr error
	err = rc.Write(func(fd uintptr) bool {
		serr = unix.Sendto(int(fd), b, 0, &unix.SockaddrInet4{Addr: dst.As4(), Port: port})
		return serr != unix.EAGAIN
	})
	if err != nil {
		return err
	}
	return serr
}

// read reads one packet, waiting until deadline.
func (s *rawSocket) read(buf []byte, deadline time.Time) (int, error) {
	if err := s.f.SetReadDeadline(deadline); err != nil {
		return 0, err
	}
	return s.f.Read(buf)
}

func (s *rawSocket) Close() error { return s.f.Close() }
