// Command rawsend POSTs one message with net/http to the base URL given as
// its argument: the baseline of the cold-start benchmark.
package main

import (
	"fmt"
	"os"

	"github.com/whispir-go/whispir/internal/benchprog"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: rawsend BASE_URL")
		os.Exit(2)
	}
	if err := benchprog.RawPost(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
