package adapters

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
)

// LedgerMetrics checks the double-entry invariant at every scrape: the balances of all
// accounts of one currency (customers', restaurants', the platform's and the gateway's
// clearing account) add up to zero. dizhtime_wallet_ledger_balance_sum_minor is that sum
// per currency; any value but 0 is a broken ledger (alert WalletLedgerUnbalanced).
type LedgerMetrics struct {
	pool *pgxpool.Pool
	sum  *prometheus.Desc
	ok   *prometheus.Desc
}

// NewLedgerMetrics returns the collector; register it on the process's registry.
func NewLedgerMetrics(pool *pgxpool.Pool) *LedgerMetrics {
	return &LedgerMetrics{
		pool: pool,
		sum: prometheus.NewDesc("dizhtime_wallet_ledger_balance_sum_minor",
			"Sum of every account's balance per currency, in minor units; the ledger balances when it is 0.", []string{"currency"}, nil),
		ok: prometheus.NewDesc("dizhtime_wallet_ledger_check_success",
			"1 when the last ledger invariant check could read the ledger, else 0.", nil, nil),
	}
}

func (m *LedgerMetrics) Describe(ch chan<- *prometheus.Desc) { ch <- m.sum; ch <- m.ok }

func (m *LedgerMetrics) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	rows, _ := m.pool.Query(ctx, `SELECT currency, COALESCE(SUM(balance), 0)::float8 FROM accounts GROUP BY currency`)
	type row struct {
		Currency string
		Sum      float64
	}
	sums, err := pgx.CollectRows(rows, pgx.RowToStructByPos[row])
	if err != nil {
		ch <- prometheus.MustNewConstMetric(m.ok, prometheus.GaugeValue, 0)
		return
	}
	ch <- prometheus.MustNewConstMetric(m.ok, prometheus.GaugeValue, 1)
	for _, s := range sums {
		ch <- prometheus.MustNewConstMetric(m.sum, prometheus.GaugeValue, s.Sum, s.Currency)
	}
}
