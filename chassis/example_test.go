package chassis_test

import (
	"context"
	"fmt"

	"mxlab/chassis"
)

func Example() {
	layout, err := chassis.ParseLayout([]byte(`
model: mx960
fpcs:
  0: {type: mpc, pics: {0: 10x1ge}}
  4: {type: ms-mpc}
`))
	if err != nil {
		panic(err)
	}
	c, err := chassis.New("r1", layout)
	if err != nil {
		panic(err)
	}
	if err := c.Start(context.Background()); err != nil {
		panic(err)
	}
	defer c.Stop()
	st, _ := c.Interface("ms-4/0/0")
	fmt.Println(st.Name, st.Present, st.LinkUp)
	// Output: ms-4/0/0 true true
}
