package main

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// runQueueWait is the time this process's threads have spent runnable but not running
// (waiting for a CPU in the kernel's run queue), summed from /proc/self/task/*/schedstat.
func runQueueWait() time.Duration {
	tasks, err := os.ReadDir("/proc/self/task")
	if err != nil {
		return 0
	}
	var sum int64
	for _, t := range tasks {
		b, err := os.ReadFile("/proc/self/task/" + t.Name() + "/schedstat")
		if err != nil {
			continue
		}
		if f := strings.Fields(string(b)); len(f) >= 2 {
			n, _ := strconv.ParseInt(f[1], 10, 64)
			sum += n
		}
	}
	return time.Duration(sum)
}

// gcSnapshot is the collector's counters at one moment.
type gcSnapshot struct {
	cycles  uint32
	pauseNs uint64
	ring    [256]uint64
}

func readGC() gcSnapshot {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return gcSnapshot{cycles: m.NumGC, pauseNs: m.PauseTotalNs, ring: m.PauseNs}
}

// gcSince says how many collections ran since s, their total stop-the-world pause and
// the longest one.
func gcSince(s gcSnapshot) string {
	now := readGC()
	n := now.cycles - s.cycles
	var longest uint64
	for i := uint32(0); i < n && i < 256; i++ {
		longest = max(longest, now.ring[(now.cycles-1-i)%256])
	}
	return fmt.Sprintf("GC %d cycles, stop-the-world %s in all, longest %s", n,
		time.Duration(now.pauseNs-s.pauseNs).Round(time.Microsecond), time.Duration(longest).Round(time.Microsecond))
}
