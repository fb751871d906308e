package core

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/dizhtime/dizhtime/platform/telemetry"
)

// Metrics are the router's Prometheus series. A nil *Metrics records nothing.
type Metrics struct {
	requests      *prometheus.CounterVec
	errors        *prometheus.CounterVec
	duration      *prometheus.HistogramVec
	fetchDuration *prometheus.HistogramVec
	fetchErrors   *prometheus.CounterVec
	subscriptions *prometheus.GaugeVec
	planCache     *prometheus.CounterVec
	coalesced     *prometheus.CounterVec
	engineSubs    prometheus.Gauge
	fanoutTook    prometheus.Histogram

	// Operation names are client input: only known ones become label values.
	namesMu sync.Mutex
	// safelisted, when set, are the only names that get their own label.
	safelisted map[string]bool
	// admitted are the names seen on valid operations, at most maxOperationLabels.
	admitted map[string]bool
}

// maxOperationLabels bounds the operation_name label's values when there is no safelist:
// the first names seen on valid operations keep their own label, later ones share
// otherOperationLabel.
const maxOperationLabels = 200

// otherOperationLabel is the operation_name of every operation whose name is not known:
// refused operations, names outside the safelist, names past maxOperationLabels.
const otherOperationLabel = "other"

// NewMetrics registers the router's series on reg.
func NewMetrics(reg prometheus.Registerer) (*Metrics, error) {
	m := &Metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "router_operations_total",
			Help: "GraphQL operations received, by operation name and type.",
		}, []string{"operation_name", "operation_type"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "router_operation_errors_total",
			Help: "GraphQL operations answered with errors, by operation name, type and first error code.",
		}, []string{"operation_name", "operation_type", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "router_operation_duration_seconds",
			Help:    "Time to answer a query or mutation, by operation name and type.",
			Buckets: prometheus.DefBuckets,
		}, []string{"operation_name", "operation_type"}),
		fetchDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "router_subgraph_fetch_duration_seconds",
			Help:    "Time of one HTTP fetch from a subgraph, by subgraph.",
			Buckets: prometheus.DefBuckets,
		}, []string{"subgraph"}),
		fetchErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "router_subgraph_fetch_errors_total",
			Help: "Subgraph fetches that failed (no answer or a 5xx), by subgraph.",
		}, []string{"subgraph"}),
		subscriptions: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "router_active_subscriptions",
			Help: "Client subscriptions running now, by transport.",
		}, []string{"transport"}),
		planCache: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "router_plan_cache_total",
			Help: "Query plan cache lookups, by result (hit or miss).",
		}, []string{"result"}),
		coalesced: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "router_deduplicated_total",
			Help: "Work answered by an identical request already in flight instead of being done again, by kind: inbound (a client query shared another's execution) or subgraph_fetch (a subgraph request shared another's round trip).",
		}, []string{"kind"}),
		engineSubs: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "router_engine_subscriptions",
			Help: "Subscriptions the engine resolves now for the WebSocket event loop's clients; each renders its events once. Below router_active_subscriptions when share_latest fan-out serves many clients from one.",
		}),
	}
	m.fanoutTook = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "router_subscription_fanout_seconds",
		Help:    "Time to hand one event of a shared (share_latest fan-out) subscription to every attached client's send queue.",
		Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
	})
	for _, c := range []prometheus.Collector{m.requests, m.errors, m.duration, m.fetchDuration, m.fetchErrors, m.subscriptions, m.planCache, m.coalesced, m.engineSubs, m.fanoutTook} {
		if err := reg.Register(c); err != nil {
			var are prometheus.AlreadyRegisteredError
			if !errors.As(err, &are) {
				return nil, err
			}
		}
	}
	return m, nil
}

// setSafelistedNames makes the safelist's operation names the only label values.
func (m *Metrics) setSafelistedNames(names []string) {
	if m == nil || names == nil {
		return
	}
	m.namesMu.Lock()
	defer m.namesMu.Unlock()
	m.safelisted = map[string]bool{}
	for _, n := range names {
		m.safelisted[n] = true
	}
}

// admitOperation returns the label for the name of an operation that passed validation,
// admitting the name while there is room.
func (m *Metrics) admitOperation(name string) string {
	if m == nil || name == "" {
		return name
	}
	m.namesMu.Lock()
	defer m.namesMu.Unlock()
	if m.safelisted != nil {
		if m.safelisted[name] {
			return name
		}
		return otherOperationLabel
	}
	if m.admitted == nil {
		m.admitted = map[string]bool{}
	}
	if m.admitted[name] {
		return name
	}
	if len(m.admitted) >= maxOperationLabels {
		return otherOperationLabel
	}
	m.admitted[name] = true
	return name
}

// operationLabel is the label value for a name: itself when known, else "other".
func (m *Metrics) operationLabel(name string) string {
	if name == "" {
		return ""
	}
	m.namesMu.Lock()
	defer m.namesMu.Unlock()
	if m.safelisted != nil {
		if m.safelisted[name] {
			return name
		}
		return otherOperationLabel
	}
	if m.admitted[name] {
		return name
	}
	return otherOperationLabel
}

// observeOperation counts an operation that was refused before it ran, or a subscription
// (whose duration is its lifetime, not a latency).
func (m *Metrics) observeOperation(name, opType string, took time.Duration, errCode string) {
	m.observeExecution(context.Background(), name, opType, took, errCode)
}

// observeExecution counts an operation that ran and records its duration, with the trace
// of ctx (the operation's span) as the duration's exemplar.
func (m *Metrics) observeExecution(ctx context.Context, name, opType string, took time.Duration, errCode string) {
	if m == nil {
		return
	}
	name = m.operationLabel(name)
	m.requests.WithLabelValues(name, opType).Inc()
	if opType != "subscription" {
		telemetry.Observe(ctx, m.duration.WithLabelValues(name, opType), took.Seconds())
	}
	if errCode != "" {
		m.errors.WithLabelValues(name, opType, errCode).Inc()
	}
}

// observeFetch records one subgraph fetch, with the trace of ctx (the fetch's span) as the
// duration's exemplar.
func (m *Metrics) observeFetch(ctx context.Context, subgraph string, took time.Duration, failed bool) {
	if m == nil {
		return
	}
	telemetry.Observe(ctx, m.fetchDuration.WithLabelValues(subgraph), took.Seconds())
	if failed {
		m.fetchErrors.WithLabelValues(subgraph).Inc()
	}
}

// subscriptionStarted counts a client subscription until the returned func is called.
func (m *Metrics) subscriptionStarted(transport string) func() {
	if m == nil {
		return func() {}
	}
	g := m.subscriptions.WithLabelValues(transport)
	g.Inc()
	return g.Dec
}

// engineSubscriptionStarted counts an engine subscription until the returned func is
// called.
func (m *Metrics) engineSubscriptionStarted() func() {
	if m == nil {
		return func() {}
	}
	m.engineSubs.Inc()
	return m.engineSubs.Dec
}

// fanoutDone records how long one event took to reach every client of a shared
// subscription.
func (m *Metrics) fanoutDone(took time.Duration) {
	if m == nil {
		return
	}
	m.fanoutTook.Observe(took.Seconds())
}

func (m *Metrics) planCacheLookup(hit bool) {
	if m == nil {
		return
	}
	if hit {
		m.planCache.WithLabelValues("hit").Inc()
	} else {
		m.planCache.WithLabelValues("miss").Inc()
	}
}

// inboundCoalesced counts a client query answered by another's execution.
func (m *Metrics) inboundCoalesced() {
	if m != nil {
		m.coalesced.WithLabelValues("inbound").Inc()
	}
}

// fetchCoalesced counts a subgraph fetch answered by another's round trip.
func (m *Metrics) fetchCoalesced(subgraph string) {
	if m != nil {
		m.coalesced.WithLabelValues("subgraph_fetch").Inc()
	}
}
