package core_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dizhtime/dizhtime/router/pkg/config"
)

// BenchmarkWebSocketSubscribers holds N (DIZHTIME_WS_BENCH_SUBSCRIBERS, default 2,000)
// real loopback WebSocket subscribers on one router, all on one stream of the reviews
// subgraph (one upstream: share_identical_upstream), once served a goroutine per
// connection and once from the event loop. It reports the router's memory (heap in use
// plus goroutine stacks) and goroutines per idle subscriber, then, per iteration, one
// event fanned out to every subscriber: the fan-out spread from the first subscriber
// getting the event to each of the others (p50/p99).
//
// The clients run in the benchmark's process without goroutines of their own while the
// memory is measured (gobwas/ws on plain connections, about 1 KiB each, counted in the
// figure); the readers started for the fan-out come after.
//
//	cd router && go test ./core -run '^$' -bench WebSocketSubscribers -benchtime 20x
func BenchmarkWebSocketSubscribers(b *testing.B) {
	n := 2000
	if v, err := strconv.Atoi(os.Getenv("DIZHTIME_WS_BENCH_SUBSCRIBERS")); err == nil && v > 0 {
		n = v
	}
	for _, mode := range []struct {
		name string
		loop bool
	}{{"goroutine_per_connection", false}, {"event_loop", true}} {
		b.Run(mode.name, func(b *testing.B) {
			benchSubscribers(b, n, mode.loop)
		})
	}
}

func benchSubscribers(b *testing.B, n int, loop bool) {
	if os.Getenv("DIZHTIME_WS_BENCH_HEAP") != "" {
		runtime.MemProfileRate = 512 // fine samples of what the subscribers hold
	}
	r := startRouter(b, "graphql-transport-ws", func(c *config.Config) {
		c.Connections.WebSocketEventLoop = loop
		c.Subscriptions.ShareIdenticalUpstream = true
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	var stack0, stack1 uint64
	memory := func() (uint64, int) {
		var ms runtime.MemStats
		for range 3 {
			runtime.GC()
		}
		time.Sleep(300 * time.Millisecond)
		runtime.GC()
		runtime.ReadMemStats(&ms)
		stack0, stack1 = stack1, ms.StackInuse
		return ms.HeapInuse + ms.StackInuse, runtime.NumGoroutine()
	}
	mem0, g0 := memory()

	clients := make([]*rawWS, n)
	defer func() {
		for _, c := range clients {
			if c != nil {
				_ = c.conn.Close()
			}
		}
	}()
	setup := time.Now()
	var wg sync.WaitGroup
	errs := make(chan error, n)
	sem := make(chan struct{}, 50)
	for i := range n {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			c, err := dialRawWS(ctx, r.URL, 0)
			if err == nil {
				err = c.send(map[string]any{"id": "1", "type": "subscribe", "payload": map[string]any{
					"query": fastEventsQuery, "variables": map[string]any{"n": 2, "ms": 3_600_000},
				}})
			}
			if err != nil {
				errs <- fmt.Errorf("client %d: %w", i, err)
				return
			}
			clients[i] = c
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
	waitSubscriptions := func(k int) {
		want := fmt.Sprintf(`router_active_subscriptions{transport="graphql-transport-ws"} %d`, k)
		for {
			if _, metrics, _ := getQuietly(r.Base + "/metrics"); strings.Contains(metrics, want) {
				return
			}
			if ctx.Err() != nil {
				b.Fatalf("not all %d subscriptions started", k)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	waitSubscriptions(n)
	setupTook := time.Since(setup)
	mem1, g1 := memory()
	perSub := float64(int64(mem1)-int64(mem0)) / float64(n)
	goroutines := float64(g1-g0) / float64(n)
	b.Logf("%d idle subscribers (event loop %v) set up in %s: %.0f bytes (%.0f of them goroutine stacks) and %.2f goroutines each",
		n, loop, setupTook.Round(time.Millisecond), perSub, float64(int64(stack1)-int64(stack0))/float64(n), goroutines)
	// DIZHTIME_WS_BENCH_HEAP=<file>: the heap with the idle subscribers, for
	// `go tool pprof -sample_index=inuse_space` (what each subscriber holds, by site).
	if path := os.Getenv("DIZHTIME_WS_BENCH_HEAP"); path != "" {
		if f, err := os.Create(fmt.Sprintf("%s.%v", path, loop)); err == nil {
			_ = pprof.Lookup("heap").WriteTo(f, 0)
			_ = f.Close()
		}
	}

	// Fan-out: every client reads from here on, and subscribes to a second stream, one
	// event every 250 ms (the first subscription is idle: its one event went out at once).
	type receipt struct {
		event int
		at    time.Time
	}
	receipts := make(chan receipt, 4*n)
	for _, c := range clients {
		go func() {
			for {
				m, err := c.read()
				if err != nil {
					return
				}
				if m.ID != "2" {
					continue
				}
				var p struct {
					Data struct {
						ReviewAdded struct{ Body string } `json:"reviewAdded"`
					} `json:"data"`
				}
				if json.Unmarshal(m.Payload, &p) != nil {
					continue
				}
				var k int
				if _, err := fmt.Sscanf(p.Data.ReviewAdded.Body, "event %d", &k); err == nil {
					receipts <- receipt{k, time.Now()}
				}
			}
		}()
	}
	for i, c := range clients {
		if err := c.send(map[string]any{"id": "2", "type": "subscribe", "payload": map[string]any{
			"query": fastEventsQuery, "variables": map[string]any{"n": 1_000_000, "ms": 250},
		}}); err != nil {
			b.Fatalf("client %d: %v", i, err)
		}
	}
	waitSubscriptions(2 * n)
	first := map[int]time.Time{}
	count := map[int]int{}
	var spreads []time.Duration
	complete := 0 // events every client got
	start := -1
	next := func() {
		for {
			select {
			case rc := <-receipts:
				if start < 0 {
					start = rc.event + 1 // the first event seen may have gone out before all joined
				}
				if rc.event < start {
					continue
				}
				if _, ok := first[rc.event]; !ok {
					first[rc.event] = rc.at
				}
				spreads = append(spreads, rc.at.Sub(first[rc.event]))
				count[rc.event]++
				if count[rc.event] == n {
					complete++
					return
				}
			case <-ctx.Done():
				b.Fatalf("an event did not reach all %d subscribers", n)
			}
		}
	}
	b.ResetTimer()
	for b.Loop() {
		next()
	}
	b.StopTimer()
	b.ReportMetric(perSub, "bytes/subscriber")
	b.ReportMetric(goroutines, "goroutines/subscriber")
	b.ReportMetric(float64(int64(stack1)-int64(stack0))/float64(n), "stack-bytes/subscriber")
	b.ReportMetric(percentileMs(spreads, 0.5), "fanout-p50-ms")
	b.ReportMetric(percentileMs(spreads, 0.99), "fanout-p99-ms")
	b.ReportMetric(setupTook.Seconds(), "setup-s")
	b.Logf("%d subscribers (event loop %v): %.0f bytes and %.2f goroutines each; %d events fanned out, spread p50 %.1f ms p99 %.1f ms",
		n, loop, perSub, goroutines, complete, percentileMs(spreads, 0.5), percentileMs(spreads, 0.99))
}
