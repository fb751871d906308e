package core_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gobwas/ws/wsutil"

	"github.com/dizhtime/dizhtime/router/pkg/config"
)

// BenchmarkSubscriptionFanout_events: N (DIZHTIME_FANOUT_BENCH_SUBSCRIBERS, default
// 2,000) WebSocket subscribers of one caller on one share_latest subscription (the
// reviews subgraph's reviewAdded standing in for deliveryTracking, 2 events/s), served
// from the event loop, once with subscriptions.share_latest_fanout off (an engine
// subscription per client, the upstream shared by the engine's trigger) and once on
// (one engine subscription for all). Each iteration is one event reaching every
// subscriber.
//
// The clients run in a child process (this test binary again, see
// TestSubscriptionFanoutBenchClients), so the CPU this process spends is the router's
// (plus the one upstream stream of the in-process subgraph, the same in both modes):
// router-cpu-µs/event is that CPU over the events delivered (events × subscribers).
// bytes/subscriber is this process's heap and stacks with the subscribers idle, over N.
// fanout-p50/p99-ms is the spread from the first subscriber getting an event to each
// of the others; missed counts gaps in any subscriber's event sequence.
//
//	cd router && go test ./core -run '^$' -bench SubscriptionFanout_events -benchtime 20x
func BenchmarkSubscriptionFanout_events(b *testing.B) {
	n := 2000
	if v, err := strconv.Atoi(os.Getenv("DIZHTIME_FANOUT_BENCH_SUBSCRIBERS")); err == nil && v > 0 {
		n = v
	}
	for _, mode := range []struct {
		name string
		on   bool
	}{{"fanout_off", false}, {"fanout_on", true}} {
		b.Run(mode.name, func(b *testing.B) { benchFanout(b, n, mode.on) })
	}
}

const fanoutBenchQuery = `subscription { reviewAdded(upc: "tracking", count: 1000000, intervalMs: 500) { body } }`

func benchFanout(b *testing.B, n int, on bool) {
	r := startRouter(b, "graphql-transport-ws", func(c *config.Config) {
		c.Connections.WebSocketEventLoop = true
		c.Subscriptions.ShareIdenticalUpstream = true
		c.Subscriptions.ShareLatest = []string{"reviewAdded"}
		c.Subscriptions.ShareLatestFanout = on
	})
	memory := func() uint64 {
		var ms runtime.MemStats
		for range 3 {
			runtime.GC()
		}
		time.Sleep(300 * time.Millisecond)
		runtime.GC()
		runtime.ReadMemStats(&ms)
		return ms.HeapInuse + ms.StackInuse
	}
	mem0 := memory()
	// A query alongside (a placeOrder beside the broadcasts): its latency idle, then
	// while the events go out.
	idle := probeQueries(r.URL, 2*time.Second)

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run", "^TestSubscriptionFanoutBenchClients$", "-test.v")
	cmd.Env = append(os.Environ(), "DIZHTIME_FANOUT_CLIENTS_URL="+r.URL, fmt.Sprintf("DIZHTIME_FANOUT_CLIENTS=%d", n))
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	lines := bufio.NewScanner(stdout)
	next := func() string {
		for lines.Scan() {
			if l := lines.Text(); strings.HasPrefix(l, "fanout ") {
				return strings.TrimPrefix(l, "fanout ")
			}
		}
		b.Fatalf("the clients ended: %v", lines.Err())
		return ""
	}
	if l := next(); l != "subscribed" {
		b.Fatalf("clients: %s", l)
	}
	want := fmt.Sprintf(`router_active_subscriptions{transport="graphql-transport-ws"} %d`, n)
	for {
		if _, metrics, _ := getQuietly(r.Base + "/metrics"); strings.Contains(metrics, want) {
			break
		}
		if ctx.Err() != nil {
			b.Fatalf("not all %d subscriptions started", n)
		}
		time.Sleep(100 * time.Millisecond)
	}
	_, metrics, _ := getQuietly(r.Base + "/metrics")
	engineSubs := "?"
	for _, l := range strings.Split(metrics, "\n") {
		if strings.HasPrefix(l, "router_engine_subscriptions ") {
			engineSubs = strings.TrimPrefix(l, "router_engine_subscriptions ")
		}
	}
	perSub := float64(int64(memory())-int64(mem0)) / float64(n)

	next() // an event every subscriber got: the measured ones start after it
	cpu0 := processCPU()
	b.ResetTimer()
	probeStop := make(chan struct{})
	during := make(chan []time.Duration, 1)
	go func() { during <- probeQueriesUntil(r.URL, probeStop) }()
	events := 0
	for b.Loop() {
		next()
		events++
	}
	b.StopTimer()
	cpu := processCPU() - cpu0
	close(probeStop)
	busy := <-during
	_ = stdin.Close()
	var p50, p99 float64
	var missed int
	if _, err := fmt.Sscanf(next(), "spread %f %f missed %d", &p50, &p99, &missed); err != nil {
		b.Fatalf("clients' summary: %v", err)
	}
	perEvent := float64(cpu.Microseconds()) / float64(events*n)
	_, metrics, _ = getQuietly(r.Base + "/metrics")
	routerMean, routerP99 := fanoutHistogram(metrics)
	b.ReportMetric(perEvent, "router-cpu-µs/event")
	b.ReportMetric(perSub, "bytes/subscriber")
	b.ReportMetric(p50, "fanout-p50-ms")
	b.ReportMetric(p99, "fanout-p99-ms")
	b.ReportMetric(float64(missed), "missed")
	b.ReportMetric(percentileMs(idle, 0.99), "query-idle-p99-ms")
	b.ReportMetric(percentileMs(busy, 0.99), "query-during-p99-ms")
	if on {
		b.ReportMetric(routerMean, "router-fanout-mean-ms")
		b.ReportMetric(routerP99, "router-fanout-p99-ms")
	}
	b.Logf("%d subscribers, fan-out %v: %s engine subscriptions; %d events × %d subscribers: %.1f µs router CPU per delivered event, %.0f bytes per idle subscriber, spread at the clients p50 %.1f ms p99 %.1f ms, %d missed; router hands an event to every client in %.1f ms mean, p99 <= %.0f ms; a query alongside p50/p99 %.1f/%.1f ms idle (n=%d), %.1f/%.1f ms during the events (n=%d)",
		n, on, engineSubs, events, n, perEvent, perSub, p50, p99, missed, routerMean, routerP99,
		percentileMs(idle, 0.5), percentileMs(idle, 0.99), len(idle), percentileMs(busy, 0.5), percentileMs(busy, 0.99), len(busy))
}

// fanoutProbeQuery is the query timed beside the broadcasts (a federated fetch through
// the router, as a placeOrder is).
const fanoutProbeQuery = `{"query":"{ topProducts(first: 1) { name } }"}`

// probeQueries times fanoutProbeQuery every 10 ms for d.
func probeQueries(url string, d time.Duration) []time.Duration {
	stop := make(chan struct{})
	time.AfterFunc(d, func() { close(stop) })
	return probeQueriesUntil(url, stop)
}

// probeQueriesUntil times fanoutProbeQuery every 10 ms until stop closes.
func probeQueriesUntil(url string, stop <-chan struct{}) []time.Duration {
	var out []time.Duration
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-stop:
			return out
		case <-tick.C:
		}
		t0 := time.Now()
		resp, err := http.Post(url, "application/json", strings.NewReader(fanoutProbeQuery))
		if err != nil {
			continue
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			out = append(out, time.Since(t0))
		}
	}
}

// percentileMs is the p-th percentile of d in ms (0 when empty).
func percentileMs(d []time.Duration, p float64) float64 {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	return float64(s[int(p*float64(len(s)-1))].Microseconds()) / 1000
}

// fanoutHistogram reads router_subscription_fanout_seconds: the mean, and the upper bound
// of the bucket holding the 99th percentile, in ms.
func fanoutHistogram(metrics string) (mean, p99 float64) {
	var sum, count float64
	type bucket struct{ le, n float64 }
	var buckets []bucket
	for _, l := range strings.Split(metrics, "\n") {
		f := strings.Fields(l)
		if len(f) != 2 {
			continue
		}
		v, _ := strconv.ParseFloat(f[1], 64)
		switch {
		case f[0] == "router_subscription_fanout_seconds_sum":
			sum = v
		case f[0] == "router_subscription_fanout_seconds_count":
			count = v
		case strings.HasPrefix(f[0], `router_subscription_fanout_seconds_bucket{le="`):
			le, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimPrefix(f[0], `router_subscription_fanout_seconds_bucket{le="`), `"}`), 64)
			if err == nil {
				buckets = append(buckets, bucket{le, v})
			}
		}
	}
	if count == 0 {
		return 0, 0
	}
	p99 = -1
	for _, b := range buckets {
		if b.n >= 0.99*count {
			p99 = b.le * 1000
			break
		}
	}
	return sum / count * 1000, p99
}

// processCPU is this process's user and system CPU so far.
func processCPU() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// TestSubscriptionFanoutBenchClients is BenchmarkSubscriptionFanout_events' client
// process (it does nothing in a normal test run): DIZHTIME_FANOUT_CLIENTS subscribers of
// fanoutBenchQuery on DIZHTIME_FANOUT_CLIENTS_URL. It prints "fanout subscribed", then
// "fanout done K" for every event all of them got, and once stdin closes "fanout spread
// P50 P99 missed M" (ms from the first subscriber getting an event to each of the others).
func TestSubscriptionFanoutBenchClients(t *testing.T) {
	url := os.Getenv("DIZHTIME_FANOUT_CLIENTS_URL")
	n, _ := strconv.Atoi(os.Getenv("DIZHTIME_FANOUT_CLIENTS"))
	if url == "" || n <= 0 {
		return // only as the benchmark's child
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	clients := make([]*rawWS, n)
	var wg sync.WaitGroup
	sem := make(chan struct{}, 50)
	for i := range n {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			c, err := dialRawWS(ctx, url, 0)
			if err == nil {
				err = c.send(map[string]any{"id": "t" + strconv.Itoa(i), "type": "subscribe", "payload": map[string]any{"query": fanoutBenchQuery}})
			}
			if err != nil {
				t.Errorf("client %d: %v", i, err)
				return
			}
			clients[i] = c
		})
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	fmt.Println("fanout subscribed")

	var (
		mu      sync.Mutex
		first   = map[int]time.Time{}
		count   = map[int]int{}
		spreads []time.Duration
		missed  int
		start   = -1
	)
	marker := []byte(`"body":"event `)
	for _, c := range clients {
		go func() {
			prev := 0
			for {
				_ = c.conn.SetReadDeadline(time.Now().Add(time.Minute))
				msg, err := wsutil.ReadServerText(readWriter{c.br, c.conn})
				if err != nil {
					return
				}
				at := time.Now()
				i := bytes.Index(msg, marker)
				if i < 0 {
					continue
				}
				rest := msg[i+len(marker):]
				k, err := strconv.Atoi(string(rest[:bytes.IndexByte(rest, '"')]))
				if err != nil {
					continue
				}
				mu.Lock()
				if prev != 0 && k != prev+1 {
					missed++
				}
				prev = k
				if start < 0 {
					start = k + 1 // the first event seen may have gone out before all joined
				}
				if k >= start {
					if _, ok := first[k]; !ok {
						first[k] = at
					}
					spreads = append(spreads, at.Sub(first[k]))
					count[k]++
					if count[k] == n {
						fmt.Printf("fanout done %d\n", k)
					}
				}
				mu.Unlock()
			}
		}()
	}
	_, _ = io.Copy(io.Discard, os.Stdin)
	mu.Lock()
	defer mu.Unlock()
	fmt.Printf("fanout spread %.2f %.2f missed %d\n", percentileMs(spreads, 0.5), percentileMs(spreads, 0.99), missed)
}
