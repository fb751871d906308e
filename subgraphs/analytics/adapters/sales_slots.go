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
// therefore its version: reads take per key the row with the most orders (argMax), and
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
		slotSeconds, o.d.sum("amt"), o.createdOnce(o.inSlots(slots)))
}

// split cuts r into the whole quarter hours [lo, hi) (none when ok is false) and the partial
// ones at its ends (at most two [from, to) pairs).
func split(r domain.Range) (lo, hi int64, ok bool, ends [][2]int64) {
	from, to := r.From.Unix(), r.To.Unix()
	lo, hi = from+mod(-from, slotSeconds), to-mod(to, slotSeconds)
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
	lo, hi, ok, ends := split(r)
	var parts []string
	var args []any
	for _, e := range ends {
		parts = append(parts, fmt.Sprintf(`SELECT t - t %% %d AS slot, rid, z, %s AS n, %s AS gmv FROM (%s) x GROUP BY slot, rid, z`,
			slotSeconds, o.d.i64("count(*)"), o.d.sum("amt"),
			o.createdOnce(fmt.Sprintf("occurred_at >= %s AND occurred_at < %s%s", o.d.ts, o.d.ts, where))))
		args = append(append(args, e[0], e[1]), sargs...)
	}
	if ok {
		parts = append(parts, fmt.Sprintf(`SELECT slot, restaurant_id AS rid, zone AS z, %s AS n, %s AS gmv FROM sales_slots
		WHERE slot >= ? AND slot < ?%s%s`, o.perKey("orders", "orders"), o.perKey("gmv_minor", "orders"), where, o.groupKeys("slot, restaurant_id, zone")))
		args = append(append(args, lo, hi), sargs...)
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
		slotSeconds, o.d.sum("qn"), o.d.sum("amt"), o.linesOnce(o.inSlots(slots)))
}

// inSlots is the condition "occurred_at lies in one of slots" (sorted, not empty).
func (o olap) inSlots(slots []int64) string {
	list := make([]string, len(slots))
	for i, s := range slots {
		list[i] = strconv.FormatInt(s, 10)
	}
	return fmt.Sprintf("occurred_at >= %s AND occurred_at < %s AND %s * %d IN (%s)",
		o.literal(slots[0]), o.literal(slots[len(slots)-1]+slotSeconds), o.d.idiv(o.d.epoch("occurred_at"), strconv.FormatInt(slotSeconds, 10)),
		slotSeconds, strings.Join(list, ","))
}

// dishSource is a subquery of (mid, nm, rid, qn, amt) rows that together hold every order
// line in r within s once: whole quarter hours from dish_slots, the ends from the lines.
func (o olap) dishSource(r domain.Range, s domain.Scope) (string, []any) {
	where, sargs := scopeSQL(s)
	lo, hi, ok, ends := split(r)
	var parts []string
	var args []any
	for _, e := range ends {
		parts = append(parts, fmt.Sprintf(`SELECT mid, nm, rid, qn, amt FROM (%s) x`,
			o.linesOnce(fmt.Sprintf("occurred_at >= %s AND occurred_at < %s%s", o.d.ts, o.d.ts, where))))
		args = append(append(args, e[0], e[1]), sargs...)
	}
	if ok {
		parts = append(parts, fmt.Sprintf(`SELECT menu_item_id AS mid, %s AS nm, restaurant_id AS rid, %s AS qn, %s AS amt FROM dish_slots
		WHERE slot >= ? AND slot < ?%s%s`, o.perKeyAny("name"), o.perKey("quantity", "lines"), o.perKey("amount_minor", "lines"), where,
			o.groupKeys("slot, restaurant_id, menu_item_id")))
		args = append(append(args, lo, hi), sargs...)
	}
	return strings.Join(parts, " UNION ALL "), args
}

// perKey is col of a rollup key's row: where a key may have several rows (ClickHouse: rows
// of two writers, not merged yet) the one with the largest version (argMax; the caller
// groups by the key, groupKeys), where it has one (DuckDB: its one writer adds to the row,
// duckdb_rollups.go) the row's own, without the grouping.
func (o olap) perKey(col, version string) string {
	if o.d.onePerKey {
		return col
	}
	return o.d.i64(o.d.argMax(col, version))
}

// perKeyAny is a text col of a rollup key's row (any of its rows: they agree).
func (o olap) perKeyAny(col string) string {
	if o.d.onePerKey {
		return col
	}
	return "max(" + col + ")"
}

// groupKeys groups a rollup's rows by its key where a key may have several rows.
func (o olap) groupKeys(keys string) string {
	if o.d.onePerKey {
		return ""
	}
	return " GROUP BY " + keys
}
