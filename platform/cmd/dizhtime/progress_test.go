package main

import (
	"bytes"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Every progress line says how long since the start, whatever pieces it was written in.
func TestElapsedWriter_prefixesEveryLineWithTheTimeSinceTheStart(t *testing.T) {
	var out bytes.Buffer
	w := &elapsedWriter{w: &out, start: time.Now().Add(-12300 * time.Millisecond)}
	for _, piece := range []string{"[start] iden", "tity on :4001\n[ready] identity (1/8 subgraphs)\n", "\n", "[ready] router\n"} {
		if _, err := w.Write([]byte(piece)); err != nil {
			t.Fatal(err)
		}
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	want := []string{`^\+12\.\ds \[start\] identity on :4001$`, `^\+12\.\ds \[ready\] identity \(1/8 subgraphs\)$`, `^$`, `^\+12\.\ds \[ready\] router$`}
	if len(lines) != len(want) {
		t.Fatalf("got %q", out.String())
	}
	for i, re := range want {
		if !regexp.MustCompile(re).MatchString(lines[i]) {
			t.Errorf("line %d = %q, want %s", i, lines[i], re)
		}
	}
}

// make run's start time (DIZHTIME_RUN_T0) is where the clock starts, when it is sane.
func TestNewElapsedWriter_startsAtMakeRunsStart(t *testing.T) {
	t.Setenv("DIZHTIME_RUN_T0", "")
	if w := newElapsedWriter(&bytes.Buffer{}); time.Since(w.start) > time.Second {
		t.Fatalf("without DIZHTIME_RUN_T0 the clock starts %s ago", time.Since(w.start))
	}
	t0 := time.Now().Add(-90 * time.Second)
	t.Setenv("DIZHTIME_RUN_T0", strconv.FormatInt(t0.UnixNano(), 10))
	if w := newElapsedWriter(&bytes.Buffer{}); !w.start.Equal(time.Unix(0, t0.UnixNano())) {
		t.Fatalf("start = %s, want make run's %s", w.start, t0)
	}
}
