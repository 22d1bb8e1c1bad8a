// Command rawsendkin is rawsend in a binary that links kin-openapi's
// openapi3 package: the least a cold start that validates with
// kin-openapi can cost.
package main

import (
	"fmt"
	"os"

	_ "github.com/getkin/kin-openapi/openapi3" // its init, and its dependencies'

	"github.com/whispir-go/whispir/internal/benchprog"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: rawsendkin BASE_URL")
		os.Exit(2)
	}
	if err := benchprog.RawPost(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
