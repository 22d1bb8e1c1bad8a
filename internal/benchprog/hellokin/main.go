// Command hellokin prints a greeting from a binary that links
// kin-openapi's openapi3 package: the start-up that every program
// validating with kin-openapi pays before its main runs.
package main

import (
	"fmt"

	_ "github.com/getkin/kin-openapi/openapi3" // its init, and its dependencies'
)

func main() { fmt.Println("hello, world") }
