package outbox

import "github.com/prometheus/client_golang/prometheus"

// Metrics are the relay's Prometheus metrics, labelled by the producer's schema. Create
// them once per process and share them between relays.
type Metrics struct {
	backlog   *prometheus.GaugeVec
	oldestAge *prometheus.GaugeVec
	published *prometheus.CounterVec
	failures  *prometheus.CounterVec
}

// NewMetrics registers the outbox metrics with reg.
func NewMetrics(reg prometheus.Registerer) (*Metrics, error) {
	m := &Metrics{
		backlog: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "dizhtime_outbox_backlog_events",
			Help: "Committed events not yet published to Kafka.",
		}, []string{"schema"}),
		oldestAge: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "dizhtime_outbox_oldest_unsent_age_seconds",
			Help: "Age of the oldest committed event not yet published (0 when none).",
		}, []string{"schema"}),
		published: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dizhtime_outbox_published_events_total",
			Help: "Events the relay published and marked sent.",
		}, []string{"schema"}),
		failures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dizhtime_outbox_relay_failures_total",
			Help: "Relay rounds that failed (publish or database error); their events are retried.",
		}, []string{"schema"}),
	}
	for _, c := range []prometheus.Collector{m.backlog, m.oldestAge, m.published, m.failures} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}
