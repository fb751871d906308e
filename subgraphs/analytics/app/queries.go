package app

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/dizhtime/dizhtime/platform/authz"
	"github.com/dizhtime/dizhtime/platform/graphqlerr"
	"github.com/dizhtime/dizhtime/subgraphs/analytics/domain"
)

// Limits on a breakdown's rows.
const (
	DefaultLimit = 20
	MaxLimit     = 500
	// MaxRestaurants bounds the restaurants one query names.
	MaxRestaurants = 100
)

// Queries are the dashboard's reads. Admins read everything; a restaurant owner reads the
// restaurants it owns (the owner relation identity holds, as the other subgraphs ask it)
// and must name them; driver figures and the live metrics are for admins only.
type Queries struct {
	store   Store
	checker authz.Checker
	now     func() time.Time
	// DriverShareBps is the drivers' share of an order's total (the wallet's driver_bps).
	DriverShareBps int64
}

// NewQueries returns the queries over store, asking checker for ownership.
func NewQueries(store Store, checker authz.Checker) (*Queries, error) {
	if store == nil || checker == nil {
		return nil, errors.New("analytics queries: store and checker are required")
	}
	return &Queries{store: store, checker: checker, now: time.Now, DriverShareBps: 1000}, nil
}

// scope authorizes the caller for restaurantIDs (nil: every restaurant) and returns it.
func (q *Queries) scope(ctx context.Context, restaurantIDs []string) (domain.Scope, error) {
	id, err := authz.RequireAuthenticated(ctx)
	if err != nil {
		return domain.Scope{}, err
	}
	if len(restaurantIDs) > MaxRestaurants {
		return domain.Scope{}, graphqlerr.BadUserInput("restaurantIds", fmt.Sprintf("at most %d restaurants at once", MaxRestaurants))
	}
	if restaurantIDs != nil {
		restaurantIDs = slices.Compact(slices.Sorted(slices.Values(restaurantIDs)))
	}
	if id.HasRole(authz.RoleAdmin) {
		return domain.Scope{RestaurantIDs: restaurantIDs}, nil
	}
	if len(restaurantIDs) == 0 {
		return domain.Scope{}, graphqlerr.Forbidden("only admins read the whole platform: name your restaurants in restaurantIds")
	}
	for _, r := range restaurantIDs {
		if _, err := authz.RequireRelation(ctx, q.checker, "restaurant", r, "owner"); err != nil {
			return domain.Scope{}, err
		}
	}
	return domain.Scope{RestaurantIDs: restaurantIDs}, nil
}

func limitOf(n *int) (int, error) {
	if n == nil {
		return DefaultLimit, nil
	}
	if *n < 1 || *n > MaxLimit {
		return 0, graphqlerr.BadUserInput("limit", fmt.Sprintf("must be 1..%d", MaxLimit))
	}
	return *n, nil
}

func badInput(err error) error {
	var inv domain.InvalidError
	if errors.As(err, &inv) {
		return graphqlerr.BadUserInput(inv.Field, inv.Msg)
	}
	return err
}

func storeErr(what string, err error) error {
	if err == nil {
		return nil
	}
	return graphqlerr.Internal(fmt.Errorf("analytics %s: %w", what, err))
}

// RangeArgs are a query's common arguments.
type RangeArgs struct {
	From, To      time.Time
	TimeZone      string
	RestaurantIDs []string
}

func (q *Queries) prepare(ctx context.Context, a RangeArgs) (domain.Range, domain.Scope, error) {
	s, err := q.scope(ctx, a.RestaurantIDs)
	if err != nil {
		return domain.Range{}, domain.Scope{}, err
	}
	r, err := domain.NewRange(a.From, a.To, a.TimeZone)
	if err != nil {
		return domain.Range{}, domain.Scope{}, badInput(err)
	}
	return r, s, nil
}

// SalesSeries is orders and GMV per bucket of the range, in its time zone.
func (q *Queries) SalesSeries(ctx context.Context, a RangeArgs, b domain.Bucket) ([]domain.SalesPoint, error) {
	r, s, err := q.prepare(ctx, a)
	if err != nil {
		return nil, err
	}
	if !b.Valid() {
		return nil, graphqlerr.BadUserInput("bucket", "must be HOUR, DAY or WEEK")
	}
	if b == domain.Hour && r.To.Sub(r.From) > 31*24*time.Hour {
		return nil, graphqlerr.BadUserInput("bucket", "hourly series cover at most 31 days")
	}
	slots, err := q.store.SalesSlots(ctx, r, s)
	if err != nil {
		return nil, storeErr("sales series", err)
	}
	return domain.Series(slots, b, r), nil
}

// SalesBreakdown is orders and GMV per restaurant or H3 zone over the range, largest GMV first.
func (q *Queries) SalesBreakdown(ctx context.Context, a RangeArgs, by domain.Breakdown, limit *int) ([]domain.SalesRow, error) {
	r, s, err := q.prepare(ctx, a)
	if err != nil {
		return nil, err
	}
	n, err := limitOf(limit)
	if err != nil {
		return nil, err
	}
	if by != domain.ByRestaurant && by != domain.ByZone {
		return nil, graphqlerr.BadUserInput("by", "must be RESTAURANT or ZONE")
	}
	rows, err := q.store.SalesBreakdown(ctx, r, s, by, n)
	return rows, storeErr("sales breakdown", err)
}

// Funnel is placed -> paid -> accepted -> delivered for the orders placed in the range.
func (q *Queries) Funnel(ctx context.Context, a RangeArgs) (domain.Funnel, error) {
	r, s, err := q.prepare(ctx, a)
	if err != nil {
		return domain.Funnel{}, err
	}
	f, err := q.store.Funnel(ctx, r, s)
	return f, storeErr("funnel", err)
}

// DeliveryTimes are the delivery time quantiles of the orders placed in the range.
func (q *Queries) DeliveryTimes(ctx context.Context, a RangeArgs) (domain.DeliveryTimes, error) {
	r, s, err := q.prepare(ctx, a)
	if err != nil {
		return domain.DeliveryTimes{}, err
	}
	d, err := q.store.DeliveryTimes(ctx, r, s)
	return d, storeErr("delivery times", err)
}

// Rates are the cancellation and refund rates of the orders placed in the range.
func (q *Queries) Rates(ctx context.Context, a RangeArgs) (domain.Rates, error) {
	r, s, err := q.prepare(ctx, a)
	if err != nil {
		return domain.Rates{}, err
	}
	x, err := q.store.Rates(ctx, r, s)
	x.Fill()
	return x, storeErr("rates", err)
}

// TopDishes are the most ordered dishes of the orders placed in the range.
func (q *Queries) TopDishes(ctx context.Context, a RangeArgs, limit *int) ([]domain.Dish, error) {
	r, s, err := q.prepare(ctx, a)
	if err != nil {
		return nil, err
	}
	n, err := limitOf(limit)
	if err != nil {
		return nil, err
	}
	d, err := q.store.TopDishes(ctx, r, s, n)
	return d, storeErr("top dishes", err)
}

// Drivers are the drivers' utilisation and earnings over the range, most deliveries first
// (admins only: a driver works for every restaurant).
func (q *Queries) Drivers(ctx context.Context, from, to time.Time, limit *int) ([]domain.DriverFigures, error) {
	if _, err := authz.RequireRole(ctx, authz.RoleAdmin); err != nil {
		return nil, err
	}
	r, err := domain.NewRange(from, to, "UTC")
	if err != nil {
		return nil, badInput(err)
	}
	n, err := limitOf(limit)
	if err != nil {
		return nil, err
	}
	d, err := q.store.Drivers(ctx, r, n, q.DriverShareBps)
	return d, storeErr("drivers", err)
}

// AuthorizeLive checks the caller may watch the live metrics (admins) and the zone name.
func (q *Queries) AuthorizeLive(ctx context.Context, zone string) (*time.Location, error) {
	if _, err := authz.RequireRole(ctx, authz.RoleAdmin); err != nil {
		return nil, err
	}
	if zone == "" {
		zone = "UTC"
	}
	loc, err := time.LoadLocation(zone)
	if err != nil {
		return nil, graphqlerr.BadUserInput("timeZone", fmt.Sprintf("unknown time zone %q", zone))
	}
	return loc, nil
}

// Live reads the live figures now, "today" being the day in loc.
func (q *Queries) Live(ctx context.Context, loc *time.Location) (domain.Live, error) {
	now := q.now().UTC().Truncate(time.Second)
	l, err := q.store.Live(ctx, now, domain.Day.Start(now, loc).UTC())
	l.At = now
	return l, storeErr("live metrics", err)
}

// Watch sends the live figures every interval until ctx ends (the first at once). A failed
// read is skipped (logged by the caller through onErr); the next tick tries again.
func (q *Queries) Watch(ctx context.Context, loc *time.Location, interval time.Duration, onErr func(error)) <-chan domain.Live {
	out := make(chan domain.Live, 1)
	go func() {
		defer close(out)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			if l, err := q.Live(ctx, loc); err != nil {
				if ctx.Err() != nil {
					return
				}
				onErr(err)
			} else {
				select {
				case out <- l:
				case <-ctx.Done():
					return
				}
			}
			select {
			case <-t.C:
			case <-ctx.Done():
				return
			}
		}
	}()
	return out
}
