package suite_test

import (
	"bytes"
	"fmt"

	"mxlab/services/ike/suite"
)

func Example() {
	g, _ := suite.ParseGroup("group14")
	initiator, _ := g.GenerateKey()
	responder, _ := g.GenerateKey()
	zi, _ := initiator.SharedSecret(responder.Public())
	zr, _ := responder.SharedSecret(initiator.Public())
	fmt.Println(g, len(initiator.Public()), bytes.Equal(zi, zr))

	e, _ := suite.ParseEncryption("aes-256-cbc")
	id, bits := e.TransformID()
	x, _ := e.ESP()
	fmt.Println(e, id, bits, x)

	h, _ := suite.ParseHash("sha-256")
	fmt.Println(h, h.PRFID(), h.Integrity(), h.Integrity().TransformID())
	// Output:
	// group14 256 true
	// aes-256-cbc 12 256 aes-256-cbc
	// sha-256 5 hmac-sha-256-128 12
}
