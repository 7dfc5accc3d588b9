package pki_test

import (
	"crypto/x509"
	"fmt"
	"net"
	"net/netip"
	"os"
	"time"

	"mxlab/services/pki"
	"mxlab/services/pki/labca"
)

// A router's key pair, its request signed by a lab CA, and a peer's
// certificate checked as IKE does.
func Example() {
	dir, _ := os.MkdirTemp("", "pki-example")
	defer os.RemoveAll(dir)
	now := func() time.Time { return time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC) }
	store, _ := pki.Open(pki.Options{Dir: dir + "/store", Now: now})
	ca, _ := labca.Create(dir+"/ca", labca.Options{KeyType: "ecdsa", Now: now})

	bits, _ := store.GenerateKeyPair("r2-cert", pki.ECDSA, 256)
	_, csr, _ := store.GenerateRequest("r2-cert", "CN=r2,O=lab", pki.AltNames{IPs: []net.IP{net.ParseIP("10.1.23.1")}}, "")
	cert, _ := ca.Sign(csr, labca.Options{Now: now})
	store.LoadLocal("r2-cert", labca.PEM(cert), nil)
	store.LoadCA("ca-lab", []*x509.Certificate{ca.Cert})
	fmt.Println("key pair:", bits, "bits")

	// The peer claims 10.1.23.1 and sends the certificate.
	id := pki.AddrIdentity(netip.MustParseAddr("10.1.23.1"))
	v, err := store.Verify(pki.Peer{Certs: [][]byte{cert.Raw}, Profiles: []string{"ca-lab"}, ID: &id})
	fmt.Println("accepted by profile", v.Profile, err)
	other := pki.AddrIdentity(netip.MustParseAddr("10.9.9.9"))
	_, err = store.Verify(pki.Peer{Certs: [][]byte{cert.Raw}, ID: &other})
	fmt.Println(pki.ReasonOf(err))
	// Output:
	// key pair: 256 bits
	// accepted by profile ca-lab <nil>
	// peer ID not in certificate
}
