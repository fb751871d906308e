package consumer

import "github.com/prometheus/client_golang/prometheus"

// Metrics are the consumers' Prometheus metrics; create them once per process.
type Metrics struct {
	lag      *prometheus.GaugeVec
	events   *prometheus.CounterVec
	failures *prometheus.CounterVec
}

// NewMetrics registers the consumer metrics with reg.
func NewMetrics(reg prometheus.Registerer) (*Metrics, error) {
	m := &Metrics{
		lag: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "dizhtime_consumer_lag_messages",
			Help: "Messages of the topic the consumer group has not committed yet.",
		}, []string{"consumer", "topic"}),
		events: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dizhtime_consumer_events_total",
			Help: "Events by outcome: processed, duplicate (skipped by id) or dead_lettered.",
		}, []string{"consumer", "topic", "outcome"}),
		failures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dizhtime_consumer_handler_failures_total",
			Help: "Failed handler attempts; will_retry says whether another attempt follows.",
		}, []string{"consumer", "topic", "will_retry"}),
	}
	for _, c := range []prometheus.Collector{m.lag, m.events, m.failures} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// declare makes a consumer's series exist at 0 before its first event: a rate or an
// alert over dead letters then has a series to read from the start, not "no data".
func (m *Metrics) declare(consumer, topic string) {
	if m == nil {
		return
	}
	for _, outcome := range []string{"processed", "duplicate", "dead_lettered"} {
		m.events.WithLabelValues(consumer, topic, outcome)
	}
	m.lag.WithLabelValues(consumer, topic)
}

func (m *Metrics) outcome(consumer, topic, outcome string) {
	if m != nil {
		m.events.WithLabelValues(consumer, topic, outcome).Inc()
	}
}

func (m *Metrics) retried(consumer, topic string, willRetry bool) {
	if m != nil {
		w := "false"
		if willRetry {
			w = "true"
		}
		m.failures.WithLabelValues(consumer, topic, w).Inc()
	}
}

func (m *Metrics) outcomes(consumer, topic, outcome string, n int) {
	if m != nil && n > 0 {
		m.events.WithLabelValues(consumer, topic, outcome).Add(float64(n))
	}
}
