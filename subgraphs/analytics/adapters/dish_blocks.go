package adapters

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/dizhtime/dizhtime/subgraphs/analytics/domain"
)

// dish_blocks (ClickHouse, migration 0012) holds per menu item the order lines of aligned
// blocks of 2^level UTC days, level 0 to dishLevels-1, for platform-wide top dishes: a
// range's whole days are read as at most two blocks per level, its partial days at the ends
// from dishSource.
//
// Level 0 (a day) is recomputed from the dish lines like dish_slots; the blocks above
// from their item's level-0 rows read with FINAL. A row's version is its lines. Every day
// row read was computed from a subset of its key's lines, so a block row's lines equal the
// block's true lines only when each day row read was complete, and then its figures are
// the true ones: the row with the most lines is right once one recompute read complete
// rows. One does: a day's rows are complete after the last writer's recompute of it (the
// argument of sales_slots.go), and every writer recomputes the blocks after its days, so the
// writer whose read of a block starts last reads every day in it complete (each writer's
// recompute of its days ended before its own read of the block).
const dishLevels = 5

// blockSpan is the length in seconds of a block of level l.
func blockSpan(l int) int64 { return daySeconds << l }

// lineWindow is the first and last time (epoch seconds) of the order lines (not empty).
func lineWindow(ds []domain.DishFact) (first, last int64) {
	first, last = ds[0].OccurredAt.Unix(), ds[0].OccurredAt.Unix()
	for i := range ds {
		t := ds[i].OccurredAt.Unix()
		first, last = min(first, t), max(last, t)
	}
	return first, last
}

// lineDays are the UTC days of the order lines, sorted.
func lineDays(ds []domain.DishFact) []int64 {
	var out []int64
	for i := range ds {
		out = append(out, dayOf(ds[i].OccurredAt.Unix()))
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// refreshDishBlocksSQL are the statements that recompute, in order, the level-0 rows of
// days (sorted) and then the blocks above holding them.
//
// Only the rows of the menu items with a line in [first, last] (epoch seconds: the batch's
// first and last line) are recomputed: every line of the batch is in that window, and a
// key of an item without one is not changed by this batch (a writer recomputes the keys of
// its own lines). At 10M events a batch's window holds about a third of the items.
func (o olap) refreshDishBlocksSQL(days []int64, first, last int64) []string {
	items := fmt.Sprintf("menu_item_id IN (SELECT menu_item_id FROM dishes WHERE occurred_at >= %s AND occurred_at <= %s)",
		o.literal(first), o.literal(last))
	where := o.inUnits("occurred_at", daySeconds, days) + " AND " + items
	out := []string{fmt.Sprintf(`INSERT INTO dish_blocks (level, start, menu_item_id, name, restaurant_id, lines, quantity, amount_minor)
		SELECT 0, t - t %% %d AS d, mid, max(nm), max(rid), count(*), %s, %s FROM (%s) x GROUP BY d, mid`,
		daySeconds, o.d.sum("qn"), o.d.sum("amt"), o.linesOnce(where))}
	// The blocks above, all levels in one statement from the level-0 rows of the top-level
	// blocks holding the days (one statement, not one per level: the statements' fixed cost
	// on a loaded server made a chain of five the longest of a write's refreshes).
	top := blockSpan(dishLevels - 1)
	var spans, keys []int64
	for l := 1; l < dishLevels; l++ {
		spans = append(spans, blockSpan(l))
		for _, d := range days {
			keys = append(keys, d-mod(d, blockSpan(l))+int64(l))
		}
	}
	slices.Sort(keys)
	keys = slices.Compact(keys)
	lo, hi := days[0]-mod(days[0], top), days[len(days)-1]-mod(days[len(days)-1], top)+top
	out = append(out, fmt.Sprintf(`INSERT INTO dish_blocks (level, start, menu_item_id, name, restaurant_id, lines, quantity, amount_minor)
		SELECT l, b, menu_item_id, max(name), max(restaurant_id), sum(lines), sum(quantity), sum(amount_minor) FROM (
		SELECT toUInt8(indexOf([%[1]s], span)) AS l, intDiv(start, span) * span AS b, menu_item_id, name, restaurant_id, lines, quantity, amount_minor
		FROM (SELECT * FROM dish_blocks FINAL PREWHERE %[5]s WHERE level = 0 AND start >= %[2]d AND start < %[3]d)
		ARRAY JOIN [%[1]s] AS span) WHERE b + l IN (%[4]s) GROUP BY l, b, menu_item_id`, joinInts(spans), lo, hi, joinInts(keys), items))
	return out
}

// dishBlocks cuts the whole days [lo, hi) (multiples of a day) into aligned blocks, the
// largest first: (level, start) pairs.
func dishBlocks(lo, hi int64) [][2]int64 {
	var out [][2]int64
	for cur := lo; cur < hi; {
		l := dishLevels - 1
		for l > 0 && (mod(cur, blockSpan(l)) != 0 || cur+blockSpan(l) > hi) {
			l--
		}
		out = append(out, [2]int64{int64(l), cur})
		cur += blockSpan(l)
	}
	return out
}

// platformDishSource is dishSource for the whole platform on a backend that keeps
// dish_blocks: whole UTC days from the blocks, the partial days at the ends from
// dishSource.
func (o olap) platformDishSource(r domain.Range) (string, []any) {
	lo, hi, ok, ends := split(r, daySeconds)
	if !o.d.platform || !ok {
		return o.dishSource(r, domain.Scope{})
	}
	var conds []string
	for _, b := range dishBlocks(lo, hi) {
		conds = append(conds, fmt.Sprintf("level = %d AND start = %d", b[0], b[1]))
	}
	parts := []string{fmt.Sprintf(`SELECT menu_item_id AS mid, name AS nm, restaurant_id AS rid, quantity AS qn, amount_minor AS amt
		FROM dish_blocks%s WHERE start >= %d AND start < %d AND (%s)`, o.d.final, lo, hi, strings.Join(conds, " OR "))}
	var args []any
	for _, e := range ends {
		src, sargs := o.dishSource(domain.Range{From: time.Unix(e[0], 0).UTC(), To: time.Unix(e[1], 0).UTC()}, domain.Scope{})
		parts = append(parts, src)
		args = append(args, sargs...)
	}
	return strings.Join(parts, " UNION ALL "), args
}
