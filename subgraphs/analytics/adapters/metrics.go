package adapters

import (
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the ingestion's Prometheus metrics.
type Metrics struct {
	events      *prometheus.CounterVec
	batches     prometheus.Histogram
	lag         *prometheus.GaugeVec
	freshness   prometheus.Histogram
	batchEvents prometheus.Histogram
}

// NewMetrics registers the ingestion metrics with reg.
func NewMetrics(reg prometheus.Registerer) (*Metrics, error) {
	m := &Metrics{
		events: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dizhtime_analytics_events_total",
			Help: "Events the analytics ingestion handled, by topic and outcome (written, dead_lettered).",
		}, []string{"topic", "outcome"}),
		batches: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "dizhtime_analytics_batch_write_seconds",
			Help:    "Time to write one batch into the OLAP store.",
			Buckets: []float64{0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5},
		}),
		batchEvents: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "dizhtime_analytics_batch_events",
			Help:    "Events per written batch.",
			Buckets: prometheus.ExponentialBuckets(1, 4, 8),
		}),
		lag: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "dizhtime_analytics_consumer_lag",
			Help: "Messages behind the partition's high watermark after the last batch the consumer group committed.",
		}, []string{"topic", "partition"}),
		freshness: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "dizhtime_analytics_freshness_seconds",
			Help:    "From an event's time to its batch being written (how current the dashboards are).",
			Buckets: []float64{0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300},
		}),
	}
	for _, c := range []prometheus.Collector{m.events, m.batches, m.lag, m.freshness, m.batchEvents} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

func (m *Metrics) handled(topic, outcome string, n int) {
	if m != nil && n > 0 {
		m.events.WithLabelValues(topic, outcome).Add(float64(n))
	}
}

func (m *Metrics) wrote(n int, took time.Duration, oldest time.Time) {
	if m == nil {
		return
	}
	m.batches.Observe(took.Seconds())
	m.batchEvents.Observe(float64(n))
	if !oldest.IsZero() {
		m.freshness.Observe(time.Since(oldest).Seconds())
	}
}

func (m *Metrics) behind(topic string, partition int, lag int64) {
	if m != nil {
		m.lag.WithLabelValues(topic, strconv.Itoa(partition)).Set(float64(max(lag, 0)))
	}
}
