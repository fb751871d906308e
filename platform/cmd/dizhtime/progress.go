package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strconv"
	"sync"
	"time"
)

// elapsedWriter prefixes every line written to it with the time since start ("+12.3s "), so
// a start's progress says where its time goes. Lines may arrive in pieces; a piece without
// its newline waits for the rest.
type elapsedWriter struct {
	mu      sync.Mutex
	w       io.Writer
	start   time.Time
	partial []byte
}

// newElapsedWriter times from `make run`'s own start when run.sh says when that was
// (DIZHTIME_RUN_T0, Unix nanoseconds), from now otherwise.
func newElapsedWriter(w io.Writer) *elapsedWriter {
	start := time.Now()
	if ns, err := strconv.ParseInt(os.Getenv("DIZHTIME_RUN_T0"), 10, 64); err == nil && ns > 0 {
		if t := time.Unix(0, ns); t.Before(start) && start.Sub(t) < time.Hour {
			start = t
		}
	}
	return &elapsedWriter{w: w, start: start}
}

func (e *elapsedWriter) Write(p []byte) (int, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.partial = append(e.partial, p...)
	for {
		i := bytes.IndexByte(e.partial, '\n')
		if i < 0 {
			return len(p), nil
		}
		line := e.partial[:i+1]
		if len(bytes.TrimSpace(line)) > 0 {
			if _, err := fmt.Fprintf(e.w, "+%.1fs %s", time.Since(e.start).Seconds(), line); err != nil {
				return len(p), err
			}
		} else if _, err := e.w.Write(line); err != nil {
			return len(p), err
		}
		e.partial = e.partial[i+1:]
	}
}
