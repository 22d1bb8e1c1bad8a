// Command rawsend POSTs one message with net/http to the base URL given as
// its argument: the baseline of the cold-start benchmark.
package main

import "github.com/whispir-go/whispir/internal/benchprog"

func main() { benchprog.Main("rawsend", benchprog.RawPost) }
