package adapters

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/dizhtime/dizhtime/subgraphs/analytics/domain"
)

// Delivery times are read as histograms of whole seconds (domain.Seconds), one per part:
// whole UTC days of placement of a platform-wide range from delivery_seconds (migration
// 0008: day × part × seconds → orders, kept at ingestion), the partial days at the range's
// ends — and every day of a restaurant's range — from deliveries, one row per delivered
// order (its rows merged), and the few orders written before their order.created
// (deliveries.placed_at 0) from deliveries and the events. Times are stored in seconds, so
// 1-second buckets lose nothing: the quantiles (nearest rank) are exact.
//
// ClickHouse recomputes a day's buckets from deliveries after every batch whose order steps
// fall in it (a bucket's count only grows, so it is the row's version; reads take per key
// the row with the most, FINAL), DuckDB's one writer adds each new delivered order to its
// buckets (duckdb_rollups.go).

// deliveryParts are the parts of a delivery time, in delivery_seconds.part order: the span
// from one milestone to another (placed, accepted, ready, picked, delivered: 0..4).
var deliveryParts = [5][2]int{{0, 4}, {0, 1}, {1, 2}, {2, 3}, {3, 4}}

// addSpans adds one delivered order's milestones (epoch seconds, 0: not seen) to hs: each
// part whose start was seen and whose end is not before it.
func addSpans(hs *[5]domain.Seconds, m [5]int64) {
	if m[0] <= 0 || m[4] <= 0 {
		return
	}
	for i, p := range deliveryParts {
		if start, end := m[p[0]], m[p[1]]; start > 0 && end >= start {
			hs[i].Add(end-start, 1)
		}
	}
}

func (o olap) DeliveryTimes(ctx context.Context, r domain.Range, s domain.Scope) (domain.DeliveryTimes, error) {
	where, sargs := scopeSQL(s)
	lo, hi, ok, ends := split(r, daySeconds)
	days := s.All() && ok
	if !days { // a restaurant's range reads deliveries whole
		ends = [][2]int64{{r.From.Unix(), r.To.Unix()}}
	}
	var unplaced []any
	if err := o.each(ctx, fmt.Sprintf("SELECT DISTINCT order_id FROM deliveries WHERE placed_at = %s", o.d.ts), []any{int64(0)}, func(rows *sql.Rows) error {
		var id string
		err := rows.Scan(&id)
		unplaced = append(unplaced, id)
		return err
	}); err != nil {
		return domain.DeliveryTimes{}, err
	}
	if days && len(unplaced) > 0 {
		// An order with a row of each kind (two writers, one of which knew the placement) is
		// in delivery_seconds when that row's day is whole: not again from the events.
		counted := map[string]bool{}
		q := fmt.Sprintf("SELECT DISTINCT order_id FROM deliveries WHERE placed_at >= %s AND placed_at < %s AND order_id IN (%s)",
			o.d.ts, o.d.ts, placeholders(len(unplaced)))
		if err := o.each(ctx, q, append([]any{lo, hi}, unplaced...), func(rows *sql.Rows) error {
			var id string
			err := rows.Scan(&id)
			counted[id] = true
			return err
		}); err != nil {
			return domain.DeliveryTimes{}, err
		}
		var keep []any
		for _, id := range unplaced {
			if !counted[id.(string)] {
				keep = append(keep, id)
			}
		}
		unplaced = keep
	}
	// An order's milestones as deliveries rows hold them.
	stored := fmt.Sprintf("SELECT order_id AS oid, %s AS placed, %s AS accepted, %s AS ready, %s AS picked, %s AS delivered FROM deliveries",
		o.d.epoch("placed_at"), o.d.epoch("accepted_at"), o.d.epoch("ready_at"), o.d.epoch("picked_at"), o.d.epoch("delivered_at"))
	var parts []string
	var args []any
	for _, e := range ends {
		parts = append(parts, fmt.Sprintf("%s WHERE placed_at >= %s AND placed_at < %s%s", stored, o.d.ts, o.d.ts, where))
		args = append(append(args, e[0], e[1]), sargs...)
	}
	if len(unplaced) > 0 {
		// The orders written before their order.created: their milestones from the events,
		// those placed in r (by their order.created) counted.
		cwhere, cargs := o.created(r, s)
		e := o.d.epoch("occurred_at")
		at := func(cond string) string { return o.d.minIf(e, cond) }
		marks := placeholders(len(unplaced))
		parts = append(parts, fmt.Sprintf(`SELECT order_id AS oid, %s AS placed, %s AS accepted, %s AS ready, %s AS picked, %s AS delivered
		FROM events WHERE ((%s) OR (event_type = '%s' AND occurred_at >= %s)) AND order_id IN (%s)
		GROUP BY order_id`,
			at("event_type = '"+domain.TypeOrderCreated+"'"), at("status_to = 'accepted'"), at("status_to = 'ready_for_pickup'"),
			at("status_to = 'picked_up'"), at("status_to = 'delivered'"), cwhere, domain.TypeOrderStatusChanged, o.d.ts, marks))
		args = append(append(append(args, cargs...), r.From.Unix()), unplaced...)
		// Their deliveries rows (delivered time and the milestones stored with it).
		parts = append(parts, fmt.Sprintf("%s WHERE placed_at = %s AND order_id IN (%s)", stored, o.d.ts, marks))
		args = append(append(args, int64(0)), unplaced...)
	}
	// The orders read one by one and the whole days' buckets, at once, into histograms of
	// their own (merged below).
	perOrder, whole := newParts(), newParts()
	var read []func() error
	if len(parts) > 0 {
		// One row per delivered order: its rows (a deliveries row stored twice, or one of
		// each kind) merged, each milestone the latest seen (0 is "not seen"; rows of one
		// order agree otherwise); an unplaced order whose order.created is not in r has no
		// placement and is left out.
		q := fmt.Sprintf(`SELECT placed, accepted, ready, picked, delivered FROM (SELECT max(placed) AS placed, max(accepted) AS accepted,
			max(ready) AS ready, max(picked) AS picked, max(delivered) AS delivered FROM (%s) m GROUP BY oid) t
			WHERE placed > 0 AND delivered > 0`, strings.Join(parts, " UNION ALL "))
		read = append(read, func() error {
			return o.each(ctx, q, args, func(rows *sql.Rows) error {
				var m [5]int64
				if err := rows.Scan(&m[0], &m[1], &m[2], &m[3], &m[4]); err != nil {
					return err
				}
				addSpans(&perOrder, m)
				return nil
			})
		})
	}
	if days {
		from, rargs := o.rollupRows("delivery_seconds", "day", lo, hi, "", nil)
		q := fmt.Sprintf("SELECT part, seconds, %s FROM (SELECT part, seconds, orders %s) x GROUP BY part, seconds", o.d.sum("orders"), from)
		read = append(read, func() error {
			return o.each(ctx, q, rargs, func(rows *sql.Rows) error {
				var part int
				var secs, n int64
				if err := rows.Scan(&part, &secs, &n); err != nil {
					return err
				}
				if part >= 0 && part < len(whole) {
					whole[part].Add(secs, n)
				}
				return nil
			})
		})
	}
	if len(read) > 0 {
		if err := together(read); err != nil {
			return domain.DeliveryTimes{}, err
		}
	}
	var q [5]domain.Quantiles
	for i := range q {
		for secs, n := range whole[i] {
			perOrder[i].Add(secs, n)
		}
		q[i] = perOrder[i].Quantiles()
	}
	return domain.DeliveryTimes{Total: q[0], Acceptance: q[1], Kitchen: q[2], Pickup: q[3], Drive: q[4]}, nil
}

// newParts is an empty histogram per part.
func newParts() [5]domain.Seconds {
	var hs [5]domain.Seconds
	for i := range hs {
		hs[i] = domain.Seconds{}
	}
	return hs
}

// refreshDeliverySQL recomputes days' rows of delivery_seconds from deliveries (ClickHouse:
// arrays of the parts, one row per part through ARRAY JOIN), each order's rows merged.
func (o olap) refreshDeliverySQL(days []int64) string {
	return fmt.Sprintf(`INSERT INTO delivery_seconds (day, part, seconds, orders)
		SELECT intDiv(placed, %[1]d) * %[1]d AS day, part, secs, count() FROM (
		SELECT placed, [0, 1, 2, 3, 4] AS parts,
			[delivered - placed, accepted - placed, ready - accepted, picked - ready, delivered - picked] AS spans,
			[delivered >= placed, accepted > 0 AND accepted >= placed, accepted > 0 AND ready >= accepted,
			 ready > 0 AND picked >= ready, picked > 0 AND delivered >= picked] AS oks
		FROM (SELECT order_id, max(toInt64(placed_at)) AS placed, max(toInt64(accepted_at)) AS accepted, max(toInt64(ready_at)) AS ready,
			max(toInt64(picked_at)) AS picked, max(toInt64(delivered_at)) AS delivered
			FROM deliveries WHERE %[2]s
			GROUP BY order_id)
		WHERE placed > 0 AND delivered > 0
		) ARRAY JOIN parts AS part, spans AS secs, oks AS ok WHERE ok GROUP BY day, part, secs`,
		daySeconds, o.inUnits("placed_at", daySeconds, days))
}
