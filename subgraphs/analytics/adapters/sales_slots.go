package adapters

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/dizhtime/dizhtime/subgraphs/analytics/domain"
)

// Sales (orders and GMV) are read from sales_slots, a table of one quarter hour × restaurant
// × zone per row kept at ingestion (migration 0004), and only a range's partial quarter
// hours at its ends from the events. Both reads count every event id once whatever the
// events table holds twice: a redelivered batch that a writer could not recognise, or two
// writers during a consumer-group rebalance that both found the ids new and both inserted.
//
// A slot's rows are not incremented but recomputed: after a batch's events are in, every
// slot its order.created events fall in is computed again from the events, one row per
// event id (GROUP BY event_id), and inserted. The events of a slot only ever grow, so of
// two computations of one row the one that counted more orders saw a superset of the
// other's events, and two that counted as many saw the same events. A row's order count is
// therefore its version: reads take per key the row with the most orders (FINAL, rollupRows below), and
// ClickHouse's ReplacingMergeTree(orders) drops the others when it merges. A writer
// recomputes after its own insert, so whichever writer finishes last leaves the full count;
// a failed recompute fails the write, whose retry recomputes the batch's slots again
// (whether or not its events were found stored).

const slotSeconds = int64(domain.Slot / time.Second)

// literal is the epoch-seconds value v as the dialect compares it with occurred_at.
func (o olap) literal(v int64) string {
	return strings.ReplaceAll(o.d.ts, "?", strconv.FormatInt(v, 10))
}

// createdOnce is a subquery of the order.created events matching where: one row per event
// id, with t (epoch seconds), rid (restaurant), z (zone) and amt (total).
func (o olap) createdOnce(where string) string {
	return fmt.Sprintf(`SELECT %s AS t, %s AS rid, %s AS z, %s AS amt FROM events WHERE event_type = '%s' AND %s GROUP BY event_id`,
		o.d.i64(o.d.anyOf(o.d.epoch("occurred_at"))), o.d.anyOf("restaurant_id"), o.d.anyOf("zone"), o.d.i64(o.d.anyOf("amount_minor")),
		domain.TypeOrderCreated, where)
}

// createdSlots are the quarter hours of the batch's order.created facts, sorted.
func createdSlots(facts []domain.Fact) []int64 {
	var out []int64
	for i := range facts {
		if facts[i].EventType == domain.TypeOrderCreated {
			t := facts[i].OccurredAt.Unix()
			out = append(out, t-mod(t, slotSeconds))
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func mod(a, b int64) int64 { return ((a % b) + b) % b }

// refreshSalesSQL recomputes slots' rows from the events into sales_slots (an INSERT ...
// SELECT: the numbers are ours, written into the statement).
func (o olap) refreshSalesSQL(slots []int64) string {
	return fmt.Sprintf(`INSERT INTO sales_slots (slot, restaurant_id, zone, orders, gmv_minor)
		SELECT t - t %% %d AS slot, rid, z, count(*), %s FROM (%s) x GROUP BY slot, rid, z`,
		slotSeconds, o.d.sum("amt"), o.createdOnce(o.inUnits("occurred_at", slotSeconds, slots)))
}

// refreshPlatformSalesSQL recomputes slots' rows of platform_slots (migration 0010): the
// same computation summed over the restaurants and zones, its version the slot's orders.
func (o olap) refreshPlatformSalesSQL(slots []int64) string {
	return fmt.Sprintf(`INSERT INTO platform_slots (slot, orders, gmv_minor)
		SELECT t - t %% %d AS slot, count(*), %s FROM (%s) x GROUP BY slot`,
		slotSeconds, o.d.sum("amt"), o.createdOnce(o.inUnits("occurred_at", slotSeconds, slots)))
}

// createdDays are the UTC days of the batch's order.created facts, sorted.
func createdDays(facts []domain.Fact) []int64 {
	var out []int64
	for i := range facts {
		if facts[i].EventType == domain.TypeOrderCreated {
			out = append(out, dayOf(facts[i].OccurredAt.Unix()))
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// refreshSalesDaysSQL recomputes days' rows of restaurant_days (col "restaurant_id") or
// zone_days (col "zone") from the events (migration 0011).
func (o olap) refreshSalesDaysSQL(table, col string) func(days []int64) string {
	return func(days []int64) string {
		where := fmt.Sprintf("event_type = '%s' AND %s", domain.TypeOrderCreated, o.inUnits("occurred_at", daySeconds, days))
		return fmt.Sprintf(`INSERT INTO %[1]s (day, %[2]s, orders, gmv_minor)
			SELECT t - t %% %[3]d AS day, k, count(*), %[4]s FROM (
			SELECT %[5]s AS t, %[6]s AS k, %[7]s AS amt FROM events WHERE %[8]s GROUP BY event_id) x GROUP BY day, k`,
			table, col, daySeconds, o.d.sum("amt"), o.d.i64(o.d.anyOf(o.d.epoch("occurred_at"))), o.d.anyOf(col),
			o.d.i64(o.d.anyOf("amount_minor")), where)
	}
}

// breakdownSource is a subquery of (k, n, gmv) rows that together hold every order placed
// in r within s once, k its restaurant (by ByRestaurant) or zone: for the whole platform on
// a backend that keeps restaurant_days and zone_days, whole UTC days from those and the
// partial days at the range's ends from salesSource; else salesSource's rows.
func (o olap) breakdownSource(r domain.Range, s domain.Scope, by domain.Breakdown) (string, []any) {
	col, table, key := "rid", "restaurant_days", "restaurant_id"
	if by == domain.ByZone {
		col, table, key = "z", "zone_days", "zone"
	}
	lo, hi, ok, ends := split(r, daySeconds)
	if !s.All() || !o.d.platform || !ok {
		src, args := o.salesSource(r, s)
		return fmt.Sprintf("SELECT %s AS k, n, gmv FROM (%s) p", col, src), args
	}
	rows, args := o.rollupRows(table, "day", lo, hi, "", nil)
	parts := []string{fmt.Sprintf("SELECT %s AS k, %s AS n, %s AS gmv %s", key, o.d.i64("orders"), o.d.i64("gmv_minor"), rows)}
	for _, e := range ends {
		src, sargs := o.salesSource(domain.Range{From: time.Unix(e[0], 0).UTC(), To: time.Unix(e[1], 0).UTC()}, s)
		parts = append(parts, fmt.Sprintf("SELECT %s AS k, n, gmv FROM (%s) p", col, src))
		args = append(args, sargs...)
	}
	return strings.Join(parts, " UNION ALL "), args
}

// split cuts r into its whole units of unit seconds (quarter hours, UTC days) [lo, hi) (none
// when ok is false) and the partial ones at its ends (at most two [from, to) pairs; r itself
// when it holds no whole unit).
func split(r domain.Range, unit int64) (lo, hi int64, ok bool, ends [][2]int64) {
	from, to := r.From.Unix(), r.To.Unix()
	lo, hi = from+mod(-from, unit), to-mod(to, unit)
	if lo >= hi {
		return 0, 0, false, [][2]int64{{from, to}}
	}
	if from < lo {
		ends = append(ends, [2]int64{from, lo})
	}
	if hi < to {
		ends = append(ends, [2]int64{hi, to})
	}
	return lo, hi, true, ends
}

// salesSource is a subquery of (slot, rid, z, n, gmv) rows that together hold every order
// placed in r within s once: whole quarter hours from sales_slots (per key its most complete
// row), the partial ones at the range's ends from the events.
func (o olap) salesSource(r domain.Range, s domain.Scope) (string, []any) {
	where, sargs := scopeSQL(s)
	lo, hi, ok, ends := split(r, slotSeconds)
	var parts []string
	var args []any
	for _, e := range ends {
		parts = append(parts, fmt.Sprintf(`SELECT t - t %% %d AS slot, rid, z, %s AS n, %s AS gmv FROM (%s) x GROUP BY slot, rid, z`,
			slotSeconds, o.d.i64("count(*)"), o.d.sum("amt"),
			o.createdOnce(fmt.Sprintf("occurred_at >= %s AND occurred_at < %s%s", o.d.ts, o.d.ts, where))))
		args = append(append(args, e[0], e[1]), sargs...)
	}
	if ok {
		from, rargs := o.rollupRows("sales_slots", "slot", lo, hi, where, sargs)
		parts = append(parts, fmt.Sprintf(`SELECT slot, restaurant_id AS rid, zone AS z, %s AS n, %s AS gmv %s`,
			o.d.i64("orders"), o.d.i64("gmv_minor"), from))
		args = append(args, rargs...)
	}
	return strings.Join(parts, " UNION ALL "), args
}

// platformSalesSource is a subquery of (slot, n, gmv) rows that together hold every order
// placed in r once, all restaurants: whole quarter hours from platform_slots where the
// backend keeps it (ClickHouse), else salesSource's rows.
func (o olap) platformSalesSource(r domain.Range) (string, []any) {
	if !o.d.platform {
		src, args := o.salesSource(r, domain.Scope{})
		return "SELECT slot, n, gmv FROM (" + src + ") p", args
	}
	lo, hi, ok, ends := split(r, slotSeconds)
	var parts []string
	var args []any
	for _, e := range ends {
		parts = append(parts, fmt.Sprintf(`SELECT t - t %% %d AS slot, %s AS n, %s AS gmv FROM (%s) x GROUP BY slot`,
			slotSeconds, o.d.i64("count(*)"), o.d.sum("amt"),
			o.createdOnce(fmt.Sprintf("occurred_at >= %s AND occurred_at < %s", o.d.ts, o.d.ts))))
		args = append(args, e[0], e[1])
	}
	if ok {
		from, rargs := o.rollupRows("platform_slots", "slot", lo, hi, "", nil)
		parts = append(parts, fmt.Sprintf(`SELECT slot, %s AS n, %s AS gmv %s`, o.d.i64("orders"), o.d.i64("gmv_minor"), from))
		args = append(args, rargs...)
	}
	return strings.Join(parts, " UNION ALL "), args
}

// linesOnce is a subquery of the order lines matching where: one row per (event id, line),
// with t (epoch seconds), rid, mid (menu item), nm (name), qn (quantity) and amt.
func (o olap) linesOnce(where string) string {
	return fmt.Sprintf(`SELECT %s AS t, %s AS rid, %s AS mid, %s AS nm, %s AS qn, %s AS amt FROM dishes WHERE %s GROUP BY event_id, line`,
		o.d.i64(o.d.anyOf(o.d.epoch("occurred_at"))), o.d.anyOf("restaurant_id"), o.d.anyOf("menu_item_id"), o.d.anyOf("name"),
		o.d.i64(o.d.anyOf("quantity")), o.d.i64(o.d.anyOf("amount_minor")), where)
}

// lineSlots are the quarter hours of the order lines, sorted.
func lineSlots(ds []domain.DishFact) []int64 {
	var out []int64
	for i := range ds {
		t := ds[i].OccurredAt.Unix()
		out = append(out, t-mod(t, slotSeconds))
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// refreshDishesSQL recomputes slots' rows of dish_slots from the order lines; a row's
// version is its number of lines.
func (o olap) refreshDishesSQL(slots []int64) string {
	return fmt.Sprintf(`INSERT INTO dish_slots (slot, restaurant_id, menu_item_id, name, lines, quantity, amount_minor)
		SELECT t - t %% %d AS slot, rid, mid, max(nm), count(*), %s, %s FROM (%s) x GROUP BY slot, rid, mid`,
		slotSeconds, o.d.sum("qn"), o.d.sum("amt"), o.linesOnce(o.inUnits("occurred_at", slotSeconds, slots)))
}

// placeholders is n query parameters, "?,?,...".
func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?,", n), ",")
}

// joinInts is xs as a comma-separated SQL list.
func joinInts(xs []int64) string {
	list := make([]string, len(xs))
	for i, x := range xs {
		list[i] = strconv.FormatInt(x, 10)
	}
	return strings.Join(list, ",")
}

// inUnits is the condition "col lies in one of the units of unit seconds (quarter hours,
// UTC days) starting at starts" (sorted, not empty): the span from the first to the last,
// which the store prunes by, then the units themselves.
func (o olap) inUnits(col string, unit int64, starts []int64) string {
	return fmt.Sprintf("%[1]s >= %[2]s AND %[1]s < %[3]s AND %[4]s * %[5]d IN (%[6]s)",
		col, o.literal(starts[0]), o.literal(starts[len(starts)-1]+unit), o.d.idiv(o.d.epoch(col), strconv.FormatInt(unit, 10)),
		unit, joinInts(starts))
}

// dishSource is a subquery of (mid, nm, rid, qn, amt) rows that together hold every order
// line in r within s once: whole quarter hours from dish_slots, the ends from the lines.
func (o olap) dishSource(r domain.Range, s domain.Scope) (string, []any) {
	where, sargs := scopeSQL(s)
	lo, hi, ok, ends := split(r, slotSeconds)
	var parts []string
	var args []any
	for _, e := range ends {
		parts = append(parts, fmt.Sprintf(`SELECT mid, nm, rid, qn, amt FROM (%s) x`,
			o.linesOnce(fmt.Sprintf("occurred_at >= %s AND occurred_at < %s%s", o.d.ts, o.d.ts, where))))
		args = append(append(args, e[0], e[1]), sargs...)
	}
	if ok {
		from, rargs := o.rollupRows("dish_slots", "slot", lo, hi, where, sargs)
		parts = append(parts, "SELECT menu_item_id AS mid, name AS nm, restaurant_id AS rid, quantity AS qn, amount_minor AS amt "+from)
		args = append(args, rargs...)
	}
	return strings.Join(parts, " UNION ALL "), args
}

// rollupRows is "FROM table ... WHERE" of a rollup's rows with keyCol (slot or day) in
// [lo, hi) within the restaurant filter where (scopeSQL; its arguments sargs), one row per
// key, and the arguments in order. ClickHouse's rollups may hold several rows of a key until
// a background merge drops the older ones (each batch inserts its slots' and days' rows
// again; two writers insert theirs): FINAL merges a key's rows as the read goes, keeping
// the one with the largest version (the ReplacingMergeTree's version column: the row
// computed from the most events), what a merge keeps. The restaurant filter is a PREWHERE,
// applied before that merge: restaurant_id is part of each rollup's key, so a key's rows
// are in or out together, and the read merges only the restaurant's rows (with a WHERE,
// 18.16 merges the whole range first: a 30-day read of one restaurant took 80-120 ms
// instead of 25-60). DuckDB's one writer adds to a key's one row (duckdb_rollups.go): its
// rows are read as they are.
//
// FINAL replaced a GROUP BY of the key with argMax by version: at 10M events the slot
// tables hold nearly one row per order (a quarter hour × restaurant × zone rarely has two),
// and hashing 0.9M rows by their string keys made a 30-day platform-wide read take 0.3-2 s
// where FINAL's merge of the sorted parts takes 0.1 s.
func (o olap) rollupRows(table, keyCol string, lo, hi int64, where string, sargs []any) (string, []any) {
	rng := fmt.Sprintf("%s >= ? AND %s < ?", keyCol, keyCol)
	if o.d.final == "" {
		return fmt.Sprintf("FROM %s WHERE %s%s", table, rng, where), append([]any{lo, hi}, sargs...)
	}
	if where == "" {
		return fmt.Sprintf("FROM %s%s WHERE %s", table, o.d.final, rng), []any{lo, hi}
	}
	return fmt.Sprintf("FROM %s%s PREWHERE 1 = 1%s WHERE %s", table, o.d.final, where, rng), append(append([]any{}, sargs...), lo, hi)
}
