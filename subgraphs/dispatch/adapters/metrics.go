package adapters

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are dispatch's Prometheus metrics (app.Metrics).
type Metrics struct {
	matching prometheus.Histogram
}

// NewMetrics registers dispatch's metrics with reg.
func NewMetrics(reg prometheus.Registerer) (*Metrics, error) {
	m := &Metrics{
		matching: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "dizhtime_dispatch_matching_duration_seconds",
			Help: "Time from a matching round's start (the dispatcher claiming a waiting delivery) to its first offer: " +
				"finding candidates in growing rings, ranking them, reserving the best driver and recording the offer. " +
				"Rounds that find nobody are not counted here (dispatch.escalated tells of those).",
			Buckets: []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10},
		}),
	}
	if err := reg.Register(m.matching); err != nil {
		return nil, err
	}
	return m, nil
}

// Offered records one round's time to its first offer.
func (m *Metrics) Offered(took time.Duration) { m.matching.Observe(took.Seconds()) }
