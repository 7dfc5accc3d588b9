package chassis

import (
	"fmt"
	"hash/fnv"
	"net"
)

// serials derives the hardware identity of a router (serial numbers, MAC
// addresses) from its name, so that a router keeps them across restarts.
type serials struct{ name string }

func (s serials) sum(what string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(s.name))
	h.Write([]byte{0})
	h.Write([]byte(what))
	return h.Sum64()
}

const upper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
const alnum = "0123456789ABCDEFGHJKLMNPRSTUVWXYZ"

// chassis returns a chassis serial number ("JN11D2A7BAFA").
func (s serials) chassis() string {
	v := s.sum("chassis")
	return fmt.Sprintf("JN%07X%s", v&0xfffffff, string([]byte{'A', 'F', upper[(v>>32)%26]}))
}

// board returns the serial of a board ("CAFC4523"): four letters, four digits.
func (s serials) board(what string) string {
	v := s.sum(what)
	b := []byte{upper[v%3], upper[(v>>8)%26], upper[(v>>16)%26], upper[(v>>24)%26]}
	return fmt.Sprintf("%s%04d", b, (v>>32)%10000)
}

// re returns the serial of a Routing Engine: ten digits.
func (s serials) re(what string) string {
	return fmt.Sprintf("90%08d", s.sum(what)%100000000)
}

// xcvr returns the serial of an optic ("AC1522SA10E").
func (s serials) xcvr(what string) string {
	v := s.sum(what)
	b := make([]byte, 0, 11)
	b = append(b, upper[v%26], upper[(v>>5)%26])
	v >>= 10
	for range 9 {
		b = append(b, alnum[v%uint64(len(alnum))])
		v /= uint64(len(alnum))
	}
	return string(b)
}

// pem returns the serial of a power supply ("1EDB5270035").
func (s serials) pem(what string) string {
	v := s.sum(what)
	return fmt.Sprintf("1E%c%c%07d", upper[v%26], upper[(v>>8)%26], (v>>16)%10000000)
}

// mac returns the hardware address of a port, in a Juniper OUI.
func (s serials) mac(port string) net.HardwareAddr {
	v := s.sum("mac " + port)
	return net.HardwareAddr{0x2c, 0x6b, 0xf5, byte(v >> 16), byte(v >> 8), byte(v)}
}
