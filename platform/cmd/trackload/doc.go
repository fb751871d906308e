// Command trackload is the live-tracking load tool of issue 27: N graphql-transport-ws
// subscribers to deliveryTracking through a running DizhTime's router (`make run`, i.e.
// `dizhtime dev`), on one order (one stream) or spread over several orders (distinct
// streams), while each order's courier calls updateLocation every 500 ms. Everything goes
// through the router with real tokens: it signs in as the demo admin, signs up an owner (a
// restaurant of the run's own), a customer (topped up) and one courier per order, places
// the orders, has the kitchen accept them and the couriers accept the offers.
//
// It runs as its own process, so its CPU is counted apart from the router's, and prints per
// level: setup time, the router's memory per subscriber (RSS delta from /proc, heap and
// stack in use and goroutines from the router's /metrics), fan-out latency p50/p99/max
// (each fix is stamped in its longitude; send time -> the time the kernel put the event in
// the subscriber's socket, -stamp kernel, or the time this process read it, -stamp read), events
// expected vs received, CPU seconds of the tool and the router, the load average, and the
// p99 of a concurrent placeOrder idle vs during the run, placed by a probe process of its
// own (this binary again, see probe.go: a front end does not wait behind the tool's
// subscriber readers; -probe-in-process measures from inside the tool as before).
//
// Reading: by default (-reader epoll) a few goroutines serve every subscriber socket over
// epoll, reading raw frames into one reused buffer and parsing only the stamp (see
// epread_linux.go): ~6 µs of the tool's CPU per delivered event where a goroutine per
// subscriber with github.com/coder/websocket (-reader goroutine) took ~12, so on a shared
// machine the tool takes less of the CPU the router's writes need. Couriers start their
// tickers spread evenly over -interval (-phase-spread=false: all at once, every stream's
// event in the same instant). With -stamp kernel (the default) an event counts as received
// at its kernel receive timestamp (SO_TIMESTAMPNS, read with recvmsg): on one machine the
// tool's loop may read it later (its thread waiting for a core the router's writes hold, or
// its -reader-poll), which a client on another machine would not add; -stamp read counts
// the read, as before. The router still pays the receiver's half of each loopback send
// either way.
//
// Open files: see fds.go. Both processes need one descriptor per subscriber; the tool
// raises its soft limit to the hard limit, reads the router's from /proc/<pid>/limits, and
// refuses an N over either with ErrOpenFileLimit, naming the largest N that fits.
//
// Memory: the router's RSS delta is exact on a fresh router only (Go keeps freed memory);
// with the router's pprof on (DIZHTIME_ROUTER_PPROF=true) the tool forces a GC before each
// heap and stack reading, which then count live memory on a reused router too.
//
//	DIZHTIME_GCFLAGS= DIZHTIME_ROUTER_PPROF=true make run   # optimised, in another terminal, or:
//	BENCH_ONLY=tracking deploy/local/bench.sh   # starts dizhtime dev itself when none answers
//	cd platform && go run ./cmd/trackload -subscribers 1000,9000 -streams 1,10 -duration 20s
package main
