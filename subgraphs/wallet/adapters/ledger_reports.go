package adapters

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/dizhtime/dizhtime/subgraphs/wallet/app"
	"github.com/dizhtime/dizhtime/subgraphs/wallet/domain"
)

// LedgerReports is app.LedgerReports on the PostgreSQL ledger.
type LedgerReports struct {
	pool *pgxpool.Pool
	key  []byte
}

var _ app.LedgerReports = (*LedgerReports)(nil)

// NewLedgerReports reads the ledger in pool; key is the audit key the chain is keyed with.
func NewLedgerReports(pool *pgxpool.Pool, key []byte) *LedgerReports {
	return &LedgerReports{pool: pool, key: key}
}

// CourierEarnings sums the courier's driver_earnings postings since (settlements in,
// claw-backs out), per currency, with the number of orders they came from.
func (r *LedgerReports) CourierEarnings(ctx context.Context, courierID string, since time.Time) ([]app.CourierEarning, error) {
	rows, err := r.pool.Query(ctx, `
		SELECT a.currency, coalesce(sum(p.amount), 0), count(DISTINCT t.order_id)
		FROM accounts a
		JOIN postings p ON p.account_id = a.id
		JOIN transactions t ON t.id = p.tx_id
		WHERE a.owner = $1 AND a.kind = 'driver_earnings' AND p.created_at >= $2
		GROUP BY a.currency ORDER BY a.currency`, courierID, since)
	if err != nil {
		return nil, fmt.Errorf("earnings of %s: %w", courierID, err)
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (app.CourierEarning, error) {
		var (
			e   app.CourierEarning
			cur string
		)
		err := row.Scan(&cur, &e.Amount, &e.Orders)
		e.Currency = domain.Currency(cur)
		return e, err
	})
}

// VerifyAudit is VerifyAudit with the ledger's key.
func (r *LedgerReports) VerifyAudit(ctx context.Context) (app.AuditReport, error) {
	rep, err := VerifyAudit(ctx, r.pool, r.key)
	return app.AuditReport{Accounts: rep.Accounts, Rows: rep.Rows, Problems: rep.Problems}, err
}
