// Command hello prints a greeting: the baseline of the start-up
// benchmarks of the whispir command.
package main

import "fmt"

func main() { fmt.Println("hello, world") }
