package ikev2

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"testing"
)

// An identity shows as the logs print it; a DN as its string form.
func TestIDString(t *testing.T) {
	dn, err := asn1.Marshal(pkix.Name{CommonName: "r1", Organization: []string{"mxlab"}}.ToRDNSequence())
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		id   ID
		want string
	}{
		{ID{IDType: IDIPv4, Data: []byte{10, 0, 1, 1}}, "10.0.1.1"},
		{ID{IDType: IDFQDN, Data: []byte("r1.lab")}, "r1.lab"},
		{ID{IDType: IDDERASN1DN, Data: dn}, "O=mxlab, CN=r1"},
		{ID{IDType: IDDERASN1DN, Data: []byte{1, 2}}, "type 9: 0102"},
	} {
		if got := c.id.String(); got != c.want {
			t.Errorf("%v: %q, want %q", c.id.Data, got, c.want)
		}
	}
}
