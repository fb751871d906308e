package command

import (
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

func TestMemoryLimitFor_isTheFloorUntilTheLiveHeapNeedsMore(t *testing.T) {
	for _, c := range []struct {
		live uint64
		want int64
	}{
		{0, defaultGOMEMLIMIT},
		{50 << 20, defaultGOMEMLIMIT},
		{100 << 20, defaultGOMEMLIMIT},
		{101 << 20, 202 << 20},
		{1 << 30, 2 << 30},
	} {
		if got := memoryLimitFor(c.live); got != c.want {
			t.Errorf("memoryLimitFor(%d MiB) = %d MiB, want %d MiB", c.live>>20, got>>20, c.want>>20)
		}
	}
}

// A process that really holds more than half the floor gets a limit above what it holds,
// so the collector is not left running without pause.
func TestFollowLiveHeap_raisesTheLimitAboveARealLiveHeap(t *testing.T) {
	before := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(before) })

	held := make([][]byte, 0, 160)
	for range 160 { // 160 MiB reachable
		held = append(held, make([]byte, 1<<20))
	}
	runtime.GC()
	ticks := make(chan time.Time)
	done := make(chan struct{})
	go func() { followLiveHeap(ticks); close(done) }()
	ticks <- time.Now()
	close(ticks)
	<-done

	live := liveHeap()
	if live < 160<<20 {
		t.Fatalf("live heap %d MiB after holding 160 MiB", live>>20)
	}
	if got := debug.SetMemoryLimit(-1); got < int64(live)*liveHeapHeadroom || got <= defaultGOMEMLIMIT {
		t.Errorf("limit %d MiB with a live heap of %d MiB, want at least %d MiB", got>>20, live>>20, int64(live)*liveHeapHeadroom>>20)
	}
	runtime.KeepAlive(held)
}
