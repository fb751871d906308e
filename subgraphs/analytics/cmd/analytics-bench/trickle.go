package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/dizhtime/dizhtime/events"
	"github.com/dizhtime/dizhtime/subgraphs/analytics/adapters"
)

var (
	trickleRate              int
	trickleSpan, trickleWait time.Duration
)

// trickle measures the embedded DuckDB store's ingestion as the live consumer drives it
// in the laptop run: orders placed at -trickle-rate a second, each order's events (about
// a dozen over the next hour) arriving as they happen, written in batches of the events of
// -trickle-wait (the consumer's BatchWait) — a dozen events a batch at 5 orders/s. For each
// size of the day (orders it holds already, written before in backlog-sized batches,
// untimed) it prints the process's CPU time (getrusage: Go and DuckDB's threads) per
// placed order and per batch over -trickle-span of such traffic.
//
// With -cpuprofile P, the measured batches of each row are profiled into P.<orders>.
//
// The day is a fixed synthetic UTC day (not today), so a run does not depend on the clock.
func trickle(ctx context.Context, sizes, profile string, o options) error {
	var days []int
	for _, f := range strings.Split(sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil {
			return fmt.Errorf("-trickle: %w", err)
		}
		days = append(days, n)
	}
	fmt.Printf("analytics-bench -trickle: DuckDB (threads %d, 0: default), %d orders/s, batches of %s of events, %s measured per row; load %s\n",
		duckdbThreads, trickleRate, trickleWait, trickleSpan, loadavg())
	fmt.Printf("%-14s | %-8s | %-8s | %-16s | %-16s | %-12s | %s\n", "day holds", "batches", "events", "CPU-ms per order", "CPU-ms per batch", "wall per batch", "load (1m)")
	for _, n := range days {
		if err := trickleRow(ctx, n, profile, o); err != nil {
			return err
		}
	}
	return nil
}

func trickleRow(ctx context.Context, dayOrders int, profile string, o options) error {
	dir, err := os.MkdirTemp("", "analytics-trickle")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	store, err := adapters.OpenDuckDB(ctx, filepath.Join(dir, "trickle.duckdb"), adapters.WithDuckDBThreads(duckdbThreads))
	if err != nil {
		return err
	}
	defer store.Close()
	day := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	// The measured traffic starts at 20:00 of the day; the day's earlier orders are placed
	// before 19:00, the live orders from 19:00 (their events before 20:00 written untimed
	// with the day, so the measured batches hold every stage of an order's life).
	t0 := day.Add(20 * time.Hour)
	g := newGenerator(o)
	for i := range dayOrders {
		g.orderAt(day.Add(time.Duration(float64(19*time.Hour) * float64(i) / float64(max(dayOrders, 1)))))
	}
	every := time.Second / time.Duration(trickleRate)
	placed := 0
	for at := t0.Add(-time.Hour); at.Before(t0.Add(trickleSpan)); at = at.Add(every) {
		g.orderAt(at)
		if !at.Before(t0) {
			placed++
		}
	}
	all := g.pending
	slices.SortStableFunc(all, func(a, b events.Envelope) int { return a.Time.Compare(b.Time) })
	cut, _ := slices.BinarySearchFunc(all, t0, func(e events.Envelope, t time.Time) int { return e.Time.Compare(t) })
	var backlog [][]events.Envelope
	for k := 0; k < cut; k += o.batch {
		backlog = append(backlog, all[k:min(k+o.batch, cut)])
	}
	if _, err := ingest(ctx, store, backlog); err != nil {
		return err
	}
	// The live events up to t0 + span, in batches of trickleWait of event time.
	var live [][]events.Envelope
	end := t0.Add(trickleSpan)
	for k := cut; k < len(all) && all[k].Time.Before(end); {
		w := all[k].Time.Truncate(trickleWait).Add(trickleWait)
		j := k
		for j < len(all) && all[j].Time.Before(w) && all[j].Time.Before(end) {
			j++
		}
		live = append(live, all[k:j])
		k = j
	}
	nEvents := 0
	for _, b := range live {
		nEvents += len(b)
	}
	if profile != "" {
		f, err := os.Create(fmt.Sprintf("%s.%d", profile, dayOrders))
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
	}
	load := load1()
	steps0 := store.WriteSteps()
	cpu0, start := cpuTime(), time.Now()
	// One batch at a time, as the consumer writes them (no prefetch matters at this size).
	for _, b := range live {
		if _, err := ingest(ctx, store, [][]events.Envelope{b}); err != nil {
			return err
		}
	}
	cpu, took := cpuTime()-cpu0, time.Since(start)
	if profile != "" {
		pprof.StopCPUProfile()
	}
	// Where the batches' time went (wall-clock per batch, the store's write steps).
	var names []string
	steps := store.WriteSteps()
	for k := range steps {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		if d := steps[k] - steps0[k]; d > 0 {
			fmt.Fprintf(os.Stderr, "  %d orders: write step %-36s %8.3f ms per batch\n", dayOrders, k, float64(d.Microseconds())/1000/float64(max(len(live), 1)))
		}
	}
	fmt.Printf("%-14s | %-8d | %-8d | %-16.2f | %-16.2f | %-12s | %s .. %s\n", fmt.Sprintf("%d orders", dayOrders), len(live), nEvents,
		float64(cpu.Microseconds())/1000/float64(max(placed, 1)), float64(cpu.Microseconds())/1000/float64(max(len(live), 1)),
		(took / time.Duration(max(len(live), 1))).Round(10*time.Microsecond), load, load1())
	return nil
}
