package domain

import "slices"

// Seconds is a histogram of whole-second durations: how many orders took each number of
// seconds. Delivery times are kept as such histograms (1-second buckets of durations that
// are whole seconds to begin with: the stores keep times in seconds), so quantiles read
// from them are exact.
type Seconds map[int64]int64

// Add counts n orders that took secs seconds.
func (h Seconds) Add(secs, n int64) { h[secs] += n }

// Quantiles are p50/p90/p99 and the count of h: the q-quantile is the nearest-rank value,
// the smallest duration at least ceil(q × count) of the orders took at most (SQL's
// PERCENTILE_DISC); all zero for an empty h.
func (h Seconds) Quantiles() Quantiles {
	keys := make([]int64, 0, len(h))
	var n int64
	for k, c := range h {
		if c > 0 {
			keys = append(keys, k)
			n += c
		}
	}
	if n == 0 {
		return Quantiles{}
	}
	slices.Sort(keys)
	at := func(q float64) float64 {
		rank := int64(q * float64(n))
		if float64(rank) < q*float64(n) {
			rank++
		}
		rank = max(rank, 1)
		var seen int64
		for _, k := range keys {
			seen += h[k]
			if seen >= rank {
				return float64(k)
			}
		}
		return float64(keys[len(keys)-1])
	}
	return Quantiles{P50: at(0.5), P90: at(0.9), P99: at(0.99), Count: n}
}
