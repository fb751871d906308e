package adapters

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are dispatch's Prometheus metrics (app.Metrics).
type Metrics struct {
	matching prometheus.Histogram
}

// NewMetrics registers dispatch's metrics with reg: matching latency, and the live
// index's counters read from the location stream, the feed and the index.
func NewMetrics(reg prometheus.Registerer, stream *LocationStream, feed *LocationFeed, index *DriverIndex) (*Metrics, error) {
	m := &Metrics{
		matching: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "dizhtime_dispatch_matching_duration_seconds",
			Help: "Time from a matching round's start (the dispatcher claiming a waiting delivery) to its first offer: " +
				"finding candidates in growing rings, ranking them, reserving the best driver and recording the offer. " +
				"Rounds that find nobody are not counted here (dispatch.escalated tells of those).",
			Buckets: []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10},
		}),
	}
	cs := []prometheus.Collector{m.matching}
	if stream != nil {
		const help = "Position fixes taken by updateLocation, by outcome: enqueued for driver.location; dropped because " +
			"the stream's queue was full (Kafka slow or down); failed: written off after the Kafka writer's retries."
		for outcome, read := range map[string]func(LocationStreamStats) int64{
			"enqueued": func(s LocationStreamStats) int64 { return s.Enqueued },
			"dropped":  func(s LocationStreamStats) int64 { return s.Dropped },
			"failed":   func(s LocationStreamStats) int64 { return s.Failed },
		} {
			cs = append(cs, prometheus.NewCounterFunc(prometheus.CounterOpts{
				Name: "dizhtime_dispatch_location_fixes_total", Help: help, ConstLabels: prometheus.Labels{"outcome": outcome},
			}, func() float64 { return float64(read(stream.Stats())) }))
		}
	}
	if feed != nil {
		cs = append(cs,
			prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "dizhtime_dispatch_location_feed_read_total",
				Help: "Position fixes this replica read from driver.location into its in-memory index."},
				func() float64 { return float64(feed.Stats().Read) }),
			prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "dizhtime_dispatch_location_feed_unreadable_total",
				Help: "driver.location messages this replica could not read as a position fix."},
				func() float64 { return float64(feed.Stats().Unreadable) }))
	}
	if index != nil {
		cs = append(cs, prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "dizhtime_dispatch_live_index_drivers",
			Help: "Couriers this replica's in-memory live index holds."}, func() float64 { return float64(index.Len()) }))
	}
	for _, c := range cs {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// Offered records one round's time to its first offer.
func (m *Metrics) Offered(took time.Duration) { m.matching.Observe(took.Seconds()) }
