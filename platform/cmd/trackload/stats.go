package main

import (
	"fmt"
	"slices"
	"time"
)

// percentile is the p-th percentile (0 < p <= 100) of sorted by the nearest-rank method:
// the smallest sample with at least p% of the samples at or below it. Zero for no samples.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(float64(len(sorted))*p/100 + 0.999999999)
	rank = min(max(rank, 1), len(sorted))
	return sorted[rank-1]
}

// latencies is a set of fan-out latencies, summarised once all are in.
type latencies []time.Duration

// summary is p50/p99/max of l ("no events" when empty); it sorts l.
func (l latencies) summary() string {
	if len(l) == 0 {
		return "no events"
	}
	slices.Sort(l)
	return fmt.Sprintf("p50 %s p99 %s max %s", round(percentile(l, 50)), round(percentile(l, 99)), round(l[len(l)-1]))
}

func round(d time.Duration) time.Duration {
	switch {
	case d >= time.Second:
		return d.Round(10 * time.Millisecond)
	case d >= 10*time.Millisecond:
		return d.Round(100 * time.Microsecond)
	default:
		return d.Round(10 * time.Microsecond)
	}
}
