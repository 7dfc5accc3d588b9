package replay_test

import (
	"fmt"

	"mxlab/services/ipsec/replay"
)

func Example() {
	var f replay.Filter
	if err := f.Reset(64); err != nil {
		panic(err)
	}
	for _, seq := range []uint64{1, 3, 2, 3, 100, 36, 37} {
		// Check before the ICV is verified, Update after.
		fmt.Println(seq, f.Check(seq) && f.Update(seq))
	}
	// Output:
	// 1 true
	// 3 true
	// 2 true
	// 3 false
	// 100 true
	// 36 false
	// 37 true
}
