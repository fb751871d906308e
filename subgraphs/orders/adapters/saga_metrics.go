package adapters

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
)

// Saga deadlines past which an order counts as stuck: a PLACED order the wallet never
// answered, a PAID order the acceptance timer did not expire, an ACCEPTED order nobody
// picked up.
const (
	stuckPlacedAfter   = 5 * time.Minute
	stuckPaidAfter     = time.Minute // past accept_by: the deadline scanner should have run
	stuckAcceptedAfter = 90 * time.Minute
)

// SagaMetrics counts stuck orders at every scrape as dizhtime_orders_saga_stuck_orders
// {status}; every status is reported, 0 included, so the alert has a series to watch.
type SagaMetrics struct {
	pool  *pgxpool.Pool
	stuck *prometheus.Desc
}

// NewSagaMetrics returns the collector; register it on the process's registry.
func NewSagaMetrics(pool *pgxpool.Pool) *SagaMetrics {
	return &SagaMetrics{pool: pool, stuck: prometheus.NewDesc("dizhtime_orders_saga_stuck_orders",
		"Orders past their saga deadline: PLACED without payment, PAID past accept_by, ACCEPTED without pickup.", []string{"status"}, nil)}
}

func (m *SagaMetrics) Describe(ch chan<- *prometheus.Desc) { ch <- m.stuck }

func (m *SagaMetrics) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	counts := map[string]float64{"PLACED": 0, "PAID": 0, "ACCEPTED": 0}
	rows, _ := m.pool.Query(ctx, `
SELECT status, count(*)::float8 FROM orders
WHERE (status = 'PLACED' AND updated_at < now() - $1::interval)
   OR (status = 'PAID' AND accept_by < now() - $2::interval)
   OR (status = 'ACCEPTED' AND updated_at < now() - $3::interval)
GROUP BY status`, stuckPlacedAfter.String(), stuckPaidAfter.String(), stuckAcceptedAfter.String())
	type row struct {
		Status string
		N      float64
	}
	found, err := pgx.CollectRows(rows, pgx.RowToStructByPos[row])
	if err != nil {
		ch <- prometheus.NewInvalidMetric(m.stuck, err)
		return
	}
	for _, r := range found {
		counts[r.Status] = r.N
	}
	for status, n := range counts {
		ch <- prometheus.MustNewConstMetric(m.stuck, prometheus.GaugeValue, n, status)
	}
}
