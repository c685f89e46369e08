// Command ratios summarises "go test -bench" output from the benchmarks in
// internal/bench: for every benchmark whose sub-benchmarks are named
// round=<r>/impl=<name>, it prints the median of each metric per
// implementation, and the ratios of the last implementation listed (the
// SDK, or the token cache) to each of the others. Time and CPU ratios are
// the median of the ratios within each round, which were measured seconds
// apart; only ratios from one run mean anything on a shared machine, so it
// reads the output of one run.
//
//	go run ./internal/bench/ratios < bench.txt
package main

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// result holds the samples of one benchmark and implementation.
type result struct {
	impl    string
	units   []string             // in first-seen order
	samples map[string][]float64 // unit → values
	rounds  []int                // round of each sample (0: none)
}

// group is one benchmark with its implementations, in first-seen order.
type group struct {
	name    string
	results []*result
}

var procSuffix = regexp.MustCompile(`-\d+$`)

func main() {
	groups, err := parse(os.Stdin)
	if err == nil {
		var out strings.Builder
		printMedians(&out, groups)
		printRatios(&out, groups)
		_, err = io.WriteString(os.Stdout, out.String())
	}
	if err != nil {
		_, _ = fmt.Fprintln(os.Stderr, "ratios:", err)
		os.Exit(1)
	}
}

// parse reads benchmark lines: "BenchmarkX/impl=sdk-2  100  12 ns/op  3 B/op …".
func parse(r io.Reader) ([]*group, error) {
	var groups []*group
	byName := map[string]*group{}
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") || len(f)%2 != 0 {
			continue
		}
		name, round := splitKey(procSuffix.ReplaceAllString(f[0], ""), "round")
		name, impl := splitKey(name, "impl")
		g := byName[name]
		if g == nil {
			g = &group{name: name}
			byName[name] = g
			groups = append(groups, g)
		}
		i := slices.IndexFunc(g.results, func(r *result) bool { return r.impl == impl })
		if i < 0 {
			g.results = append(g.results, &result{impl: impl, samples: map[string][]float64{}})
			i = len(g.results) - 1
		}
		res := g.results[i]
		n, _ := strconv.Atoi(round)
		res.rounds = append(res.rounds, n)
		for j := 2; j+1 < len(f); j += 2 {
			v, err := strconv.ParseFloat(f[j], 64)
			if err != nil {
				return nil, fmt.Errorf("%s: %q is not a number", f[0], f[j])
			}
			unit := f[j+1]
			if _, ok := res.samples[unit]; !ok {
				res.units = append(res.units, unit)
			}
			res.samples[unit] = append(res.samples[unit], v)
		}
	}
	return groups, sc.Err()
}

// splitKey takes the "key=…" element out of a benchmark name.
func splitKey(name, key string) (rest, value string) {
	parts := strings.Split(name, "/")
	for i, p := range parts {
		if v, ok := strings.CutPrefix(p, key+"="); ok {
			return strings.Join(slices.Delete(parts, i, i+1), "/"), v
		}
	}
	return name, ""
}

func median(v []float64) float64 {
	s := slices.Sorted(slices.Values(v))
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// ratio returns the median over rounds of subj's unit (ns/op, cpu-ns/op)
// divided by base's in the same round, or the ratio of their medians when
// the samples carry no rounds.
func ratio(subj, base *result, unit string) (float64, bool) {
	var ratios []float64
	for i, r := range subj.rounds {
		j := slices.Index(base.rounds, r)
		if r == 0 || j < 0 || i >= len(subj.samples[unit]) || j >= len(base.samples[unit]) {
			continue
		}
		if b := base.samples[unit][j]; b > 0 {
			ratios = append(ratios, subj.samples[unit][i]/b)
		}
	}
	if len(ratios) > 0 {
		return median(ratios), true
	}
	s, ok1 := subj.median(unit)
	b, ok2 := base.median(unit)
	if !ok1 || !ok2 || s <= 0 || b <= 0 {
		return 0, false
	}
	return s / b, true
}

func (r *result) median(unit string) (float64, bool) {
	v, ok := r.samples[unit]
	if !ok {
		return 0, false
	}
	return median(v), true
}

func printMedians(w *strings.Builder, groups []*group) {
	fmt.Fprintln(w, "Medians")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| benchmark | impl | n | metrics |")
	fmt.Fprintln(w, "|---|---|---|---|")
	for _, g := range groups {
		for _, r := range g.results {
			var ms []string
			for _, u := range r.units {
				m, _ := r.median(u)
				ms = append(ms, format(m)+" "+u)
			}
			n := len(r.samples[r.units[0]])
			fmt.Fprintf(w, "| %s | %s | %d | %s |\n", g.name, r.impl, n, strings.Join(ms, ", "))
		}
	}
	fmt.Fprintln(w)
}

func printRatios(w *strings.Builder, groups []*group) {
	fmt.Fprintln(w, "Ratios of the last implementation to each other one (same run; time and")
	fmt.Fprintln(w, "CPU: median of the ratios within each round)")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| benchmark | comparison | time ratio | throughput ratio | CPU ratio | allocs/op Δ | B/op Δ |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|")
	for _, g := range groups {
		if len(g.results) < 2 {
			continue
		}
		subj := g.results[len(g.results)-1]
		for _, base := range g.results[:len(g.results)-1] {
			row := []string{g.name, subj.impl + " vs " + base.impl}
			if t, ok := ratio(subj, base, "ns/op"); ok {
				row = append(row, format(t)+"×", format(1/t)+"×")
			} else {
				row = append(row, "", "")
			}
			if c, ok := ratio(subj, base, "cpu-ns/op"); ok {
				row = append(row, format(c)+"×")
			} else {
				row = append(row, "")
			}
			for _, unit := range []string{"allocs/op", "B/op"} {
				s, ok1 := subj.median(unit)
				b, ok2 := base.median(unit)
				if ok1 && ok2 {
					row = append(row, fmt.Sprintf("%+.0f", s-b))
				} else {
					row = append(row, "")
				}
			}
			fmt.Fprintf(w, "| %s |\n", strings.Join(row, " | "))
		}
	}
}

// format prints v with about three significant digits and no exponent.
func format(v float64) string {
	if v == 0 || math.Abs(v) >= 1000 {
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	prec := max(0, 2-int(math.Floor(math.Log10(math.Abs(v)))))
	return strconv.FormatFloat(v, 'f', prec, 64)
}
