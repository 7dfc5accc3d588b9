package config_test

import (
	"context"
	"fmt"

	"mxlab/config"
)

// A session sets two statements and commits them; the active
// configuration renders the Junos way.
func Example() {
	db, err := config.Open(config.Options{})
	if err != nil {
		panic(err)
	}
	defer db.Close()
	s, _, _, err := db.Begin(config.Who{User: "lab"}, config.Shared)
	if err != nil {
		panic(err)
	}
	defer s.Close()
	for _, line := range []string{
		"set system host-name r1",
		"set interfaces ge-1/0/0 unit 0 family inet address 10.0.0.1/24",
	} {
		w, _ := config.SplitWords(line)
		if err := s.Set(w[1:]); err != nil {
			fmt.Println(err)
		}
	}
	if _, err := s.Commit(context.Background(), config.CommitOptions{}); err != nil {
		fmt.Println(err)
	}
	fmt.Print(db.Active().Text())
	// Output:
	// system {
	//     host-name r1;
	// }
	// interfaces {
	//     ge-1/0/0 {
	//         unit 0 {
	//             family inet {
	//                 address 10.0.0.1/24;
	//             }
	//         }
	//     }
	// }
}
