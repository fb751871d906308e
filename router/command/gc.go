package command

import (
	"os"
	"runtime/debug"
	"runtime/metrics"
	"time"
)

// The router's garbage collector settings when the environment sets none (see
// router/README.md "Performance", measured with go run ./bench). GOGC 100, 200 and 400,
// each with the 200 MiB soft limit, were alternated in one window twice per binary on
// two router builds (dedup off, 50 and 500 clients, go run ./bench -routers with a
// GOGC=... wrapper per setting): 400 gave the lowest CPU per request in 7 of 8 pairs
// (the last build: 1.41 against 1.59 ms at 50 clients, 1.67 against 1.82 ms at 500)
// for 94-154 MiB peak RSS at 50 clients (61-133 with 100) and 209-214 MiB at 500
// (203-205 with 100). The soft memory limit is the backstop: near it the collector
// works harder whatever GOGC says, which keeps the process under the 250 MiB budget at
// 500 clients, where the heap grows with requests in flight.
//
// A fixed limit fails a router that holds much memory for good reasons: at 5,000 live
// tracking subscribers the live heap alone passed 200 MiB and the collector ran without
// pause (0 of 200,000 events delivered in 20 s by platform/cmd/trackload; every one with
// a 4 GiB limit). So the limit is a floor that follows the live heap: never below twice
// what survived the last collection, so the collector runs at most once per live heap
// allocated (Go's own GOGC=100 pace) however much the router legitimately holds.
// GOGC and GOMEMLIMIT in the environment win (a GOMEMLIMIT there is fixed).
const (
	defaultGOGC       = 400
	defaultGOMEMLIMIT = 200 << 20
	// liveHeapHeadroom is how many times the live heap the limit allows at least.
	liveHeapHeadroom = 2
	// memoryLimitCheck is how often the limit is brought up to date with the live heap.
	memoryLimitCheck = time.Second
)

func tuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(defaultGOGC)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(memoryLimitFor(liveHeap()))
		go followLiveHeap(time.NewTicker(memoryLimitCheck).C)
	}
}

// memoryLimitFor is the soft memory limit for a live heap of live bytes.
func memoryLimitFor(live uint64) int64 {
	return max(defaultGOMEMLIMIT, int64(live)*liveHeapHeadroom)
}

// followLiveHeap moves the soft limit with the live heap at every tick, for the life of
// the process.
func followLiveHeap(ticks <-chan time.Time) {
	for range ticks {
		debug.SetMemoryLimit(memoryLimitFor(liveHeap()))
	}
}

// liveHeap is the heap the last collection found reachable (0 before the first one).
func liveHeap() uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return s[0].Value.Uint64()
}
