package adapters

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the projection's Prometheus metrics (app.Metrics).
type Metrics struct {
	events    *prometheus.CounterVec
	freshness *prometheus.HistogramVec
}

// NewMetrics registers the projection metrics with reg.
func NewMetrics(reg prometheus.Registerer) (*Metrics, error) {
	m := &Metrics{
		events: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dizhtime_search_projected_events_total",
			Help: "Restaurant events the search projection handled, by type and outcome (applied, stale, ignored).",
		}, []string{"type", "outcome"}),
		freshness: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "dizhtime_search_freshness_seconds",
			Help: "Lag from a restaurant event's time (the change committed in restaurants) to the search index " +
				"acknowledging the write; Elasticsearch's refresh interval (1 s) adds at most a second before it is searchable.",
			Buckets: []float64{0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300},
		}, []string{"type"}),
	}
	for _, c := range []prometheus.Collector{m.events, m.freshness} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// Projected records one handled event.
func (m *Metrics) Projected(eventType, outcome string, lag time.Duration) {
	m.events.WithLabelValues(eventType, outcome).Inc()
	if outcome == "applied" {
		m.freshness.WithLabelValues(eventType).Observe(lag.Seconds())
	}
}
