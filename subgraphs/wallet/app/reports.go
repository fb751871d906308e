package app

import (
	"context"
	"errors"
	"time"

	"github.com/dizhtime/dizhtime/subgraphs/wallet/domain"
)

// CourierEarning is what a courier earned in one currency over a period: the sum of the
// settlement postings into their driver_earnings account, and over how many orders.
type CourierEarning struct {
	Currency domain.Currency
	Amount   int64
	Orders   int
}

// AuditReport is an audit-log verification: what was checked and the first broken row
// of each broken chain (empty when the log is intact).
type AuditReport struct {
	Accounts int
	Rows     int
	Problems []string
	At       time.Time
}

// LedgerReports are the ledger's read-only reports, apart from Store because only the
// PostgreSQL ledger makes them (the saga simulator's in-memory ledger does not).
type LedgerReports interface {
	// CourierEarnings sums the driver_earnings postings of courierID created at or after since.
	CourierEarnings(ctx context.Context, courierID string, since time.Time) ([]CourierEarning, error)
	// VerifyAudit recomputes every account's audit chain and balance.
	VerifyAudit(ctx context.Context) (AuditReport, error)
}

// ErrNoReports is returned when the application was built without LedgerReports.
var ErrNoReports = errors.New("wallet app: ledger reports are not wired")

// WithReports gives the application its ledger reports; it returns a.
func (a *Application) WithReports(r LedgerReports) *Application {
	a.reports = r
	return a
}

// CourierEarnings is what courierID earned since, one entry per currency.
func (a *Application) CourierEarnings(ctx context.Context, courierID string, since time.Time) ([]CourierEarning, error) {
	if a.reports == nil {
		return nil, ErrNoReports
	}
	return a.reports.CourierEarnings(ctx, courierID, since)
}

// VerifyAudit checks the whole audit log now (an admin's on-demand check; the same as
// `wallet verify-audit`). It reads every audit row: seconds on a large ledger.
func (a *Application) VerifyAudit(ctx context.Context) (AuditReport, error) {
	if a.reports == nil {
		return AuditReport{}, ErrNoReports
	}
	rep, err := a.reports.VerifyAudit(ctx)
	rep.At = a.now()
	return rep, err
}
