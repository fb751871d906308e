package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/dizhtime/dizhtime/platform/city"
)

// The placeOrder probe measures what a front end sees while the subscribers run. By default
// it runs in a process of its own (this binary again, with probeChildArg): in this process
// the call would wait behind the tool's own goroutines reading every subscriber's socket,
// and its p99 would measure the load tool as much as the router. -probe-in-process keeps
// the old way for comparison.

// probeChildArg, as the first argument, makes this binary a probe: it reads a probeSpec as
// JSON from stdin, places orders and writes one line per call ("ok <nanoseconds>" or
// "err <message>").
const probeChildArg = "-probe-child"

// probeSpec is what a probe needs: the router, the customer's sign-in, what to order, and
// at what rate for how long. Keys are KeyPrefix + a counter, unique per probe run.
type probeSpec struct {
	Router, Email, Password string
	Restaurant, Dish        string
	Drop                    city.Point
	KeyPrefix               string
	Rate                    float64
	For                     time.Duration
}

// placeOrders places an order every 1/Rate for For, each on its own goroutine, and calls
// done with each call's latency or error once it returns.
func placeOrders(ctx context.Context, s *city.Session, spec probeSpec, done func(time.Duration, error)) {
	var wg sync.WaitGroup
	defer wg.Wait()
	t := time.NewTicker(time.Duration(float64(time.Second) / spec.Rate))
	defer t.Stop()
	end := time.After(spec.For)
	for i := 1; ; i++ {
		select {
		case <-ctx.Done():
			return
		case <-end:
			return
		case <-t.C:
		}
		key := spec.KeyPrefix + strconv.Itoa(i)
		wg.Go(func() {
			start := time.Now()
			_, err := s.PlaceOrder(ctx, spec.Restaurant, spec.Dish, 1, spec.Drop, key)
			done(time.Since(start), err)
		})
	}
}

// probeResult gathers a probe's calls.
type probeResult struct {
	mu       sync.Mutex
	lat      latencies
	errs     int
	firstErr string
}

func (p *probeResult) add(d time.Duration, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if err != nil {
		p.errs++
		if p.firstErr == "" {
			p.firstErr = err.Error()
		}
		return
	}
	p.lat = append(p.lat, d)
}

// runProbeChild is the probe process's main: spec on stdin, one line per call on stdout.
func runProbeChild(ctx context.Context, stdin io.Reader, stdout io.Writer) error {
	var spec probeSpec
	if err := json.NewDecoder(stdin).Decode(&spec); err != nil {
		return fmt.Errorf("probe: read its spec: %w", err)
	}
	if spec.Rate <= 0 || spec.For <= 0 {
		return fmt.Errorf("probe: rate %v and duration %s must be positive", spec.Rate, spec.For)
	}
	s, err := city.NewClient(spec.Router).Login(ctx, spec.Email, spec.Password)
	if err != nil {
		return fmt.Errorf("probe: sign in as %s: %w", spec.Email, err)
	}
	var mu sync.Mutex
	w := bufio.NewWriter(stdout)
	placeOrders(ctx, s, spec, func(d time.Duration, err error) {
		mu.Lock()
		defer mu.Unlock()
		if err != nil {
			fmt.Fprintf(w, "err %s\n", strings.ReplaceAll(err.Error(), "\n", " "))
			return
		}
		fmt.Fprintf(w, "ok %d\n", d.Nanoseconds())
	})
	return w.Flush()
}

// probeInChild runs spec in a probe process and reads its calls back.
func probeInChild(ctx context.Context, spec probeSpec) (*probeResult, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("probe: this binary: %w", err)
	}
	in, err := json.Marshal(spec)
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, self, probeChildArg)
	cmd.Stdin = bytes.NewReader(in)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("probe process: %w", err)
	}
	return parseProbeOutput(out)
}

// parseProbeOutput reads a probe process's lines.
func parseProbeOutput(out []byte) (*probeResult, error) {
	var res probeResult
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		kind, rest, _ := strings.Cut(line, " ")
		switch kind {
		case "ok":
			ns, err := strconv.ParseInt(rest, 10, 64)
			if err != nil {
				return nil, fmt.Errorf("probe process: bad line %q", line)
			}
			res.add(time.Duration(ns), nil)
		case "err":
			res.add(0, fmt.Errorf("%s", rest))
		case "":
		default:
			return nil, fmt.Errorf("probe process: bad line %q", line)
		}
	}
	return &res, nil
}
