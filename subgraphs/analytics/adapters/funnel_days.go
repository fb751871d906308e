package adapters

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"github.com/dizhtime/dizhtime/subgraphs/analytics/domain"
)

// The funnel and the rates are read from rollups kept at ingestion (migration 0006), not
// from the events:
//
//   - order_steps holds one row per order × step it reached (a funnel status with its
//     reason, or a refund event with its amount) under the order's placement time and
//     restaurant, written with the step's event when its order is known;
//   - funnel_days holds per UTC day of placement × restaurant × step × reason the orders
//     that reached the step and the refunded amount, recomputed from order_steps for the
//     days a batch's steps fall in, versioned by the number of step rows it counted (the
//     same argument as sales_slots.go: a day's rows only grow, the last recompute follows
//     every insert, reads take per key the row with the largest version);
//   - unplaced_steps holds the steps whose order was not known when they were written
//     (they came from another topic first): few, read by their order's placement.
//
// A range reads its whole UTC days from funnel_days, its partial days at the ends from
// order_steps, and the unplaced steps of orders placed in it; every (order, step, ref) is
// counted once, whatever is stored twice. An order is placed once, so its steps fall in
// one day and one restaurant: the per-day counts of distinct orders add up exactly.

const daySeconds = 86400

// stepRow is an order's step as order_steps and unplaced_steps store it.
type stepRow struct {
	placed                int64 // epoch seconds; 0 in unplaced_steps
	at                    int64 // the step's time (unplaced_steps)
	restaurantID, orderID string
	step, reason, ref     string
	amountMinor           int64
}

// stepOf is the order step f records, if any: a funnel status change or a refund.
func stepOf(f *domain.Fact) (stepRow, bool) {
	if f.OrderID == "" {
		return stepRow{}, false
	}
	switch {
	case f.EventType == domain.TypePaymentRefunded:
		return stepRow{orderID: f.OrderID, step: stepRefund, ref: f.EventID, amountMinor: f.AmountMinor, at: f.OccurredAt.Unix()}, true
	case f.EventType == domain.TypeOrderStatusChanged && slices.Contains(funnelStatuses, f.StatusTo):
		return stepRow{orderID: f.OrderID, step: f.StatusTo, reason: f.Reason, at: f.OccurredAt.Unix()}, true
	}
	return stepRow{}, false
}

const stepRefund = "refund"

// funnelStatuses are the statuses order_steps records.
var funnelStatuses = append([]string{domain.StatusPaid, domain.StatusAccepted, domain.StatusDelivered}, domain.DropOffStatuses...)

// dayOf is the UTC day (epoch seconds of its midnight) of epoch seconds t.
func dayOf(t int64) int64 { return t - mod(t, daySeconds) }

// sortedDays is days sorted, each once.
func sortedDays(days []int64) []int64 {
	out := slices.Clone(days)
	slices.Sort(out)
	return slices.Compact(out)
}

// refreshFunnelSQL recomputes days' rows of funnel_days from order_steps.
func (o olap) refreshFunnelSQL(days []int64) string {
	where := o.inUnits("placed_at", daySeconds, days)
	return fmt.Sprintf(`INSERT INTO funnel_days (day, restaurant_id, step, reason, orders, amount_minor, version)
		SELECT t - t %% %d AS day, rid, step, rsn, %s, %s, count(*) FROM (%s) x GROUP BY day, rid, step, rsn`,
		daySeconds, o.d.uniq("oid"), o.d.sum("amt"), o.stepsOnce("order_steps", "placed_at", where))
}

// refreshFunnelPlatformSQL recomputes days' rows of funnel_platform (migration 0010):
// funnel_days' computation summed over the restaurants.
func (o olap) refreshFunnelPlatformSQL(days []int64) string {
	where := o.inUnits("placed_at", daySeconds, days)
	return fmt.Sprintf(`INSERT INTO funnel_platform (day, step, reason, orders, amount_minor, version)
		SELECT t - t %% %d AS day, step, rsn, %s, %s, count(*) FROM (%s) x GROUP BY day, step, rsn`,
		daySeconds, o.d.uniq("oid"), o.d.sum("amt"), o.stepsOnce("order_steps", "placed_at", where))
}

// stepsOnce is a subquery of table's steps matching where, one row per (order, step, ref):
// t (epoch seconds of timeCol), rid, oid, step, ref, rsn (reason), amt.
func (o olap) stepsOnce(table, timeCol, where string) string {
	rid := "''"
	if table == "order_steps" {
		rid = o.d.anyOf("restaurant_id")
	}
	return fmt.Sprintf(`SELECT %s AS t, %s AS rid, order_id AS oid, step, ref, %s AS rsn, %s AS amt FROM %s WHERE %s GROUP BY order_id, step, ref`,
		o.d.i64(o.d.anyOf(o.d.epoch(timeCol))), rid, o.d.anyOf("reason"), o.d.i64(o.d.anyOf("amount_minor")), table, where)
}

// stepCount is the orders of the range's cohort that reached a step (with a reason), and
// for refunds the amount.
type stepCount struct {
	step, reason string
	orders       int64
	amountMinor  int64
}

// steps counts the steps of the orders placed in r within s (see the top of the file).
func (o olap) steps(ctx context.Context, r domain.Range, s domain.Scope) ([]stepCount, error) {
	where, sargs := scopeSQL(s)
	lo, hi, ok, ends := split(r, daySeconds)
	var parts []string
	var args []any
	if ok {
		table := "funnel_days"
		if s.All() && o.d.platform {
			table = "funnel_platform"
		}
		from, rargs := o.rollupRows(table, "day", lo, hi, where, sargs)
		parts = append(parts, fmt.Sprintf("SELECT step, reason AS rsn, %s AS n, amount_minor AS amt %s", o.d.i64("orders"), from))
		args = append(args, rargs...)
	}
	for _, e := range ends {
		parts = append(parts, fmt.Sprintf(`SELECT step, rsn, %s AS n, %s AS amt FROM (%s) x GROUP BY step, rsn`,
			o.d.i64(o.d.uniq("oid")), o.d.sum("amt"),
			o.stepsOnce("order_steps", "placed_at", fmt.Sprintf("placed_at >= %s AND placed_at < %s%s", o.d.ts, o.d.ts, where))))
		args = append(append(args, e[0], e[1]), sargs...)
	}
	// The rollups and the ends, and (at the same time) the unplaced steps.
	var main, early []stepCount
	err := together([]func() error{
		func() (err error) { main, err = o.stepCounts(ctx, parts, args); return err },
		func() (err error) { early, err = o.unplacedStepCounts(ctx, r, s); return err },
	})
	if err != nil {
		return nil, err
	}
	at := map[[2]string]int{}
	var out []stepCount
	for _, c := range append(main, early...) {
		k := [2]string{c.step, c.reason}
		if i, ok := at[k]; ok {
			out[i].orders += c.orders
			out[i].amountMinor += c.amountMinor
			continue
		}
		at[k] = len(out)
		out = append(out, c)
	}
	return out, nil
}

// unplacedStepCounts counts the unplaced steps of orders placed in r within s, less those
// order_steps holds too (a step written twice, once with and once without its order's
// placement).
func (o olap) unplacedStepCounts(ctx context.Context, r domain.Range, s domain.Scope) ([]stepCount, error) {
	where, sargs := scopeSQL(s)
	from, to := r.From.Unix(), r.To.Unix()
	var parts []string
	var args []any
	var unplaced []string
	err := o.each(ctx, fmt.Sprintf("SELECT DISTINCT order_id FROM unplaced_steps WHERE occurred_at >= %s", o.d.ts), []any{from},
		func(rows *sql.Rows) error {
			var id string
			err := rows.Scan(&id)
			unplaced = append(unplaced, id)
			return err
		})
	if err != nil {
		return nil, fmt.Errorf("unplaced steps: %w", err)
	}
	var ids []any
	err = inChunks(unplaced, func(marks string, in []any) error {
		q := fmt.Sprintf("SELECT DISTINCT order_id FROM orders WHERE order_id IN (%s) AND placed_at >= %s AND placed_at < %s%s", marks, o.d.ts, o.d.ts, where)
		return o.each(ctx, q, append(append(in, from, to), sargs...), func(rows *sql.Rows) error {
			var id string
			err := rows.Scan(&id)
			ids = append(ids, id)
			return err
		})
	})
	if err != nil {
		return nil, fmt.Errorf("orders of unplaced steps: %w", err)
	}
	if len(ids) > 0 {
		marks := placeholders(len(ids))
		key := "concat(order_id, '|', step, '|', ref)"
		// A refunded order counts once: not here when order_steps holds a refund of it too.
		parts = append(parts, fmt.Sprintf(`SELECT step, rsn, %s AS n, %s AS amt FROM (%s) x GROUP BY step, rsn`,
			o.d.i64(o.d.uniqIf("oid", fmt.Sprintf("step != '%s' OR oid NOT IN (SELECT order_id FROM order_steps WHERE step = '%s' AND order_id IN (%s))",
				stepRefund, stepRefund, marks))), o.d.sum("amt"),
			o.stepsOnce("unplaced_steps", "occurred_at", fmt.Sprintf(`order_id IN (%s) AND %s NOT IN (SELECT %s FROM order_steps WHERE order_id IN (%s))`,
				marks, key, key, marks))))
		args = append(append(append(args, ids...), ids...), ids...)
	}
	return o.stepCounts(ctx, parts, args)
}

// stepCounts sums the (step, rsn, n, amt) rows of parts per step and reason.
func (o olap) stepCounts(ctx context.Context, parts []string, args []any) ([]stepCount, error) {
	if len(parts) == 0 {
		return nil, nil
	}
	q := fmt.Sprintf("SELECT step, rsn, %s, %s FROM (%s) u GROUP BY step, rsn", o.d.sum("n"), o.d.sum("amt"), strings.Join(parts, " UNION ALL "))
	var out []stepCount
	err := o.each(ctx, q, args, func(rows *sql.Rows) error {
		var c stepCount
		if err := rows.Scan(&c.step, &c.reason, &c.orders, &c.amountMinor); err != nil {
			return err
		}
		out = append(out, c)
		return nil
	})
	return out, err
}
