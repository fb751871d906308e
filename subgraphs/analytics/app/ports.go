package app

import (
	"context"
	"time"

	"github.com/dizhtime/dizhtime/subgraphs/analytics/domain"
)

// Store is the OLAP store. Write is idempotent by event id: writing a fact whose id is
// already stored adds nothing to any figure. Every query reads only the facts in r (by
// their OccurredAt) and in scope (by restaurant; driver figures have no restaurant and
// take no scope).
type Store interface {
	Write(ctx context.Context, b domain.Batch) error
	SalesSlots(ctx context.Context, r domain.Range, s domain.Scope) ([]domain.SlotSales, error)
	SalesBreakdown(ctx context.Context, r domain.Range, s domain.Scope, by domain.Breakdown, limit int) ([]domain.SalesRow, error)
	Funnel(ctx context.Context, r domain.Range, s domain.Scope) (domain.Funnel, error)
	DeliveryTimes(ctx context.Context, r domain.Range, s domain.Scope) (domain.DeliveryTimes, error)
	// Drivers' earnings are shareBps (basis points) of each delivered order's total.
	Drivers(ctx context.Context, r domain.Range, limit int, shareBps int64) ([]domain.DriverFigures, error)
	Rates(ctx context.Context, r domain.Range, s domain.Scope) (domain.Rates, error)
	TopDishes(ctx context.Context, r domain.Range, s domain.Scope, limit int) ([]domain.Dish, error)
	// Live reads the live figures at now; todayStart is midnight of the zone asked for.
	Live(ctx context.Context, now, todayStart time.Time) (domain.Live, error)
	// Ping checks the store answers (readiness).
	Ping(ctx context.Context) error
	Close() error
}
