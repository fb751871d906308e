package adapters

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/dizhtime/dizhtime/subgraphs/analytics/domain"
)

// dialect is what differs between the backends' SQL. A store may hold an event twice (two
// writers during a rebalance, see prepare), so every read counts each event id once. ClickHouse
// stores times as DateTime; DuckDB as epoch seconds (BIGINT), which keeps its comparisons
// free of session time zones.
type dialect struct {
	// final follows a rollup table's name in reads so that each key reads as one row
	// (rollupRows, sales_slots.go): ClickHouse's FINAL; empty for DuckDB, whose one writer
	// keeps one row per key.
	final string
	// platform is whether the backend keeps the platform-wide rollups (platform_slots,
	// funnel_platform: ClickHouse, migration 0010) that platform-wide reads use.
	platform bool
	// ts is a bound epoch-seconds parameter as a value comparable with occurred_at.
	ts string
	// epoch turns occurred_at into epoch seconds.
	epoch func(col string) string
	// countIf, minIf, uniqIf, sumIf are the conditional aggregates.
	countIf  func(cond string) string
	minIf    func(x, cond string) string
	uniq     func(x string) string
	uniqIf   func(x, cond string) string
	sumIf    func(x, cond string) string
	sum      func(x string) string
	leftJoin string
	idiv     func(a, b string) string
	// anyOf is any one value of x in a group; i64 casts to a signed 64-bit integer.
	anyOf func(x string) string
	i64   func(x string) string
	// shares is the sum of each of the list col's totals times bps / 10000, rounded down
	// one by one (0 for an empty list).
	shares func(col string, bps int64) string
}

var clickhouseDialect = dialect{
	final:    " FINAL",
	platform: true,
	ts:       "toDateTime(?)",
	epoch:    func(c string) string { return "toInt64(" + c + ")" },
	countIf:  func(c string) string { return "countIf(" + c + ")" },
	minIf:    func(x, c string) string { return "minIf(" + x + ", " + c + ")" },
	uniq:     func(x string) string { return "uniqExact(" + x + ")" },
	uniqIf:   func(x, c string) string { return "uniqExactIf(" + x + ", " + c + ")" },
	sumIf:    func(x, c string) string { return "sumIf(" + x + ", " + c + ")" },
	sum:      func(x string) string { return "sum(" + x + ")" },
	leftJoin: "ALL LEFT JOIN",
	idiv:     func(a, b string) string { return "intDiv(" + a + ", " + b + ")" },
	anyOf:    func(x string) string { return "any(" + x + ")" },
	i64:      func(x string) string { return "toInt64(" + x + ")" },
	shares: func(col string, bps int64) string {
		return fmt.Sprintf("arraySum(arrayMap(t -> intDiv(t * %d, 10000), %s))", bps, col)
	},
}

var duckdbDialect = dialect{
	final:   "",
	ts:      "?",
	epoch:   func(c string) string { return c },
	countIf: func(c string) string { return "count(*) FILTER (WHERE " + c + ")" },
	minIf:   func(x, c string) string { return "coalesce(min(" + x + ") FILTER (WHERE " + c + "), 0)" },
	uniq:    func(x string) string { return "count(DISTINCT " + x + ")" },
	uniqIf:  func(x, c string) string { return "count(DISTINCT " + x + ") FILTER (WHERE " + c + ")" },
	sumIf: func(x, c string) string {
		return "CAST(coalesce(sum(" + x + ") FILTER (WHERE " + c + "), 0) AS BIGINT)"
	},
	// DuckDB sums BIGINT into HUGEINT; the figures fit in 64 bits.
	sum:      func(x string) string { return "CAST(coalesce(sum(" + x + "), 0) AS BIGINT)" },
	leftJoin: "LEFT JOIN",
	idiv:     func(a, b string) string { return "(" + a + ") // (" + b + ")" },
	anyOf:    func(x string) string { return "any_value(" + x + ")" },
	i64:      func(x string) string { return "CAST(" + x + " AS BIGINT)" },
	shares: func(col string, bps int64) string {
		return fmt.Sprintf("coalesce(list_sum(list_transform(%s, lambda t: t * %d // 10000)), 0)", col, bps)
	},
}

// olap runs the dashboard queries over database/sql in one dialect.
type olap struct {
	db    *sql.DB
	d     dialect
	clock *stepClock
	// stmts, when set, prepares the queries each runs once (DuckDB: stmt_cache.go).
	stmts *stmtCache
	// recent, when set, holds the placements of the orders written lately (DuckDB's one
	// writer; prepare.go), used only under the writer's lock.
	recent *placementCache
}

func quoteList(xs []string) string { return "'" + strings.Join(xs, "','") + "'" }

// scopeSQL is the restaurant filter of a scoped query and its arguments.
func scopeSQL(s domain.Scope) (string, []any) {
	if s.All() {
		return "", nil
	}
	if len(s.RestaurantIDs) == 0 {
		return " AND 1 = 0", nil
	}
	marks := placeholders(len(s.RestaurantIDs))
	args := make([]any, len(s.RestaurantIDs))
	for i, id := range s.RestaurantIDs {
		args[i] = id
	}
	return " AND restaurant_id IN (" + marks + ")", args
}

// created is the WHERE of the order.created rows in r within s, and its arguments.
func (o olap) created(r domain.Range, s domain.Scope) (string, []any) {
	where, args := scopeSQL(s)
	return fmt.Sprintf("event_type = '%s' AND occurred_at >= %s AND occurred_at < %s%s", domain.TypeOrderCreated, o.d.ts, o.d.ts, where),
		append([]any{r.From.Unix(), r.To.Unix()}, args...)
}

// salesOf is a subquery of rows with at least slot, n and gmv holding every order placed in
// r within s once (platformSalesSource when s is the whole platform).
func (o olap) salesOf(r domain.Range, s domain.Scope) (string, []any) {
	if s.All() {
		return o.platformSalesSource(r)
	}
	return o.salesSource(r, s)
}

func (o olap) SalesSlots(ctx context.Context, r domain.Range, s domain.Scope) ([]domain.SlotSales, error) {
	src, args := o.salesOf(r, s)
	q := fmt.Sprintf(`SELECT slot, %s, %s FROM (%s) u GROUP BY slot ORDER BY slot`, o.d.sum("n"), o.d.sum("gmv"), src)
	var out []domain.SlotSales
	err := o.each(ctx, q, args, func(rows *sql.Rows) error {
		var sec, n, gmv int64
		if err := rows.Scan(&sec, &n, &gmv); err != nil {
			return err
		}
		out = append(out, domain.SlotSales{Slot: time.Unix(sec, 0).UTC(), Orders: n, GMVMinor: gmv})
		return nil
	})
	return out, err
}

func (o olap) SalesBreakdown(ctx context.Context, r domain.Range, s domain.Scope, by domain.Breakdown, limit int) ([]domain.SalesRow, error) {
	src, args := o.breakdownSource(r, s, by)
	q := fmt.Sprintf(`SELECT k, %s AS orders, %s AS g FROM (%s) u GROUP BY k ORDER BY g DESC, k LIMIT %d`,
		o.d.sum("n"), o.d.sum("gmv"), src, limit)
	var out []domain.SalesRow
	err := o.each(ctx, q, args, func(rows *sql.Rows) error {
		var x domain.SalesRow
		if err := rows.Scan(&x.Key, &x.Orders, &x.GMVMinor); err != nil {
			return err
		}
		out = append(out, x)
		return nil
	})
	return out, err
}

// EventCount is the number of stored events (benchmarks and operators).
func (o olap) EventCount(ctx context.Context) (int64, error) {
	return o.count(ctx, "SELECT count(*) FROM events")
}

func (o olap) count(ctx context.Context, q string, args ...any) (int64, error) {
	var n int64
	err := o.db.QueryRowContext(ctx, q, args...).Scan(&n)
	return n, err
}

// placed counts the orders placed in r within s (one order.created event per order).
func (o olap) placed(ctx context.Context, r domain.Range, s domain.Scope) (int64, error) {
	src, args := o.salesOf(r, s)
	return o.count(ctx, fmt.Sprintf("SELECT %s FROM (%s) u", o.d.sum("n"), src), args...)
}

// Funnel counts the cohort's orders that reached each status (an order enters each status
// once: the orders service's state machine), from the step rollups (funnel_days.go), each
// order once.
func (o olap) Funnel(ctx context.Context, r domain.Range, s domain.Scope) (domain.Funnel, error) {
	var f domain.Funnel
	var counts []stepCount
	err := together([]func() error{
		func() (err error) { f.Placed, err = o.placed(ctx, r, s); return err },
		func() (err error) { counts, err = o.steps(ctx, r, s); return err },
	})
	if err != nil {
		return domain.Funnel{}, err
	}
	for _, c := range counts {
		switch {
		case c.step == domain.StatusPaid:
			f.Paid += c.orders
		case c.step == domain.StatusAccepted:
			f.Accepted += c.orders
		case c.step == domain.StatusDelivered:
			f.Delivered += c.orders
		case slices.Contains(domain.DropOffStatuses, c.step):
			f.DropOffs = append(f.DropOffs, domain.DropOff{Status: c.step, Reason: c.reason, Orders: c.orders})
		}
	}
	slices.SortFunc(f.DropOffs, func(a, b domain.DropOff) int {
		if a.Orders != b.Orders {
			return int(b.Orders - a.Orders)
		}
		if c := strings.Compare(a.Status, b.Status); c != 0 {
			return c
		}
		return strings.Compare(a.Reason, b.Reason)
	})
	return f, nil
}

func (o olap) Rates(ctx context.Context, r domain.Range, s domain.Scope) (domain.Rates, error) {
	var x domain.Rates
	var counts []stepCount
	err := together([]func() error{
		func() (err error) { x.Placed, err = o.placed(ctx, r, s); return err },
		func() (err error) { counts, err = o.steps(ctx, r, s); return err },
	})
	if err != nil {
		return domain.Rates{}, err
	}
	// An order ends once: its drop-off steps are the order; a refund step is one refund event.
	for _, c := range counts {
		switch {
		case slices.Contains(domain.DropOffStatuses, c.step):
			x.Cancelled += c.orders
		case c.step == stepRefund:
			x.Refunded += c.orders
			x.RefundedMinor += c.amountMinor
		}
	}
	return x, nil
}

// dishesOf is dishSource's rows of r within s (platformDishSource's when s is the whole
// platform).
func (o olap) dishesOf(r domain.Range, s domain.Scope) (string, []any) {
	if s.All() {
		return o.platformDishSource(r)
	}
	return o.dishSource(r, s)
}

func (o olap) TopDishes(ctx context.Context, r domain.Range, s domain.Scope, limit int) ([]domain.Dish, error) {
	src, args := o.dishesOf(r, s)
	q := fmt.Sprintf(`SELECT mid, max(nm), max(rid), %s AS qty, %s AS revenue FROM (%s) u
		GROUP BY mid ORDER BY qty DESC, revenue DESC, mid LIMIT %d`, o.d.sum("qn"), o.d.sum("amt"), src, limit)
	var out []domain.Dish
	err := o.each(ctx, q, args, func(rows *sql.Rows) error {
		var d domain.Dish
		if err := rows.Scan(&d.MenuItemID, &d.Name, &d.RestaurantID, &d.Quantity, &d.RevenueMinor); err != nil {
			return err
		}
		out = append(out, d)
		return nil
	})
	return out, err
}

func (o olap) Drivers(ctx context.Context, r domain.Range, limit int, shareBps int64) ([]domain.DriverFigures, error) {
	// Online and busy minutes (whole days from driver_days, the ends from the events) and
	// deliveries with earnings, the two queries at once.
	var minutes, earnings []domain.DriverFigures
	minutesOf := func() error {
		q, margs := o.driverMinutes(r)
		return o.each(ctx, q, margs, func(rows *sql.Rows) error {
			f := domain.DriverFigures{}
			if err := rows.Scan(&f.DriverID, &f.OnlineMinutes, &f.BusyMinutes); err != nil {
				return err
			}
			minutes = append(minutes, f)
			return nil
		})
	}
	earningsOf := func() (err error) {
		earnings, err = o.driverEarnings(ctx, r, shareBps)
		return err
	}
	if err := together([]func() error{minutesOf, earningsOf}); err != nil {
		return nil, err
	}
	by := map[string]*domain.DriverFigures{}
	get := func(id string) *domain.DriverFigures {
		if by[id] == nil {
			by[id] = &domain.DriverFigures{DriverID: id}
		}
		return by[id]
	}
	for _, m := range minutes {
		f := get(m.DriverID)
		f.OnlineMinutes, f.BusyMinutes = m.OnlineMinutes, m.BusyMinutes
	}
	for _, e := range earnings {
		f := get(e.DriverID)
		f.Deliveries, f.EarningsMinor = e.Deliveries, e.EarningsMinor
	}
	out := make([]domain.DriverFigures, 0, len(by))
	for _, f := range by {
		out = append(out, *f)
	}
	slices.SortFunc(out, func(a, b domain.DriverFigures) int {
		if a.Deliveries != b.Deliveries {
			return int(b.Deliveries - a.Deliveries)
		}
		if a.OnlineMinutes != b.OnlineMinutes {
			return int(b.OnlineMinutes - a.OnlineMinutes)
		}
		return strings.Compare(a.DriverID, b.DriverID)
	})
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

func (o olap) each(ctx context.Context, q string, args []any, fn func(*sql.Rows) error) error {
	var st *sql.Stmt
	if o.stmts != nil {
		var err error
		if st, err = o.stmts.get(ctx, q); err != nil {
			return err
		}
	}
	var rows *sql.Rows
	var err error
	if st != nil {
		rows, err = st.QueryContext(ctx, args...)
	} else {
		rows, err = o.db.QueryContext(ctx, q, args...)
	}
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

func (o olap) Live(ctx context.Context, now, todayStart time.Time) (domain.Live, error) {
	var l domain.Live
	created := "event_type = '" + domain.TypeOrderCreated + "'"
	// The four figures at once. Orders of the last minute by distinct event id; GMV today
	// from the sales slots (every order.created since the day's start, as stored ones count
	// once); drivers with a location in the active window; orders placed within the open
	// window and not ended.
	perMinute := func() error {
		q := fmt.Sprintf("SELECT %s FROM events WHERE %s AND occurred_at >= %s", o.d.uniq("event_id"), created, o.d.ts)
		if err := o.db.QueryRowContext(ctx, q, now.Add(-time.Minute).Unix()).Scan(&l.OrdersPerMinute); err != nil {
			return fmt.Errorf("orders per minute: %w", err)
		}
		return nil
	}
	gmv := func() error {
		src, args := o.platformSalesSource(domain.Range{From: todayStart, To: todayStart.Add(48 * time.Hour)})
		if err := o.db.QueryRowContext(ctx, fmt.Sprintf("SELECT %s FROM (%s) u", o.d.sum("gmv"), src), args...).Scan(&l.GMVTodayMinor); err != nil {
			return fmt.Errorf("gmv today: %w", err)
		}
		return nil
	}
	drivers := func() (err error) {
		if l.ActiveDrivers, err = o.count(ctx, fmt.Sprintf("SELECT %s FROM events WHERE event_type = '%s' AND occurred_at >= %s AND driver_id != ''",
			o.d.uniq("driver_id"), domain.TypeDriverLocation, o.d.ts), now.Add(-domain.ActiveDriverWindow).Unix()); err != nil {
			return fmt.Errorf("active drivers: %w", err)
		}
		return nil
	}
	open := func() (err error) {
		since := now.Add(-domain.OpenOrderWindow).Unix()
		ended := append([]string{domain.StatusDelivered}, domain.DropOffStatuses...)
		q := fmt.Sprintf(`SELECT `+o.d.uniq("order_id")+` FROM events WHERE %[1]s AND occurred_at >= %[2]s AND order_id NOT IN (
		SELECT order_id FROM events WHERE event_type = '%[3]s' AND occurred_at >= %[2]s AND status_to IN (%[4]s))`,
			created, o.d.ts, domain.TypeOrderStatusChanged, quoteList(ended))
		if l.OpenOrders, err = o.count(ctx, q, since, since); err != nil {
			return fmt.Errorf("open orders: %w", err)
		}
		return nil
	}
	if err := together([]func() error{perMinute, gmv, drivers, open}); err != nil {
		return domain.Live{}, err
	}
	return l, nil
}
