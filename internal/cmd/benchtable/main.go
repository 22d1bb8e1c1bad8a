// Command benchtable turns the CSV that benchstat prints (benchstat
// -format csv -col /impl) into the one table make bench shows: a line per
// benchmark and variant with time, CPU time and allocations per operation
// (benchstat's medians) and the ratios of time and CPU to the benchmark's
// base, impl=raw where it has one, else its first variant.
//
// Usage:
//
//	go tool benchstat -format csv -col /impl bench.txt | go run ./internal/cmd/benchtable -order bench.txt
//
// benchstat orders the columns of a table (one per package) by first
// appearance in the package; -order names the go test output, whose
// sub-benchmarks give each benchmark's variants in their own order.
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
	order := flag.String("order", "", "go test output whose sub-benchmarks order the variants")
	flag.Parse()
	if err := run(os.Stdin, os.Stdout, *order); err != nil {
		fmt.Fprintln(os.Stderr, "benchtable:", err)
		os.Exit(1)
	}
}

func run(in io.Reader, out io.Writer, orderFile string) error {
	rows, err := parse(in)
	if err != nil {
		return err
	}
	if len(rows) == 0 {
		return errors.New("no benchmarks in the input")
	}
	if orderFile != "" {
		f, err := os.Open(orderFile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := reorder(rows, f); err != nil {
			return err
		}
	}
	return write(out, rows)
}

// benchLine is a result line of go test: its name's benchmark (without
// the impl key and the -N suffix) and variant.
var benchLine = regexp.MustCompile(`^Benchmark(\S*?)/impl=([^/\s]+?)(/\S*?)?(-\d+)?\s`)

// reorder sorts each row's variants by their first result line in the go
// test output.
func reorder(rows []*row, goTest io.Reader) error {
	rank := map[string]int{} // row name + "\x00" + impl -> first line
	sc := bufio.NewScanner(goTest)
	for n := 0; sc.Scan(); n++ {
		m := benchLine.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		key := m[1] + m[3] + "\x00" + m[2]
		if _, seen := rank[key]; !seen {
			rank[key] = n
		}
	}
	if err := sc.Err(); err != nil {
		return err
	}
	for _, r := range rows {
		slices.SortStableFunc(r.cells, func(a, b *cell) int {
			ra, okA := rank[r.name+"\x00"+a.impl]
			rb, okB := rank[r.name+"\x00"+b.impl]
			if !okA || !okB {
				return 0
			}
			return cmp.Compare(ra, rb)
		})
	}
	return nil
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

func write(w io.Writer, rows []*row) error {
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
			timeUnit := "sec/op"
			start := has(c, "p50-sec/op")
			if start {
				timeUnit = "p50-sec/op"
			}
			allocs := "–"
			if v, ok := c.values["allocs/op"]; ok && !start {
				allocs = strconv.FormatFloat(v, 'f', -1, 64)
			}
			vs, tr, cr := base.impl, ratio(c, base, timeUnit), ratio(c, base, "cpu-sec/op")
			if c == base {
				vs, tr, cr = "", "", ""
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

func ratio(c, base *cell, unit string) string {
	v, ok1 := c.values[unit]
	b, ok2 := base.values[unit]
	if !ok1 || !ok2 || b == 0 {
		return "–"
	}
	return strconv.FormatFloat(v/b, 'f', 2, 64) + "×"
}
