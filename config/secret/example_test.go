package secret_test

import (
	"fmt"

	"mxlab/config/secret"
)

func Example() {
	plain, err := secret.Decode("$9$LbHX-wg4Z")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(plain)
	back, _ := secret.Decode(secret.Encode("ipsec-key"))
	fmt.Println(back)
	// Output:
	// lc
	// ipsec-key
}
