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

// dialect is what differs between the backends' SQL. ClickHouse keeps every written row
// and collapses duplicates of an event id (ReplacingMergeTree) only in background merges, so
// a read may see an event twice: aggregates that duplicates cannot change (distinct counts,
// min/max per order) read the table as it is, and sums and counts read it through deduped
// (one row per event id, GROUP BY event_id) — on 18.16 that is several times faster than
// FINAL, which merges every column of every part on one thread. DuckDB refuses a duplicate
// at insert (primary key), so its reads need neither. ClickHouse stores times as DateTime; DuckDB as epoch seconds (BIGINT), which
// keeps its comparisons free of session time zones.
type dialect struct {
	final string
	// dedupOnRead: duplicates of an event id may be stored (see deduped).
	dedupOnRead bool
	// ts is a bound epoch-seconds parameter as a value comparable with occurred_at.
	ts string
	// epoch turns occurred_at into epoch seconds.
	epoch func(col string) string
	// countIf, minIf, uniqIf, quantileIf are the conditional aggregates.
	countIf    func(cond string) string
	minIf      func(x, cond string) string
	uniq       func(x string) string
	uniqIf     func(x, cond string) string
	sumIf      func(x, cond string) string
	sum        func(x string) string
	leftJoin   string
	idiv       func(a, b string) string
	quantileIf func(q float64, x, cond string) string
}

var clickhouseDialect = dialect{
	final:       "",
	dedupOnRead: true,
	ts:          "toDateTime(?)",
	epoch:       func(c string) string { return "toInt64(" + c + ")" },
	countIf:     func(c string) string { return "countIf(" + c + ")" },
	minIf:       func(x, c string) string { return "minIf(" + x + ", " + c + ")" },
	uniq:        func(x string) string { return "uniqExact(" + x + ")" },
	uniqIf:      func(x, c string) string { return "uniqExactIf(" + x + ", " + c + ")" },
	sumIf:       func(x, c string) string { return "sumIf(" + x + ", " + c + ")" },
	sum:         func(x string) string { return "sum(" + x + ")" },
	leftJoin:    "ALL LEFT JOIN",
	idiv:        func(a, b string) string { return "intDiv(" + a + ", " + b + ")" },
	quantileIf:  func(q float64, x, c string) string { return fmt.Sprintf("quantileExactIf(%g)(%s, %s)", q, x, c) },
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
	quantileIf: func(q float64, x, c string) string {
		return fmt.Sprintf("coalesce(quantile_disc(%s, %g) FILTER (WHERE %s), 0)", x, q, c)
	},
}

// olap runs the dashboard queries over database/sql in one dialect.
type olap struct {
	db *sql.DB
	d  dialect
}

// deduped is a FROM source with one row per key (event_id, or event_id and line for
// dishes) of table's rows matching where, exposing cols as x_<col>.
func (o olap) deduped(table string, key []string, cols []string, where string) string {
	sel := make([]string, len(cols))
	for i, c := range cols {
		if o.d.dedupOnRead {
			sel[i] = "any(" + c + ") AS x_" + c
		} else {
			sel[i] = c + " AS x_" + c
		}
	}
	q := "(SELECT " + strings.Join(sel, ", ") + " FROM " + table + " WHERE " + where
	if o.d.dedupOnRead {
		q += " GROUP BY " + strings.Join(key, ", ")
	}
	return q + ") d"
}

var eventKey = []string{"event_id"}

func quoteList(xs []string) string { return "'" + strings.Join(xs, "','") + "'" }

// scopeSQL is the restaurant filter of a scoped query and its arguments.
func scopeSQL(s domain.Scope) (string, []any) {
	if s.All() {
		return "", nil
	}
	if len(s.RestaurantIDs) == 0 {
		return " AND 1 = 0", nil
	}
	marks := strings.TrimSuffix(strings.Repeat("?,", len(s.RestaurantIDs)), ",")
	args := make([]any, len(s.RestaurantIDs))
	for i, id := range s.RestaurantIDs {
		args[i] = id
	}
	return " AND restaurant_id IN (" + marks + ")", args
}

// cohort is the order ids placed in r within s, and its arguments.
func (o olap) cohort(r domain.Range, s domain.Scope) (string, []any) {
	where, args := scopeSQL(s)
	q := fmt.Sprintf("SELECT order_id FROM events%s WHERE event_type = '%s' AND occurred_at >= %s AND occurred_at < %s%s",
		o.d.final, domain.TypeOrderCreated, o.d.ts, o.d.ts, where)
	return q, append([]any{r.From.Unix(), r.To.Unix()}, args...)
}

func (o olap) SalesSlots(ctx context.Context, r domain.Range, s domain.Scope) ([]domain.SlotSales, error) {
	where, sargs := scopeSQL(s)
	slot := int64(domain.Slot / time.Second)
	src := o.deduped("events", eventKey, []string{"occurred_at", "amount_minor"},
		fmt.Sprintf("event_type = '%s' AND occurred_at >= %s AND occurred_at < %s%s", domain.TypeOrderCreated, o.d.ts, o.d.ts, where))
	q := fmt.Sprintf(`SELECT %[1]s - %[1]s %% %[2]d AS slot, count(*), %[3]s FROM %[4]s GROUP BY slot ORDER BY slot`,
		o.d.epoch("x_occurred_at"), slot, o.d.sum("x_amount_minor"), src)
	rows, err := o.db.QueryContext(ctx, q, append([]any{r.From.Unix(), r.To.Unix()}, sargs...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []domain.SlotSales
	for rows.Next() {
		var sec, n, gmv int64
		if err := rows.Scan(&sec, &n, &gmv); err != nil {
			return nil, err
		}
		out = append(out, domain.SlotSales{Slot: time.Unix(sec, 0).UTC(), Orders: n, GMVMinor: gmv})
	}
	return out, rows.Err()
}

func (o olap) SalesBreakdown(ctx context.Context, r domain.Range, s domain.Scope, by domain.Breakdown, limit int) ([]domain.SalesRow, error) {
	col := "restaurant_id"
	if by == domain.ByZone {
		col = "zone"
	}
	where, sargs := scopeSQL(s)
	src := o.deduped("events", eventKey, []string{col, "amount_minor"},
		fmt.Sprintf("event_type = '%s' AND occurred_at >= %s AND occurred_at < %s%s", domain.TypeOrderCreated, o.d.ts, o.d.ts, where))
	q := fmt.Sprintf(`SELECT x_%s AS k, count(*) AS n, %s AS gmv FROM %s GROUP BY k ORDER BY gmv DESC, k LIMIT %d`,
		col, o.d.sum("x_amount_minor"), src, limit)
	rows, err := o.db.QueryContext(ctx, q, append([]any{r.From.Unix(), r.To.Unix()}, sargs...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []domain.SalesRow
	for rows.Next() {
		var x domain.SalesRow
		if err := rows.Scan(&x.Key, &x.Orders, &x.GMVMinor); err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, rows.Err()
}

// statusOfCohort is the status events since r.From of the orders placed in r within s.
func (o olap) statusOfCohort(r domain.Range, s domain.Scope, extra string) (string, []any) {
	cohort, cargs := o.cohort(r, s)
	q := fmt.Sprintf("FROM events%s WHERE event_type = '%s' AND occurred_at >= %s%s AND order_id IN (%s)",
		o.d.final, domain.TypeOrderStatusChanged, o.d.ts, extra, cohort)
	return q, append([]any{r.From.Unix()}, cargs...)
}

func (o olap) count(ctx context.Context, q string, args ...any) (int64, error) {
	var n int64
	err := o.db.QueryRowContext(ctx, q, args...).Scan(&n)
	return n, err
}

func (o olap) Funnel(ctx context.Context, r domain.Range, s domain.Scope) (domain.Funnel, error) {
	var f domain.Funnel
	cohort, cargs := o.cohort(r, s)
	var err error
	if f.Placed, err = o.count(ctx, "SELECT "+o.d.uniq("order_id")+" FROM ("+cohort+") c", cargs...); err != nil {
		return f, err
	}
	from, args := o.statusOfCohort(r, s, "")
	q := fmt.Sprintf("SELECT %s, %s, %s %s", o.d.uniqIf("order_id", "status_to = 'paid'"),
		o.d.uniqIf("order_id", "status_to = 'accepted'"), o.d.uniqIf("order_id", "status_to = 'delivered'"), from)
	if err := o.db.QueryRowContext(ctx, q, args...).Scan(&f.Paid, &f.Accepted, &f.Delivered); err != nil {
		return f, err
	}
	from, args = o.statusOfCohort(r, s, " AND status_to IN ("+quoteList(domain.DropOffStatuses)+")")
	rows, err := o.db.QueryContext(ctx, fmt.Sprintf("SELECT status_to, reason, %s AS n %s GROUP BY status_to, reason ORDER BY n DESC, status_to, reason",
		o.d.uniq("order_id"), from), args...)
	if err != nil {
		return f, err
	}
	defer rows.Close()
	for rows.Next() {
		var d domain.DropOff
		if err := rows.Scan(&d.Status, &d.Reason, &d.Orders); err != nil {
			return f, err
		}
		f.DropOffs = append(f.DropOffs, d)
	}
	return f, rows.Err()
}

func (o olap) DeliveryTimes(ctx context.Context, r domain.Range, s domain.Scope) (domain.DeliveryTimes, error) {
	var d domain.DeliveryTimes
	where, sargs := scopeSQL(s)
	cohort, cargs := o.cohort(r, s)
	e := o.d.epoch("occurred_at")
	at := func(cond string) string { return o.d.minIf(e, cond) }
	// One row per delivered order: when it was placed, accepted, ready, picked up, delivered.
	inner := fmt.Sprintf(`SELECT order_id,
		%s AS placed, %s AS accepted, %s AS ready, %s AS picked, %s AS delivered
		FROM events%s
		WHERE ((event_type = '%s' AND occurred_at >= %s AND occurred_at < %s%s)
		    OR (event_type = '%s' AND occurred_at >= %s AND order_id IN (%s)))
		GROUP BY order_id`,
		at("event_type = '"+domain.TypeOrderCreated+"'"), at("status_to = 'accepted'"), at("status_to = 'ready_for_pickup'"),
		at("status_to = 'picked_up'"), at("status_to = 'delivered'"),
		o.d.final, domain.TypeOrderCreated, o.d.ts, o.d.ts, where, domain.TypeOrderStatusChanged, o.d.ts, cohort)
	args := append(append(append([]any{r.From.Unix(), r.To.Unix()}, sargs...), r.From.Unix()), cargs...)
	parts := []struct {
		q          *domain.Quantiles
		start, end string
	}{
		{&d.Total, "placed", "delivered"}, {&d.Acceptance, "placed", "accepted"}, {&d.Kitchen, "accepted", "ready"},
		{&d.Pickup, "ready", "picked"}, {&d.Drive, "picked", "delivered"},
	}
	var cols []string
	for _, p := range parts {
		x, cond := p.end+" - "+p.start, p.start+" > 0 AND "+p.end+" >= "+p.start
		for _, q := range []float64{0.5, 0.9, 0.99} {
			cols = append(cols, o.d.quantileIf(q, x, cond))
		}
		cols = append(cols, o.d.countIf(cond))
	}
	q := fmt.Sprintf("SELECT %s FROM (%s) t WHERE placed > 0 AND delivered > 0", strings.Join(cols, ", "), inner)
	var dest []any
	vals := make([]float64, len(parts)*3)
	counts := make([]int64, len(parts))
	for i := range parts {
		dest = append(dest, &vals[i*3], &vals[i*3+1], &vals[i*3+2], &counts[i])
	}
	if err := o.db.QueryRowContext(ctx, q, args...).Scan(dest...); err != nil {
		return d, err
	}
	for i, p := range parts {
		*p.q = domain.Quantiles{P50: vals[i*3], P90: vals[i*3+1], P99: vals[i*3+2], Count: counts[i]}
	}
	return d, nil
}

func (o olap) Rates(ctx context.Context, r domain.Range, s domain.Scope) (domain.Rates, error) {
	var x domain.Rates
	cohort, cargs := o.cohort(r, s)
	var err error
	if x.Placed, err = o.count(ctx, "SELECT "+o.d.uniq("order_id")+" FROM ("+cohort+") c", cargs...); err != nil {
		return x, err
	}
	from, args := o.statusOfCohort(r, s, " AND status_to IN ("+quoteList(domain.DropOffStatuses)+")")
	if x.Cancelled, err = o.count(ctx, "SELECT "+o.d.uniq("order_id")+" "+from, args...); err != nil {
		return x, err
	}
	src := o.deduped("events", eventKey, []string{"order_id", "amount_minor"},
		fmt.Sprintf("event_type = '%s' AND occurred_at >= %s AND order_id IN (%s)", domain.TypePaymentRefunded, o.d.ts, cohort))
	q := fmt.Sprintf("SELECT %s, %s FROM %s", o.d.uniq("x_order_id"), o.d.sum("x_amount_minor"), src)
	err = o.db.QueryRowContext(ctx, q, append([]any{r.From.Unix()}, cargs...)...).Scan(&x.Refunded, &x.RefundedMinor)
	return x, err
}

func (o olap) TopDishes(ctx context.Context, r domain.Range, s domain.Scope, limit int) ([]domain.Dish, error) {
	where, sargs := scopeSQL(s)
	src := o.deduped("dishes", []string{"event_id", "line"}, []string{"menu_item_id", "name", "restaurant_id", "quantity", "amount_minor"},
		fmt.Sprintf("occurred_at >= %s AND occurred_at < %s%s", o.d.ts, o.d.ts, where))
	q := fmt.Sprintf(`SELECT x_menu_item_id, max(x_name), max(x_restaurant_id), %s AS qty, %s AS revenue FROM %s
		GROUP BY x_menu_item_id ORDER BY qty DESC, revenue DESC, x_menu_item_id LIMIT %d`,
		o.d.sum("x_quantity"), o.d.sum("x_amount_minor"), src, limit)
	rows, err := o.db.QueryContext(ctx, q, append([]any{r.From.Unix(), r.To.Unix()}, sargs...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []domain.Dish
	for rows.Next() {
		var d domain.Dish
		if err := rows.Scan(&d.MenuItemID, &d.Name, &d.RestaurantID, &d.Quantity, &d.RevenueMinor); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

func (o olap) Drivers(ctx context.Context, r domain.Range, limit int, shareBps int64) ([]domain.DriverFigures, error) {
	by := map[string]*domain.DriverFigures{}
	get := func(id string) *domain.DriverFigures {
		if by[id] == nil {
			by[id] = &domain.DriverFigures{DriverID: id}
		}
		return by[id]
	}
	minute := o.d.epoch("occurred_at") + " - " + o.d.epoch("occurred_at") + " % 60"
	q := fmt.Sprintf(`SELECT driver_id, %s, %s FROM events%s
		WHERE event_type = '%s' AND occurred_at >= %s AND occurred_at < %s AND driver_id != '' GROUP BY driver_id`,
		o.d.uniq(minute), o.d.uniqIf(minute, "order_id != ''"), o.d.final, domain.TypeDriverLocation, o.d.ts, o.d.ts)
	if err := o.each(ctx, q, []any{r.From.Unix(), r.To.Unix()}, func(rows *sql.Rows) error {
		var id string
		var online, busy int64
		if err := rows.Scan(&id, &online, &busy); err != nil {
			return err
		}
		f := get(id)
		f.OnlineMinutes, f.BusyMinutes = online, busy
		return nil
	}); err != nil {
		return nil, err
	}
	delivered := fmt.Sprintf(`SELECT driver_id, order_id FROM events%s WHERE event_type = '%s' AND status_to = 'delivered'
		AND occurred_at >= %s AND occurred_at < %s AND driver_id != ''`, o.d.final, domain.TypeDeliveryStatus, o.d.ts, o.d.ts)
	// Earnings: the driver's share of each delivered order's total (the order.created row),
	// rounded down per order as the wallet's split does.
	share := o.d.idiv(fmt.Sprintf("c.total * %d", shareBps), "10000")
	q = fmt.Sprintf(`SELECT d.driver_id, count(DISTINCT d.order_id), %s FROM (%s GROUP BY driver_id, order_id) d
		%s (SELECT order_id, max(amount_minor) AS total FROM events%s WHERE event_type = '%s' AND occurred_at < %s GROUP BY order_id) c
		ON d.order_id = c.order_id GROUP BY d.driver_id`, o.d.sum(share), delivered, o.d.leftJoin, o.d.final, domain.TypeOrderCreated, o.d.ts)
	if err := o.each(ctx, q, []any{r.From.Unix(), r.To.Unix(), r.To.Unix()}, func(rows *sql.Rows) error {
		var id string
		var n, fee int64
		if err := rows.Scan(&id, &n, &fee); err != nil {
			return err
		}
		f := get(id)
		f.Deliveries, f.EarningsMinor = n, fee
		return nil
	}); err != nil {
		return nil, err
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
	rows, err := o.db.QueryContext(ctx, q, args...)
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
	q := fmt.Sprintf("SELECT %s, %s FROM %s", o.d.countIf("x_occurred_at >= "+o.d.ts), o.d.sumIf("x_amount_minor", "x_occurred_at >= "+o.d.ts),
		o.deduped("events", eventKey, []string{"occurred_at", "amount_minor"}, created+" AND occurred_at >= "+o.d.ts))
	lo := now.Add(-time.Minute)
	if todayStart.Before(lo) {
		lo = todayStart
	}
	if err := o.db.QueryRowContext(ctx, q, now.Add(-time.Minute).Unix(), todayStart.Unix(), lo.Unix()).Scan(&l.OrdersPerMinute, &l.GMVTodayMinor); err != nil {
		return l, fmt.Errorf("orders and gmv: %w", err)
	}
	var err error
	if l.ActiveDrivers, err = o.count(ctx, fmt.Sprintf("SELECT %s FROM events%s WHERE event_type = '%s' AND occurred_at >= %s AND driver_id != ''",
		o.d.uniq("driver_id"), o.d.final, domain.TypeDriverLocation, o.d.ts), now.Add(-domain.ActiveDriverWindow).Unix()); err != nil {
		return l, fmt.Errorf("active drivers: %w", err)
	}
	since := now.Add(-domain.OpenOrderWindow).Unix()
	ended := append([]string{domain.StatusDelivered}, domain.DropOffStatuses...)
	q = fmt.Sprintf(`SELECT `+o.d.uniq("order_id")+` FROM events%[1]s WHERE %[2]s AND occurred_at >= %[3]s AND order_id NOT IN (
		SELECT order_id FROM events%[1]s WHERE event_type = '%[4]s' AND occurred_at >= %[3]s AND status_to IN (%[5]s))`,
		o.d.final, created, o.d.ts, domain.TypeOrderStatusChanged, quoteList(ended))
	if l.OpenOrders, err = o.count(ctx, q, since, since); err != nil {
		return l, fmt.Errorf("open orders: %w", err)
	}
	return l, nil
}
