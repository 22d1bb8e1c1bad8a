// Command rawsendkin is rawsend in a binary that links kin-openapi's
// openapi3 package: the least a cold start that validates with
// kin-openapi can cost.
package main

import (
	_ "github.com/getkin/kin-openapi/openapi3" // its init, and its dependencies'

	"github.com/whispir-go/whispir/internal/benchprog"
)

func main() { benchprog.Main("rawsendkin", benchprog.RawPost) }
