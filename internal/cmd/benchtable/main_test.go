package main

import (
	"strings"
	"testing"
)

// statCSV is benchstat -format csv -col /impl output for two packages: a
// benchmark with a raw variant, one without (its first variant is the
// base), and one that starts programs (p50-sec/op).
const statCSV = `goos: linux
pkg: github.com/whispir-go/whispir/api
,raw,,whispir,,,,tuned,,,,raw+openapi3,,,
,sec/op,CI,sec/op,CI,vs base,P,sec/op,CI,vs base,P,sec/op,CI,vs base,P
SendMessage-2,0.0001,3%,0.00012,2%,+20.00%,p=0.002 n=6,,,,,,,,
SendMessageParallel-2,,,0.00005,1%,,,0.00004,4%,,,,,,
ColdStart-2,0.030,5%,0.045,6%,+50.00%,p=0.002 n=6,,,,,0.040,7%,,
geomean,0.0001,,0.00012,,+20.00%,,,,,,,,,

,raw,,whispir,,,,tuned,,,,raw+openapi3,,,
,cpu-sec/op,CI,cpu-sec/op,CI,vs base,P,cpu-sec/op,CI,vs base,P,cpu-sec/op,CI,vs base,P
SendMessage-2,0.00008,1%,0.0001,1%,+25.00%,p=0.002 n=6,,,,,,,,
SendMessageParallel-2,,,0.00006,1%,,,0.00006,1%,,,,,,
ColdStart-2,0.020,2%,0.030,3%,+50.00%,p=0.002 n=6,,,,,0.028,2%,,

,raw,,whispir,,,,tuned,,,,raw+openapi3,,,
,p50-sec/op,CI,p50-sec/op,CI,vs base,P,p50-sec/op,CI,vs base,P,p50-sec/op,CI,vs base,P
ColdStart-2,0.025,5%,0.040,6%,+60.00%,p=0.002 n=6,,,,,0.035,7%,,

,raw,,whispir,,,,tuned,,,,raw+openapi3,,,
,allocs/op,CI,allocs/op,CI,vs base,P,allocs/op,CI,vs base,P,allocs/op,CI,vs base,P
SendMessage-2,100,0%,120,0%,+20.00%,p=0.002 n=6,,,,,,,,
SendMessageParallel-2,,,150,0%,,,150,0%,,,,,,
ColdStart-2,80,0%,80,0%,~,p=1.000 n=6,,,,,80,0%,,
`

// goTest is go test output in two rounds: the order of the variants, and
// runs whose ratios, paired by round, differ from the ratios of the
// medians (the second round ran on a busier machine).
const goTest = `BenchmarkSendMessageParallel/impl=tuned-2   	 100	 40000 ns/op	 60000 cpu-ns/op
BenchmarkSendMessageParallel/impl=whispir-2 	 100	 44000 ns/op	 60000 cpu-ns/op
BenchmarkSendMessageParallel/impl=tuned-2   	 100	 80000 ns/op	 90000 cpu-ns/op
BenchmarkSendMessageParallel/impl=whispir-2 	 100	 84000 ns/op	 99000 cpu-ns/op
BenchmarkColdStart/impl=raw-2               	  30	 30000000 ns/op	 20000000 cpu-ns/op	 25000000 p50-ns/op
BenchmarkColdStart/impl=raw+openapi3-2      	  30	 40000000 ns/op	 28000000 cpu-ns/op	 35000000 p50-ns/op
BenchmarkColdStart/impl=whispir-2           	  30	 45000000 ns/op	 30000000 cpu-ns/op	 40000000 p50-ns/op
`

func TestTable(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		runs string
		want []string // lines of the table after its header
	}{
		{"without the runs: in benchstat's column order, ratios of medians", "", []string{
			"| SendMessage | raw | 100.00 µs ±3% | 80.00 µs ±1% | 100 |  |  |  |",
			"| SendMessage | whispir | 120.00 µs ±2% | 100.00 µs ±1% | 120 | raw | 1.20× | 1.25× |",
			"| SendMessageParallel | whispir | 50.00 µs ±1% | 60.00 µs ±1% | 150 |  |  |  |",
			"| SendMessageParallel | tuned | 40.00 µs ±4% | 60.00 µs ±1% | 150 | whispir | 0.80× | 1.00× |",
			"| ColdStart | raw | 25.00 ms ±5% | 20.00 ms ±2% | – |  |  |  |",
			"| ColdStart | whispir | 40.00 ms ±6% | 30.00 ms ±3% | – | raw | 1.60× | 1.50× |",
			"| ColdStart | raw+openapi3 | 35.00 ms ±7% | 28.00 ms ±2% | – | raw | 1.40× | 1.40× |",
		}},
		{"with the runs: in the sub-benchmarks' order, ratios paired by round", goTest, []string{
			"| SendMessage | raw | 100.00 µs ±3% | 80.00 µs ±1% | 100 |  |  |  |",
			"| SendMessage | whispir | 120.00 µs ±2% | 100.00 µs ±1% | 120 | raw | 1.20× | 1.25× |",
			"| SendMessageParallel | tuned | 40.00 µs ±4% | 60.00 µs ±1% | 150 |  |  |  |",
			"| SendMessageParallel | whispir | 50.00 µs ±1% | 60.00 µs ±1% | 150 | tuned | 1.08× | 1.05× |",
			"| ColdStart | raw | 25.00 ms ±5% | 20.00 ms ±2% | – |  |  |  |",
			"| ColdStart | raw+openapi3 | 35.00 ms ±7% | 28.00 ms ±2% | – | raw | 1.40× | 1.40× |",
			"| ColdStart | whispir | 40.00 ms ±6% | 30.00 ms ±3% | – | raw | 1.60× | 1.50× |",
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rows, err := parse(strings.NewReader(statCSV))
			if err != nil {
				t.Fatal(err)
			}
			var rs *runs
			if tc.runs != "" {
				if rs, err = readRuns(strings.NewReader(tc.runs)); err != nil {
					t.Fatal(err)
				}
				rs.reorder(rows)
			}
			var out strings.Builder
			if err := write(&out, rows, rs); err != nil {
				t.Fatal(err)
			}
			got := strings.Split(strings.TrimSpace(out.String()), "\n")[2:]
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}

func TestNoBenchmarksIsAnError(t *testing.T) {
	t.Parallel()
	if err := run(strings.NewReader("goos: linux\n"), new(strings.Builder), ""); err == nil {
		t.Error("got nil; want an error for input without benchmarks")
	}
}
