package routing_test

import (
	"net/netip"
	"os"
	"time"

	"mxlab/netns/netnstest"
	"mxlab/routing"
)

func Example() {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	r := routing.New(netnstest.New(), routing.WithClock(func() time.Time { return start }))
	p, err := r.Prepare(routing.Config{
		Interfaces: []routing.IfAddr{{Name: "ge-0/0/0.0", Prefix: netip.MustParsePrefix("10.0.12.1/24"), Up: true}},
		Static: []routing.StaticRoute{{Prefix: netip.MustParsePrefix("0.0.0.0/0"),
			NextHops: []routing.NextHop{{Addr: netip.MustParseAddr("10.0.12.2")}}}},
	})
	if err != nil {
		panic(err)
	}
	p.Apply()
	q := routing.Query{Dest: netip.MustParsePrefix("192.0.2.1/32"), IsAddr: true}
	routing.ShowRoute(os.Stdout, r.RIB(), q, start.Add(62*time.Second), nil)
	// Output:
	// inet.0: 3 destinations, 3 routes (3 active, 0 holddown, 0 hidden)
	// + = Active Route, - = Last Active, * = Both
	//
	// 0.0.0.0/0          *[Static/5] 00:01:02
	//                     >  to 10.0.12.2 via ge-0/0/0.0
}
