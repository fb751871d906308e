package core_test

import (
	"bufio"
	"bytes"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"testing"
	"time"
)

// BenchmarkUpstreamSubscriptions_footprintOf1000Distinct measures what 1,000 live
// subscriptions with distinct variables cost the router upstream, per transport to the
// subgraph: the router's sockets to the subgraph (file descriptors, found through
// /proc/self/net/tcp by the subgraph's port) and the router's goroutines (all goroutines
// but the subgraph's, which runs in this process too). The client side is one WebSocket
// carrying all 1,000 operations, so it adds nothing per subscription. Counts, not
// timings: they do not depend on the machine's load.
//
//	go test ./core -run '^$' -bench UpstreamSubscriptions_footprint -benchtime 1x
func BenchmarkUpstreamSubscriptions_footprintOf1000Distinct(b *testing.B) {
	const n = 1000
	for _, upstream := range []string{"graphql-transport-ws", "sse"} {
		b.Run(upstream, func(b *testing.B) {
			r := startRouter(b, upstream)
			u, _ := url.Parse(r.Subgraphs.Reviews.URL)
			port, _ := strconv.Atoi(u.Port())
			c := dialWS(b, r.URL, "graphql-transport-ws")
			time.Sleep(200 * time.Millisecond)
			fdsBefore, routerBefore := socketFDsTo(b, port), routerGoroutines()
			for i := range n {
				c.send(map[string]any{"id": strconv.Itoa(i), "type": "subscribe", "payload": map[string]any{
					"query":     `subscription($upc: String!) { reviewAdded(upc: $upc, count: 1000000, intervalMs: 5000) { body } }`,
					"variables": map[string]any{"upc": fmt.Sprintf("p-%d", i)},
				}})
			}
			for got := 0; got < n; {
				if m := c.readSkippingKeepAlive(); m.Type == "next" {
					got++
				} else {
					b.Fatalf("want next, got %+v %s", m, m.Payload)
				}
			}
			deadline := time.Now().Add(20 * time.Second)
			for r.Subgraphs.ReviewsSubgraph.ActiveSubscriptions() != n {
				if time.Now().After(deadline) {
					b.Fatalf("%d upstream subscriptions for %d distinct client subscriptions", r.Subgraphs.ReviewsSubgraph.ActiveSubscriptions(), n)
				}
				time.Sleep(50 * time.Millisecond)
			}
			fds := socketFDsTo(b, port) - fdsBefore
			goroutines := routerGoroutines() - routerBefore
			if os.Getenv("FOOTPRINT_STACKS") != "" {
				logGoroutineTops(b)
			}
			for b.Loop() {
			}
			b.ReportMetric(float64(fds), "upstream-fds")
			b.ReportMetric(float64(goroutines)/n, "router-goroutines/sub")
			b.Logf("%s: %d distinct subscriptions: %d router sockets to the subgraph, %d more router goroutines (%.2f each)", upstream, n, fds, goroutines, float64(goroutines)/n)
		})
	}
}

// socketFDsTo counts this process's open file descriptors that are TCP sockets
// connected to port on the remote side (the router's upstream connections).
func socketFDsTo(tb testing.TB, port int) int {
	tb.Helper()
	inodes := map[string]bool{}
	for _, table := range []string{"/proc/self/net/tcp", "/proc/self/net/tcp6"} {
		raw, err := os.ReadFile(table)
		if err != nil {
			continue
		}
		sc := bufio.NewScanner(bytes.NewReader(raw))
		sc.Scan() // header
		for sc.Scan() {
			f := strings.Fields(sc.Text())
			if len(f) < 10 {
				continue
			}
			_, remotePort, _ := strings.Cut(f[2], ":")
			if p, err := strconv.ParseInt(remotePort, 16, 32); err == nil && int(p) == port {
				inodes[f[9]] = true
			}
		}
	}
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		tb.Fatalf("read /proc/self/fd: %v", err)
	}
	count := 0
	for _, e := range entries {
		target, err := os.Readlink(filepath.Join("/proc/self/fd", e.Name()))
		if err != nil {
			continue
		}
		if inode, ok := strings.CutPrefix(target, "socket:["); ok && inodes[strings.TrimSuffix(inode, "]")] {
			count++
		}
	}
	return count
}

// routerGoroutines counts the goroutines that are not the test subgraph's server side
// (its connections and stream handlers, gqlgen's transports and resolvers).
func routerGoroutines() int {
	runtime.GC()
	var buf bytes.Buffer
	_ = pprof.Lookup("goroutine").WriteTo(&buf, 2)
	count := 0
	for _, stack := range strings.Split(buf.String(), "\n\n") {
		if !strings.HasPrefix(stack, "goroutine ") {
			continue
		}
		switch {
		case strings.Contains(stack, "net/http.(*conn).serve"),
			strings.Contains(stack, "net/http.(*http2serverConn)"),
			strings.Contains(stack, "99designs/gqlgen"),
			strings.Contains(stack, "internal/testsubgraphs"):
			continue
		}
		count++
	}
	return count
}

// logGoroutineTops logs how many router goroutines run each function where they wait
// (FOOTPRINT_STACKS=1), to see what a subscription's goroutines are.
func logGoroutineTops(tb testing.TB) {
	var buf bytes.Buffer
	_ = pprof.Lookup("goroutine").WriteTo(&buf, 1)
	for _, block := range strings.Split(buf.String(), "\n\n") {
		first, _, _ := strings.Cut(block, "\n")
		count, _, ok := strings.Cut(first, " @")
		if !ok || strings.HasPrefix(first, "1 @") || strings.Contains(block, "99designs/gqlgen") || strings.Contains(block, "net/http.(*http2serverConn)") || strings.Contains(block, "net/http.(*conn).serve") {
			continue
		}
		lines := strings.Split(block, "\n")
		var frames []string
		for _, l := range lines[1:] {
			if f := strings.Fields(l); len(f) >= 3 && strings.HasPrefix(l, "#") {
				frames = append(frames, f[2])
			}
		}
		if len(frames) > 4 {
			frames = frames[len(frames)-4:]
		}
		tb.Logf("%s: %s", count, strings.Join(frames, " < "))
	}
}
