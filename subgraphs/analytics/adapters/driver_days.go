package adapters

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"

	"github.com/dizhtime/dizhtime/subgraphs/analytics/domain"
)

// Drivers' online and busy minutes are read from driver_days (migration 0007): per UTC day
// × driver, recomputed after a batch from the location events of the days the batch's
// locations fall in (also those found stored: a failed write's retry recomputes too),
// versioned by online * 1441 + busy (a day has 1,440 minutes). A range reads its whole
// days from driver_days and its partial days at the ends from the events; minutes never
// straddle a day, so the parts add up to the distinct minutes of the range.

// locationDays are the UTC days of the batch's driver.location facts, sorted.
func locationDays(facts []domain.Fact) []int64 {
	var out []int64
	for i := range facts {
		if facts[i].EventType == domain.TypeDriverLocation && facts[i].DriverID != "" {
			out = append(out, dayOf(facts[i].OccurredAt.Unix()))
		}
	}
	return sortedDays(out)
}

// minutesOf is a query of (driver_id, online, busy) over the location events matching where.
func (o olap) minutesOf(where string) string {
	minute := o.d.idiv(o.d.epoch("occurred_at"), "60")
	return fmt.Sprintf(`SELECT driver_id, %s AS online, %s AS busy FROM events WHERE event_type = '%s' AND driver_id != '' AND %s GROUP BY driver_id`,
		o.d.i64(o.d.uniq(minute)), o.d.i64(o.d.uniqIf(minute, "order_id != ''")), domain.TypeDriverLocation, where)
}

// refreshDriversSQL recomputes days' rows of driver_days from the location events.
func (o olap) refreshDriversSQL(days []int64) string {
	day := fmt.Sprintf("%s * %d", o.d.idiv(o.d.epoch("occurred_at"), strconv.Itoa(daySeconds)), daySeconds)
	minute := o.d.idiv(o.d.epoch("occurred_at"), "60")
	return fmt.Sprintf(`INSERT INTO driver_days (day, driver_id, online, busy, version)
		SELECT day, driver_id, online, busy, online * 1441 + busy FROM (
		SELECT %s AS day, driver_id, %s AS online, %s AS busy FROM events
		WHERE event_type = '%s' AND driver_id != '' AND %s
		GROUP BY day, driver_id) x`,
		day, o.d.i64(o.d.uniq(minute)), o.d.i64(o.d.uniqIf(minute, "order_id != ''")), domain.TypeDriverLocation,
		o.inUnits("occurred_at", daySeconds, days))
}

// driverMinutes is a query of (driver_id, online, busy) rows that together hold every
// driver's minutes in r once: whole days from driver_days, the ends from the events.
func (o olap) driverMinutes(r domain.Range) (string, []any) {
	lo, hi, ok, ends := split(r, daySeconds)
	var parts []string
	var args []any
	if ok {
		from, rargs := o.rollupRows("driver_days", "day", lo, hi, "", nil)
		parts = append(parts, fmt.Sprintf("SELECT driver_id, %s AS online, %s AS busy %s", o.d.i64("online"), o.d.i64("busy"), from))
		args = append(args, rargs...)
	}
	for _, e := range ends {
		parts = append(parts, o.minutesOf(fmt.Sprintf("occurred_at >= %s AND occurred_at < %s", o.d.ts, o.d.ts)))
		args = append(args, e[0], e[1])
	}
	return fmt.Sprintf("SELECT driver_id, %s, %s FROM (%s) u GROUP BY driver_id", o.d.sum("online"), o.d.sum("busy"), strings.Join(parts, " UNION ALL ")), args
}

// Drivers' deliveries and earnings are read from driver_deliveries (migration 0009): per UTC
// day of the delivered event × driver, the number of delivered orders and each one's order
// total, each (driver, order) once — the earnings are the read's share of each total,
// rounded down order by order, as the wallet's split does, so they stay exact for any share.
// ClickHouse recomputes the days of a batch's delivered events from the events (a row's
// count only grows: its version, read with FINAL), DuckDB's one writer appends each new
// delivered order's total. A range reads its whole days from driver_deliveries, its partial
// days from the events, and the delivered events stored before their order's placement
// (order_placed_at 0, listed in unplaced) with their order's total looked up in orders. A
// driver and order are counted on the day of their delivered event (one event: a delivery
// enters delivered once).

// deliveredDays are the UTC days of the batch's delivered delivery facts with a driver, sorted.
func deliveredDays(facts []domain.Fact) []int64 {
	var out []int64
	for i := range facts {
		if isDelivered(&facts[i]) {
			out = append(out, dayOf(facts[i].OccurredAt.Unix()))
		}
	}
	return sortedDays(out)
}

// isDelivered reports whether f is a delivery's delivered status change with a driver.
func isDelivered(f *domain.Fact) bool {
	return f.EventType == domain.TypeDeliveryStatus && f.StatusTo == domain.StatusDelivered && f.DriverID != ""
}

// refreshDeliveriesSQL recomputes days' rows of driver_deliveries from the events.
func (o olap) refreshDeliveriesSQL(days []int64) string {
	return fmt.Sprintf(`INSERT INTO driver_deliveries (day, driver_id, deliveries, totals)
		SELECT day, did, count(), groupArray(tot) FROM (
		SELECT intDiv(toInt64(min(occurred_at)), %[1]d) * %[1]d AS day, driver_id AS did, max(order_total_minor) AS tot
		FROM events WHERE event_type = '%[2]s' AND status_to = 'delivered' AND driver_id != '' AND order_placed_at != toDateTime(0)
			AND %[3]s
		GROUP BY driver_id, order_id) x GROUP BY day, did`,
		daySeconds, domain.TypeDeliveryStatus, o.inUnits("occurred_at", daySeconds, days))
}

// driverEarnings is each driver's deliveries and earnings (shareBps of each delivered
// order's total, rounded down per order) in r.
func (o olap) driverEarnings(ctx context.Context, r domain.Range, shareBps int64) ([]domain.DriverFigures, error) {
	lo, hi, ok, ends := split(r, daySeconds)
	var parts []string
	var args []any
	if ok {
		rows, rargs := o.rollupRows("driver_deliveries", "day", lo, hi, "", nil)
		parts = append(parts, fmt.Sprintf("SELECT driver_id AS did, %s AS n, %s AS earn %s", o.d.i64("deliveries"), o.d.i64(o.d.shares("totals", shareBps)), rows))
		args = append(args, rargs...)
	}
	delivered := fmt.Sprintf("FROM events WHERE event_type = '%s' AND status_to = 'delivered' AND driver_id != '' AND occurred_at >= %s AND occurred_at < %s",
		domain.TypeDeliveryStatus, o.d.ts, o.d.ts)
	share := o.d.idiv(fmt.Sprintf("tot * %d", shareBps), "10000")
	// The partial days: one row per driver and order (max of its totals).
	for _, e := range ends {
		parts = append(parts, fmt.Sprintf(`SELECT did, %s AS n, %s AS earn FROM (SELECT driver_id AS did, max(order_total_minor) AS tot %s
			AND order_placed_at != %s GROUP BY driver_id, order_id) y GROUP BY did`, o.d.i64("count(*)"), o.d.sum(share), delivered, o.d.ts))
		args = append(args, e[0], e[1], int64(0))
	}
	// Every delivered event stored without its order's placement has its unplaced row: a range
	// without one (the usual case) needs neither the join over orders nor its scans. Those
	// events' totals come from orders; a driver and order with an event of each kind in r
	// counts once (with the placed one, above).
	from, to := r.From.Unix(), r.To.Unix()
	n, err := o.count(ctx, fmt.Sprintf("SELECT count(*) FROM unplaced WHERE event_type = '%s' AND occurred_at >= %s AND occurred_at < %s",
		domain.TypeDeliveryStatus, o.d.ts, o.d.ts), from, to)
	if err != nil {
		return nil, fmt.Errorf("unplaced deliveries: %w", err)
	}
	if n > 0 {
		pair := "concat(driver_id, '|', order_id)"
		parts = append(parts, fmt.Sprintf(`SELECT did, %[1]s AS n, %[2]s AS earn FROM (SELECT d.driver_id AS did, d.order_id AS oid, max(c.total) AS tot
			FROM (SELECT driver_id, order_id %[3]s AND order_placed_at = %[4]s AND %[6]s NOT IN (SELECT %[6]s %[3]s AND order_placed_at != %[4]s)) d
			%[5]s (SELECT order_id, max(total_minor) AS total FROM orders WHERE order_id IN (SELECT order_id %[3]s AND order_placed_at = %[4]s)
			GROUP BY order_id) c ON d.order_id = c.order_id
			GROUP BY d.driver_id, d.order_id) y GROUP BY did`, o.d.i64("count(*)"), o.d.sum(share), delivered, o.d.ts, o.d.leftJoin, pair))
		args = append(args, from, to, int64(0), from, to, int64(0), from, to, int64(0))
	}
	q := fmt.Sprintf("SELECT did, %s, %s FROM (%s) u GROUP BY did", o.d.sum("n"), o.d.sum("earn"), strings.Join(parts, " UNION ALL "))
	var out []domain.DriverFigures
	err = o.each(ctx, q, args, func(rows *sql.Rows) error {
		f := domain.DriverFigures{}
		if err := rows.Scan(&f.DriverID, &f.Deliveries, &f.EarningsMinor); err != nil {
			return err
		}
		out = append(out, f)
		return nil
	})
	return out, err
}
