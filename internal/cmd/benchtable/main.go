// Command benchtable turns the CSV that benchstat prints (benchstat
// -format csv -col /impl) into the one table make bench shows: a line per
// benchmark and variant with time, CPU time and allocations per operation
// (benchstat's medians, with their confidence intervals) and the ratios of
// time and CPU to the benchmark's base, impl=raw where it has one, else
// its first variant.
//
// Usage:
//
//	go tool benchstat -format csv -col /impl bench.txt | go run ./internal/cmd/benchtable -runs bench.txt
//
// -runs names the go test output benchstat read, made of rounds in which
// each benchmark's variants ran one after the other (make bench runs go
// test -count 1 several times). With it, the variants come in their
// sub-benchmarks' order (benchstat orders the columns of a package by
// first appearance), and a ratio is the median over rounds of the ratio
// within each round, so that a change in the machine's load between
// rounds cancels out; without it, a ratio is one of benchstat's medians.
//
// The table is Markdown, so that it can be pasted into the README. For the
// benchmarks that start programs (those reporting p50-ns/op, see
// internal/benchutil.Start) the time is the median run, and allocations
// are not shown: they are the benchmark's, not the program's.
package main

import (
	"bufio"
	"cmp"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

func main() {
	runsFile := flag.String("runs", "", "the go test output benchstat read: orders the variants and pairs their runs")
	flag.Parse()
	if err := run(os.Stdin, os.Stdout, *runsFile); err != nil {
		fmt.Fprintln(os.Stderr, "benchtable:", err)
		os.Exit(1)
	}
}

func run(in io.Reader, out io.Writer, runsFile string) error {
	rows, err := parse(in)
	if err != nil {
		return err
	}
	if len(rows) == 0 {
		return errors.New("no benchmarks in the input")
	}
	var rs *runs
	if runsFile != "" {
		f, err := os.Open(runsFile)
		if err != nil {
			return err
		}
		defer f.Close()
		if rs, err = readRuns(f); err != nil {
			return err
		}
		rs.reorder(rows)
	}
	return write(out, rows, rs)
}

// benchLine is a result line of go test: its name's benchmark (without
// the impl key and the -N suffix) and variant.
var benchLine = regexp.MustCompile(`^Benchmark(\S*?)/impl=([^/\s]+?)(/\S*?)?(-\d+)?\s`)

// runs are the results of go test output, by benchmark row and variant.
type runs struct {
	first   map[string]int                  // key -> its first line
	results map[string][]map[string]float64 // key -> one result per round: unit -> value
}

func runKey(row, impl string) string { return row + "\x00" + impl }

func readRuns(goTest io.Reader) (*runs, error) {
	rs := &runs{first: map[string]int{}, results: map[string][]map[string]float64{}}
	sc := bufio.NewScanner(goTest)
	for n := 0; sc.Scan(); n++ {
		line := sc.Text()
		m := benchLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		key := runKey(m[1]+m[3], m[2])
		if _, seen := rs.first[key]; !seen {
			rs.first[key] = n
		}
		fields := strings.Fields(line)
		metrics := map[string]float64{}
		for i := 2; i+1 < len(fields); i += 2 { // name, iterations, then value unit pairs
			v, err := strconv.ParseFloat(fields[i], 64)
			if err != nil {
				return nil, fmt.Errorf("line %d: %q is not a number", n+1, fields[i])
			}
			metrics[fields[i+1]] = v
		}
		rs.results[key] = append(rs.results[key], metrics)
	}
	return rs, sc.Err()
}

// reorder sorts each row's variants by their first result line.
func (rs *runs) reorder(rows []*row) {
	for _, r := range rows {
		slices.SortStableFunc(r.cells, func(a, b *cell) int {
			ra, okA := rs.first[runKey(r.name, a.impl)]
			rb, okB := rs.first[runKey(r.name, b.impl)]
			if !okA || !okB {
				return 0
			}
			return cmp.Compare(ra, rb)
		})
	}
}

// ratio is the median over rounds of c's unit over base's in the same
// round: the k-th result of each. ok is false without such pairs.
func (rs *runs) ratio(row string, c, base *cell, unit string) (float64, bool) {
	if rs == nil {
		return 0, false
	}
	cs, bs := rs.results[runKey(row, c.impl)], rs.results[runKey(row, base.impl)]
	var ratios []float64
	for k := range min(len(cs), len(bs)) {
		v, ok1 := cs[k][unit]
		b, ok2 := bs[k][unit]
		if ok1 && ok2 && b > 0 {
			ratios = append(ratios, v/b)
		}
	}
	if len(ratios) == 0 {
		return 0, false
	}
	slices.Sort(ratios)
	if n := len(ratios); n%2 == 0 {
		return (ratios[n/2-1] + ratios[n/2]) / 2, true
	}
	return ratios[len(ratios)/2], true
}

// cell is one benchmark and variant: a median and its confidence interval
// per unit.
type cell struct {
	impl   string
	values map[string]float64 // unit -> median
	ci     map[string]string  // unit -> e.g. "3%" or "∞"
}

// row is one benchmark with its variants in the order benchstat gives.
type row struct {
	name  string
	cells []*cell
}

func (r *row) cell(impl string) *cell {
	for _, c := range r.cells {
		if c.impl == impl {
			return c
		}
	}
	c := &cell{impl: impl, values: map[string]float64{}, ci: map[string]string{}}
	r.cells = append(r.cells, c)
	return c
}

// parse reads benchstat's CSV: for each table, a line of column groups
// (the variants), a line of units, then a line per benchmark.
func parse(in io.Reader) ([]*row, error) {
	rd := csv.NewReader(in)
	rd.FieldsPerRecord = -1
	rd.LazyQuotes = true
	var (
		rows   []*row
		byName = map[string]*row{}
		groups []string // the variant of each column of the current table
		units  []string // the unit of each column ("CI", "vs base" and "P" included)
		header int      // header lines read since the last data line
	)
	for {
		rec, err := rd.Read()
		if err == io.EOF {
			return rows, nil
		}
		if err != nil {
			return nil, err
		}
		switch {
		case len(rec) < 2: // "goos: linux", "pkg: ..."
			header = 0
			continue
		case rec[0] == "":
			if header%2 == 0 {
				groups = fill(rec)
			} else {
				units = rec
			}
			header++
			continue
		case rec[0] == "geomean" || units == nil:
			continue
		}
		header = 0
		name := gomaxprocs.ReplaceAllString(rec[0], "")
		r := byName[name]
		if r == nil {
			r = &row{name: name}
			byName[name] = r
			rows = append(rows, r)
		}
		for i := 1; i < len(rec) && i < len(units) && i < len(groups); i++ {
			unit := units[i]
			if unit == "CI" || unit == "vs base" || unit == "P" || rec[i] == "" {
				continue
			}
			v, err := strconv.ParseFloat(rec[i], 64)
			if err != nil {
				return nil, fmt.Errorf("%s %s %s: %q is not a number", name, groups[i], unit, rec[i])
			}
			c := r.cell(groups[i])
			c.values[unit] = v
			if i+1 < len(units) && units[i+1] == "CI" && i+1 < len(rec) {
				c.ci[unit] = rec[i+1]
			}
		}
	}
}

// gomaxprocs is the -N suffix go test gives benchmark names.
var gomaxprocs = regexp.MustCompile(`-\d+$`)

// fill gives each column the variant named at or before it.
func fill(rec []string) []string {
	out := make([]string, len(rec))
	last := ""
	for i, v := range rec {
		if v != "" {
			last = v
		}
		out[i] = last
	}
	return out
}

func write(w io.Writer, rows []*row, rs *runs) error {
	var b strings.Builder
	b.WriteString("| benchmark | variant | time/op | CPU/op | allocs/op | vs | time ratio | CPU ratio |\n")
	b.WriteString("|---|---|--:|--:|--:|---|--:|--:|\n")
	for _, r := range rows {
		base := r.cells[0]
		for _, c := range r.cells {
			if c.impl == "raw" {
				base = c
			}
		}
		for _, c := range r.cells {
			timeUnit, goTimeUnit := "sec/op", "ns/op"
			start := has(c, "p50-sec/op")
			if start {
				timeUnit, goTimeUnit = "p50-sec/op", "p50-ns/op"
			}
			allocs := "–"
			if v, ok := c.values["allocs/op"]; ok && !start {
				allocs = strconv.FormatFloat(v, 'f', -1, 64)
			}
			vs, tr, cr := base.impl, "", ""
			if c == base {
				vs = ""
			} else {
				tr = ratio(rs, r.name, c, base, timeUnit, goTimeUnit)
				cr = ratio(rs, r.name, c, base, "cpu-sec/op", "cpu-ns/op")
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s | %s |\n",
				r.name, c.impl, duration(c, timeUnit), duration(c, "cpu-sec/op"), allocs, vs, tr, cr)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func has(c *cell, unit string) bool {
	_, ok := c.values[unit]
	return ok
}

// duration prints a median in seconds with its confidence interval.
func duration(c *cell, unit string) string {
	v, ok := c.values[unit]
	if !ok {
		return "–"
	}
	var s string
	switch {
	case v >= 1:
		s = strconv.FormatFloat(v, 'f', 2, 64) + " s"
	case v >= 1e-3:
		s = strconv.FormatFloat(v*1e3, 'f', 2, 64) + " ms"
	case v >= 1e-6:
		s = strconv.FormatFloat(v*1e6, 'f', 2, 64) + " µs"
	default:
		s = strconv.FormatFloat(v*1e9, 'f', 1, 64) + " ns"
	}
	if ci := c.ci[unit]; ci != "" {
		s += " ±" + ci
	}
	return s
}

// ratio prints c's ratio to base: paired by round when rs has the runs
// (in goUnit, go test's name for the unit), else of benchstat's medians.
func ratio(rs *runs, row string, c, base *cell, unit, goUnit string) string {
	if v, ok := rs.ratio(row, c, base, goUnit); ok {
		return strconv.FormatFloat(v, 'f', 2, 64) + "×"
	}
	v, ok1 := c.values[unit]
	b, ok2 := base.values[unit]
	if !ok1 || !ok2 || b == 0 {
		return "–"
	}
	return strconv.FormatFloat(v/b, 'f', 2, 64) + "×"
}
