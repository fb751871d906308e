package adapters

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/duckdb/duckdb-go/v2"

	"github.com/dizhtime/dizhtime/subgraphs/analytics/domain"
)

// DuckDB keeps its rollups (sales_slots, dish_slots, funnel_days, driver_days) by adding
// each batch's increments to them, computed in Go from the batch's new rows, instead of
// recomputing the touched slots and days from the stored events (what ClickHouse does,
// sales_slots.go): no statement re-reads a slot's or a day's events.
//
// That is exact here because the DuckDB store has one writer: Write holds the store's
// mutex from the stored-id lookup to the commit, so every row prepare keeps is new (no
// other writer can store it in between), and the increments are applied in the write's
// transaction (a failed write adds nothing, its retry finds nothing stored). Two writes
// of the same events — a redelivered batch, or TestStoreContract_embeddedDuckDB_
// twoWritersAtOnce's two goroutines — are one after the other: the second finds every id
// stored and adds nothing.
//
// What the increments need beyond the batch is read from the store, each time only within
// the batch's own time windows:
//   - funnel_days counts distinct orders per step (and reason) and distinct refund rows:
//     the order_steps rows of the batch's step orders, so an order counted already (a
//     second refund, a step stored under another event id) is not counted again;
//   - driver_days counts distinct minutes: the minutes the batch's drivers already have
//     locations in, within the batch's location windows.
//
// Every table keeps one row per key (the MERGE below updates it or inserts it), so the
// reads (rollupRows, sales_slots.go) read that row as it is.

// rollupIncrements is what one batch adds to the rollups.
type rollupIncrements struct {
	sales   map[salesKey]*salesInc
	dishes  map[dishKey]*dishInc
	funnel  map[funnelKey]*funnelInc
	drivers map[driverKey]*driverInc
	// delivery counts the new delivered orders per day of placement, part and seconds.
	delivery map[deliveryKey]*int64
	// delivered are the new delivered orders' totals per day and driver.
	delivered map[driverKey]*[]int64
}

type (
	salesKey struct {
		slot            int64
		restaurant, zon string
	}
	salesInc struct{ orders, gmv int64 }
	dishKey  struct {
		slot             int64
		restaurant, item string
	}
	dishInc struct {
		name                    string
		lines, quantity, amount int64
	}
	funnelKey struct {
		day                      int64
		restaurant, step, reason string
	}
	funnelInc struct{ orders, amount, rows int64 }
	driverKey struct {
		day    int64
		driver string
	}
	driverInc   struct{ online, busy int64 }
	deliveryKey struct {
		day, part, seconds int64
	}
)

// increments computes what the prepared batch adds to the rollups (see the top of the file).
func (s *DuckDBStore) increments(ctx context.Context, p prepared) (rollupIncrements, error) {
	inc := rollupIncrements{sales: map[salesKey]*salesInc{}, dishes: map[dishKey]*dishInc{}, funnel: map[funnelKey]*funnelInc{},
		drivers: map[driverKey]*driverInc{}, delivery: map[deliveryKey]*int64{},
		delivered: map[driverKey]*[]int64{}}
	for i := range p.facts {
		f := &p.facts[i]
		if f.EventType != domain.TypeOrderCreated {
			continue
		}
		t := f.OccurredAt.Unix()
		k := salesKey{t - mod(t, slotSeconds), f.RestaurantID, f.Zone}
		x := inc.sales[k]
		if x == nil {
			x = &salesInc{}
			inc.sales[k] = x
		}
		x.orders++
		x.gmv += f.AmountMinor
	}
	type lineID struct {
		event string
		line  int
	}
	lines := map[lineID]bool{}
	for i := range p.dishes {
		d := &p.dishes[i]
		if lines[lineID{d.EventID, d.Line}] {
			continue
		}
		lines[lineID{d.EventID, d.Line}] = true
		t := d.OccurredAt.Unix()
		k := dishKey{t - mod(t, slotSeconds), d.RestaurantID, d.MenuItemID}
		x := inc.dishes[k]
		if x == nil {
			x = &dishInc{}
			inc.dishes[k] = x
		}
		x.name = max(x.name, d.Name)
		x.lines++
		x.quantity += d.Quantity
		x.amount += d.AmountMinor
	}
	// A driver's delivered order, stamped with its total (one delivered event per delivery;
	// those without their order's placement are read from the events).
	type pair struct{ driver, order string }
	pairs := map[pair]bool{}
	for i := range p.facts {
		f := &p.facts[i]
		if !isDelivered(f) || f.OrderPlacedAt.IsZero() || pairs[pair{f.DriverID, f.OrderID}] {
			continue
		}
		pairs[pair{f.DriverID, f.OrderID}] = true
		k := driverKey{dayOf(f.OccurredAt.Unix()), f.DriverID}
		if inc.delivered[k] == nil {
			inc.delivered[k] = &[]int64{}
		}
		*inc.delivered[k] = append(*inc.delivered[k], f.OrderTotalMinor)
	}
	start := time.Now()
	deliveredBefore, err := s.funnelIncrements(ctx, p.steps, inc.funnel)
	s.clock.since("lookup stored steps", start)
	if err != nil {
		return inc, fmt.Errorf("stored steps: %w", err)
	}
	// A delivered order counts once in delivery_seconds: not when its delivered step was
	// stored before (another delivered event of it), nor when its placement is not known
	// (reads take those from deliveries).
	for i := range p.deliveries {
		d := &p.deliveries[i]
		if d.placed.IsZero() || deliveredBefore[d.orderID] {
			continue
		}
		deliveredBefore[d.orderID] = true
		hs := newParts()
		addSpans(&hs, [5]int64{unixOrZero(d.placed), unixOrZero(d.accepted), unixOrZero(d.ready), unixOrZero(d.picked), unixOrZero(d.delivered)})
		for part, h := range hs {
			for secs := range h {
				k := deliveryKey{dayOf(d.placed.Unix()), int64(part), secs}
				if inc.delivery[k] == nil {
					inc.delivery[k] = new(int64)
				}
				*inc.delivery[k]++
			}
		}
	}
	start = time.Now()
	err = s.driverIncrements(ctx, p.facts, inc.drivers)
	s.clock.since("lookup stored driver minutes", start)
	if err != nil {
		return inc, fmt.Errorf("stored driver minutes: %w", err)
	}
	return inc, nil
}

// funnelIncrements adds the new steps' increments to out: a step row (order, step, ref)
// stored already adds nothing, an order counted under (step, reason) already adds its row
// and amount but not another order. It returns the steps' orders whose delivered step was
// stored already.
func (s *DuckDBStore) funnelIncrements(ctx context.Context, steps []stepRow, out map[funnelKey]*funnelInc) (map[string]bool, error) {
	delivered := map[string]bool{}
	if len(steps) == 0 {
		return delivered, nil
	}
	type rowID struct{ order, step, ref string }
	type orderID struct{ order, step, reason string }
	rows, orders := map[rowID]bool{}, map[orderID]bool{}
	ids := make([]string, 0, len(steps))
	placed := make([]int64, 0, len(steps))
	for _, x := range steps {
		ids = append(ids, x.orderID)
		placed = append(placed, x.placed)
	}
	ids = slices.Compact(slices.Sorted(slices.Values(ids)))
	// The step rows of the placements' windows (a late refund of an old order is a window of
	// its own, not a month between), filtered here: cheaper than binding thousands of ids.
	// A few ids (the live consumer's batches) are bound, their list padded to a power of two
	// so that the statement's text, prepared once, repeats: else every batch read the steps
	// of an hour of orders into Go to keep a dozen.
	var in string
	var inArgs []any
	if len(ids) <= 256 {
		marks, padded := paddedIDs(ids)
		in, inArgs = " AND order_id IN ("+marks+")", padded
	}
	var parts []string
	var args []any
	for _, w := range windowsOfTimes(placed) {
		parts = append(parts, "SELECT order_id, step, ref, reason FROM order_steps WHERE placed_at >= ? AND placed_at <= ?"+in)
		args = append(append(args, w.from.Unix(), w.to.Unix()), inArgs...)
	}
	err := s.each(ctx, strings.Join(parts, " UNION ALL "), args, func(r *sql.Rows) error {
		var o, st, ref, rsn string
		if err := r.Scan(&o, &st, &ref, &rsn); err != nil {
			return err
		}
		if _, ok := slices.BinarySearch(ids, o); ok {
			rows[rowID{o, st, ref}] = true
			orders[orderID{o, st, rsn}] = true
			if st == domain.StatusDelivered {
				delivered[o] = true
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, x := range steps {
		if rows[rowID{x.orderID, x.step, x.ref}] {
			continue
		}
		rows[rowID{x.orderID, x.step, x.ref}] = true
		k := funnelKey{dayOf(x.placed), x.restaurantID, x.step, x.reason}
		v := out[k]
		if v == nil {
			v = &funnelInc{}
			out[k] = v
		}
		v.rows++
		v.amount += x.amountMinor
		if !orders[orderID{x.orderID, x.step, x.reason}] {
			orders[orderID{x.orderID, x.step, x.reason}] = true
			v.orders++
		}
	}
	return delivered, nil
}

// driverIncrements adds the minutes the new driver.location facts put their drivers online
// (and busy: with an order) in that no stored location did.
func (s *DuckDBStore) driverIncrements(ctx context.Context, facts []domain.Fact, out map[driverKey]*driverInc) error {
	var locs []domain.Fact
	for i := range facts {
		if facts[i].EventType == domain.TypeDriverLocation && facts[i].DriverID != "" {
			locs = append(locs, facts[i])
		}
	}
	if len(locs) == 0 {
		return nil
	}
	type minute struct {
		driver string
		at     int64
	}
	// seen: 1 online, 2 online and busy.
	seen := map[minute]int{}
	var parts []string
	var args []any
	for _, w := range windowsOf(locs) {
		from, to := w.from.Unix(), w.to.Unix()
		parts = append(parts, fmt.Sprintf(`SELECT driver_id, occurred_at // 60 AS m, max(CASE WHEN order_id != '' THEN 2 ELSE 1 END) AS b
			FROM events WHERE event_type = '%s' AND driver_id != '' AND occurred_at >= ? AND occurred_at < ? GROUP BY driver_id, m`,
			domain.TypeDriverLocation))
		args = append(args, from-mod(from, 60), to-mod(to, 60)+60)
	}
	err := s.each(ctx, strings.Join(parts, " UNION ALL "), args, func(r *sql.Rows) error {
		var d string
		var m int64
		var b int
		if err := r.Scan(&d, &m, &b); err != nil {
			return err
		}
		seen[minute{d, m}] = max(seen[minute{d, m}], b)
		return nil
	})
	if err != nil {
		return err
	}
	for i := range locs {
		f := &locs[i]
		t := f.OccurredAt.Unix()
		m := minute{f.DriverID, (t - mod(t, 60)) / 60}
		b := 1
		if f.OrderID != "" {
			b = 2
		}
		was := seen[m]
		if b <= was {
			continue
		}
		seen[m] = b
		k := driverKey{dayOf(t), f.DriverID}
		v := out[k]
		if v == nil {
			v = &driverInc{}
			out[k] = v
		}
		if was == 0 {
			v.online++
		}
		if b == 2 {
			v.busy++
		}
	}
	return nil
}

// rollup is a rollup table the DuckDB store adds increments to: its number in the
// writer connection's temporary increments table (created once, emptied by every write,
// see incrementsCols), the increments of it there as the MERGE names them (sel), the key
// column (slot or day) and the rest of the MERGE that adds an increments row d to its row t.
// One table for every rollup: a write appends all its increments with one appender.
type rollup struct {
	id                        int8
	table, sel, keyCol, merge string
}

// incrementsCols are the increments table's columns: the rollup, its slot or day, its
// string keys, its figures and driver_deliveries' totals.
const incrementsCols = "r TINYINT, k BIGINT, s1 VARCHAR, s2 VARCHAR, s3 VARCHAR, n1 BIGINT, n2 BIGINT, n3 BIGINT, totals BIGINT[]"

// incRow is an increments table row of rollup r.
func incRow(r rollup, k int64, s1, s2, s3 string, n1, n2, n3 int64, totals []int64) []driver.Value {
	return []driver.Value{r.id, k, s1, s2, s3, n1, n2, n3, totals}
}

var (
	salesRollup = rollup{0, "sales_slots", "k AS slot, s1 AS rid, s2 AS z, n1 AS n, n2 AS g", "slot", `t.slot = d.slot AND t.restaurant_id = d.rid AND t.zone = d.z
		WHEN MATCHED THEN UPDATE SET orders = t.orders + d.n, gmv_minor = t.gmv_minor + d.g
		WHEN NOT MATCHED THEN INSERT (slot, restaurant_id, zone, orders, gmv_minor) VALUES (d.slot, d.rid, d.z, d.n, d.g)`}
	dishRollup = rollup{1, "dish_slots", "k AS slot, s1 AS rid, s2 AS mid, s3 AS nm, n1 AS l, n2 AS q, n3 AS a", "slot", `t.slot = d.slot AND t.restaurant_id = d.rid AND t.menu_item_id = d.mid
		WHEN MATCHED THEN UPDATE SET name = greatest(t.name, d.nm), lines = t.lines + d.l, quantity = t.quantity + d.q, amount_minor = t.amount_minor + d.a
		WHEN NOT MATCHED THEN INSERT (slot, restaurant_id, menu_item_id, name, lines, quantity, amount_minor) VALUES (d.slot, d.rid, d.mid, d.nm, d.l, d.q, d.a)`}
	funnelRollup = rollup{2, "funnel_days", "k AS day, s1 AS rid, s2 AS step, s3 AS rsn, n1 AS n, n2 AS a, n3 AS v", "day", `t.day = d.day AND t.restaurant_id = d.rid AND t.step = d.step AND t.reason = d.rsn
		WHEN MATCHED THEN UPDATE SET orders = t.orders + d.n, amount_minor = t.amount_minor + d.a, version = t.version + d.v
		WHEN NOT MATCHED THEN INSERT (day, restaurant_id, step, reason, orders, amount_minor, version) VALUES (d.day, d.rid, d.step, d.rsn, d.n, d.a, d.v)`}
	deliveryRollup = rollup{3, "delivery_seconds", "k AS day, CAST(n1 AS INTEGER) AS part, n2 AS secs, n3 AS n", "day", `t.day = d.day AND t.part = d.part AND t.seconds = d.secs
		WHEN MATCHED THEN UPDATE SET orders = t.orders + d.n
		WHEN NOT MATCHED THEN INSERT (day, part, seconds, orders) VALUES (d.day, d.part, d.secs, d.n)`}
	deliveredRollup = rollup{4, "driver_deliveries", "k AS day, s1 AS did, n1 AS n, totals", "day", `t.day = d.day AND t.driver_id = d.did
		WHEN MATCHED THEN UPDATE SET deliveries = t.deliveries + d.n, totals = list_concat(t.totals, d.totals)
		WHEN NOT MATCHED THEN INSERT (day, driver_id, deliveries, totals) VALUES (d.day, d.did, d.n, d.totals)`}
	driversRollup = rollup{5, "driver_days", "k AS day, s1 AS did, n1 AS o, n2 AS b", "day", `t.day = d.day AND t.driver_id = d.did
		WHEN MATCHED THEN UPDATE SET online = t.online + d.o, busy = t.busy + d.b, version = (t.online + d.o) * 1441 + t.busy + d.b
		WHEN NOT MATCHED THEN INSERT (day, driver_id, online, busy, version) VALUES (d.day, d.did, d.o, d.b, d.o * 1441 + d.b)`}
)

// rollupAdd is one rollup's increments: n rows (row(i), an increments table row) with keys
// (slot or day) from lo to hi.
type rollupAdd struct {
	rollup
	n      int
	row    func(i int) []driver.Value
	lo, hi int64
}

// add is a rollupAdd of n rows (none when n is 0), key(i) the slot or day of row i.
func add(r rollup, n int, row func(i int) []driver.Value, key func(i int) int64) []rollupAdd {
	if n == 0 {
		return nil
	}
	a := rollupAdd{rollup: r, n: n, row: row, lo: key(0), hi: key(0)}
	for i := range n {
		a.lo, a.hi = min(a.lo, key(i)), max(a.hi, key(i))
	}
	return []rollupAdd{a}
}

// adds are the rollups inc adds rows to.
func (inc rollupIncrements) adds() []rollupAdd {
	var out []rollupAdd
	sk, sv := entries(inc.sales)
	out = append(out, add(salesRollup, len(sk), func(i int) []driver.Value {
		return incRow(salesRollup, sk[i].slot, sk[i].restaurant, sk[i].zon, "", sv[i].orders, sv[i].gmv, 0, nil)
	}, func(i int) int64 { return sk[i].slot })...)
	dk, dv := entries(inc.dishes)
	out = append(out, add(dishRollup, len(dk), func(i int) []driver.Value {
		return incRow(dishRollup, dk[i].slot, dk[i].restaurant, dk[i].item, dv[i].name, dv[i].lines, dv[i].quantity, dv[i].amount, nil)
	}, func(i int) int64 { return dk[i].slot })...)
	fk, fv := entries(inc.funnel)
	out = append(out, add(funnelRollup, len(fk), func(i int) []driver.Value {
		return incRow(funnelRollup, fk[i].day, fk[i].restaurant, fk[i].step, fk[i].reason, fv[i].orders, fv[i].amount, fv[i].rows, nil)
	}, func(i int) int64 { return fk[i].day })...)
	yk, yv := entries(inc.delivery)
	out = append(out, add(deliveryRollup, len(yk), func(i int) []driver.Value {
		return incRow(deliveryRollup, yk[i].day, "", "", "", yk[i].part, yk[i].seconds, *yv[i], nil)
	}, func(i int) int64 { return yk[i].day })...)
	ek, ev := entries(inc.delivered)
	out = append(out, add(deliveredRollup, len(ek), func(i int) []driver.Value {
		return incRow(deliveredRollup, ek[i].day, ek[i].driver, "", "", int64(len(*ev[i])), 0, 0, *ev[i])
	}, func(i int) int64 { return ek[i].day })...)
	rk, rv := entries(inc.drivers)
	return append(out, add(driversRollup, len(rk), func(i int) []driver.Value {
		return incRow(driversRollup, rk[i].day, rk[i].driver, "", "", rv[i].online, rv[i].busy, 0, nil)
	}, func(i int) int64 { return rk[i].day })...)
}

// appendIncrements appends every rollup's rows to the (emptied) increments table through
// the appender (a VALUES list of thousands of rows took DuckDB seconds to bind).
func (s *DuckDBStore) appendIncrements(c driver.Conn, adds []rollupAdd) error {
	if len(adds) == 0 {
		return nil
	}
	defer s.clock.since("append increments", time.Now())
	ap, err := duckdb.NewAppender(c, "temp", "", "increments")
	if err != nil {
		return fmt.Errorf("increments appender: %w", err)
	}
	for _, a := range adds {
		for i := range a.n {
			if err := ap.AppendRow(a.row(i)...); err != nil {
				_ = ap.Close()
				return fmt.Errorf("append to increments: %w", err)
			}
		}
	}
	if err := ap.Close(); err != nil {
		return fmt.Errorf("append to increments: %w", err)
	}
	return nil
}

// mergeIncrements adds each rollup's increments to it, one MERGE each, prepared once (the
// statement is the same for every batch: its key range is an argument).
func (s *DuckDBStore) mergeIncrements(ctx context.Context, adds []rollupAdd) error {
	for _, a := range adds {
		start := time.Now()
		// The target's rows outside the increments' slots (days) cannot match: the range lets
		// DuckDB skip them by zone maps instead of joining the whole table.
		q := fmt.Sprintf("MERGE INTO %s t USING (SELECT %s FROM increments WHERE r = %d) d ON t.%s >= ? AND t.%s <= ? AND %s",
			a.table, a.sel, a.id, a.keyCol, a.keyCol, a.merge)
		err := s.exec(ctx, q, a.lo, a.hi)
		s.clock.since("add to "+a.table, start)
		if err != nil {
			return fmt.Errorf("%s: %w", a.table, err)
		}
	}
	return nil
}

// paddedIDs is ids (not empty) as query arguments padded to a power of two by repeating
// the last, and their marks "?,?,...".
func paddedIDs(ids []string) (string, []any) {
	n := 1
	for n < len(ids) {
		n *= 2
	}
	args := make([]any, n)
	for i := range args {
		args[i] = ids[min(i, len(ids)-1)]
	}
	return placeholders(n), args
}

// entries is m's keys and values in one order.
func entries[K comparable, V any](m map[K]*V) ([]K, []*V) {
	ks, vs := make([]K, 0, len(m)), make([]*V, 0, len(m))
	for k, v := range m {
		ks, vs = append(ks, k), append(vs, v)
	}
	return ks, vs
}
