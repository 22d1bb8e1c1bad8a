package main

import (
	"testing"

	"github.com/whispir-go/whispir/internal/benchutil"
)

// BenchmarkCLIStart starts the whispir command (built as go build builds
// it) for commands that need neither the network nor the spec's document,
// against a hello-world (internal/benchprog); sec/op is from start to exit,
// cpu-ns/op the program's own CPU time. make bench compares them with
// benchstat -col /impl:
//
//   - impl=raw: hello, the baseline;
//   - impl=hello+openapi3: hello linking kin-openapi's openapi3 package,
//     whose dependencies' init every binary that validates with
//     kin-openapi pays before main, whatever the command;
//   - impl=help, impl=version, impl=regions, impl=completion: whispir
//     --help, --version, regions and completion bash.
func BenchmarkCLIStart(b *testing.B) {
	hello := benchutil.Build(b, "./internal/benchprog/hello")
	hellokin := benchutil.Build(b, "./internal/benchprog/hellokin")
	whispir := benchutil.Build(b, "./cmd/whispir")
	for _, v := range []struct {
		impl string
		bin  string
		args []string
	}{
		{"raw", hello, nil},
		{"hello+openapi3", hellokin, nil},
		{"help", whispir, []string{"--help"}},
		{"version", whispir, []string{"--version"}},
		{"regions", whispir, []string{"regions"}},
		{"completion", whispir, []string{"completion", "bash"}},
	} {
		b.Run("impl="+v.impl, func(b *testing.B) {
			benchutil.Start(b, v.bin, v.args...)
		})
	}
}
