package main

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// The README keeps the last figures between these markers, one table row per dedup mode and
// level, so every run prints how far it moved from them.
const (
	previousStart = "<!-- bench:last -->"
	previousEnd   = "<!-- /bench:last -->"
)

// previousFigures are the README's last figures for one dedup mode and level.
type previousFigures struct {
	RPS   float64
	CPUMs float64
	RSS   string
}

// previousTable is what the README says was measured last: its caption (commit, date, load)
// and its rows keyed by mode and level.
type previousTable struct {
	Caption string
	Rows    map[string]previousFigures
}

func previousKey(mode string, clients int) string { return fmt.Sprintf("%s/%d", mode, clients) }

// readPrevious reads the marked table of path: a caption line, then rows of
// `| dedup | clients | req/s | p50 | p99 | failed/differing | CPU-ms/req | max RSS |`.
// A README without the markers is an error: the comparison is asked for by name.
func readPrevious(path string) (previousTable, error) {
	f, err := os.Open(path)
	if err != nil {
		return previousTable{}, err
	}
	defer f.Close()
	t := previousTable{Rows: map[string]previousFigures{}}
	in, seen := false, false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == previousStart:
			in, seen = true, true
			continue
		case line == previousEnd:
			in = false
			continue
		case !in || line == "":
			continue
		}
		if !strings.HasPrefix(line, "|") {
			if t.Caption == "" {
				t.Caption = line
			}
			continue
		}
		cells := strings.Split(strings.Trim(line, "|"), "|")
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		if len(cells) < 8 {
			continue
		}
		clients, err := strconv.Atoi(cells[1])
		if err != nil {
			continue // the header and the separator
		}
		rps, err1 := strconv.ParseFloat(strings.ReplaceAll(cells[2], ",", ""), 64)
		cpu, err2 := strconv.ParseFloat(cells[6], 64)
		if err1 != nil || err2 != nil {
			return previousTable{}, fmt.Errorf("%s: row %q: req/s or CPU-ms/req is not a number", path, line)
		}
		t.Rows[previousKey(cells[0], clients)] = previousFigures{RPS: rps, CPUMs: cpu, RSS: cells[7]}
	}
	if err := sc.Err(); err != nil {
		return previousTable{}, err
	}
	if !seen {
		return previousTable{}, fmt.Errorf("%s: no %s table of the last figures", path, previousStart)
	}
	return t, nil
}

// compare says how a measured level moved from the README's figures for it ("" when the
// README has none for that mode and level).
func (t previousTable) compare(mode string, clients int, rps, cpuMs float64) string {
	p, ok := t.Rows[previousKey(mode, clients)]
	if !ok {
		return ""
	}
	s := fmt.Sprintf("vs README: req/s %.0f -> %.0f (%s)", p.RPS, rps, change(p.RPS, rps))
	if cpuMs > 0 {
		s += fmt.Sprintf(", CPU-ms/req %.3f -> %.3f (%s)", p.CPUMs, cpuMs, change(p.CPUMs, cpuMs))
	}
	return s + ", max RSS then " + p.RSS
}

func change(before, after float64) string {
	if before == 0 {
		return "n/a"
	}
	return fmt.Sprintf("%+.0f%%", (after-before)*100/before)
}
