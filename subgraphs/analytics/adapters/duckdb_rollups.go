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
	var parts []string
	var args []any
	for _, w := range windowsOfTimes(placed) {
		parts = append(parts, "SELECT order_id, step, ref, reason FROM order_steps WHERE placed_at >= ? AND placed_at <= ?")
		args = append(args, w.from.Unix(), w.to.Unix())
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

// rollup is a rollup table the DuckDB store adds increments to: the columns of its
// temporary increments table (of the writer connection, created once), the key column
// (slot or day) and the rest of the MERGE that adds an increments row d to its row t.
type rollup struct {
	table, cols, keyCol, merge string
}

// tmp is the rollup's temporary increments table.
func (r rollup) tmp() string { return "increments_" + r.table }

var (
	salesRollup = rollup{"sales_slots", "slot BIGINT, rid VARCHAR, z VARCHAR, n BIGINT, g BIGINT", "slot", `t.slot = d.slot AND t.restaurant_id = d.rid AND t.zone = d.z
		WHEN MATCHED THEN UPDATE SET orders = t.orders + d.n, gmv_minor = t.gmv_minor + d.g
		WHEN NOT MATCHED THEN INSERT (slot, restaurant_id, zone, orders, gmv_minor) VALUES (d.slot, d.rid, d.z, d.n, d.g)`}
	dishRollup = rollup{"dish_slots", "slot BIGINT, rid VARCHAR, mid VARCHAR, nm VARCHAR, l BIGINT, q BIGINT, a BIGINT", "slot", `t.slot = d.slot AND t.restaurant_id = d.rid AND t.menu_item_id = d.mid
		WHEN MATCHED THEN UPDATE SET name = greatest(t.name, d.nm), lines = t.lines + d.l, quantity = t.quantity + d.q, amount_minor = t.amount_minor + d.a
		WHEN NOT MATCHED THEN INSERT (slot, restaurant_id, menu_item_id, name, lines, quantity, amount_minor) VALUES (d.slot, d.rid, d.mid, d.nm, d.l, d.q, d.a)`}
	funnelRollup = rollup{"funnel_days", "day BIGINT, rid VARCHAR, step VARCHAR, rsn VARCHAR, n BIGINT, a BIGINT, v BIGINT", "day", `t.day = d.day AND t.restaurant_id = d.rid AND t.step = d.step AND t.reason = d.rsn
		WHEN MATCHED THEN UPDATE SET orders = t.orders + d.n, amount_minor = t.amount_minor + d.a, version = t.version + d.v
		WHEN NOT MATCHED THEN INSERT (day, restaurant_id, step, reason, orders, amount_minor, version) VALUES (d.day, d.rid, d.step, d.rsn, d.n, d.a, d.v)`}
	deliveryRollup = rollup{"delivery_seconds", "day BIGINT, part INTEGER, secs BIGINT, n BIGINT", "day", `t.day = d.day AND t.part = d.part AND t.seconds = d.secs
		WHEN MATCHED THEN UPDATE SET orders = t.orders + d.n
		WHEN NOT MATCHED THEN INSERT (day, part, seconds, orders) VALUES (d.day, d.part, d.secs, d.n)`}
	deliveredRollup = rollup{"driver_deliveries", "day BIGINT, did VARCHAR, n BIGINT, totals BIGINT[]", "day", `t.day = d.day AND t.driver_id = d.did
		WHEN MATCHED THEN UPDATE SET deliveries = t.deliveries + d.n, totals = list_concat(t.totals, d.totals)
		WHEN NOT MATCHED THEN INSERT (day, driver_id, deliveries, totals) VALUES (d.day, d.did, d.n, d.totals)`}
	driversRollup = rollup{"driver_days", "day BIGINT, did VARCHAR, o BIGINT, b BIGINT", "day", `t.day = d.day AND t.driver_id = d.did
		WHEN MATCHED THEN UPDATE SET online = t.online + d.o, busy = t.busy + d.b, version = (t.online + d.o) * 1441 + t.busy + d.b
		WHEN NOT MATCHED THEN INSERT (day, driver_id, online, busy, version) VALUES (d.day, d.did, d.o, d.b, d.o * 1441 + d.b)`}
	rollups = []rollup{salesRollup, dishRollup, funnelRollup, deliveryRollup, deliveredRollup, driversRollup}
)

// rollupAdd is one rollup's increments: n rows (row(i) in the increments table's column
// order) with keys (slot or day) from lo to hi.
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
		return []driver.Value{sk[i].slot, sk[i].restaurant, sk[i].zon, sv[i].orders, sv[i].gmv}
	}, func(i int) int64 { return sk[i].slot })...)
	dk, dv := entries(inc.dishes)
	out = append(out, add(dishRollup, len(dk), func(i int) []driver.Value {
		return []driver.Value{dk[i].slot, dk[i].restaurant, dk[i].item, dv[i].name, dv[i].lines, dv[i].quantity, dv[i].amount}
	}, func(i int) int64 { return dk[i].slot })...)
	fk, fv := entries(inc.funnel)
	out = append(out, add(funnelRollup, len(fk), func(i int) []driver.Value {
		return []driver.Value{fk[i].day, fk[i].restaurant, fk[i].step, fk[i].reason, fv[i].orders, fv[i].amount, fv[i].rows}
	}, func(i int) int64 { return fk[i].day })...)
	yk, yv := entries(inc.delivery)
	out = append(out, add(deliveryRollup, len(yk), func(i int) []driver.Value {
		return []driver.Value{yk[i].day, int32(yk[i].part), yk[i].seconds, *yv[i]}
	}, func(i int) int64 { return yk[i].day })...)
	ek, ev := entries(inc.delivered)
	out = append(out, add(deliveredRollup, len(ek), func(i int) []driver.Value {
		return []driver.Value{ek[i].day, ek[i].driver, int64(len(*ev[i])), *ev[i]}
	}, func(i int) int64 { return ek[i].day })...)
	rk, rv := entries(inc.drivers)
	return append(out, add(driversRollup, len(rk), func(i int) []driver.Value {
		return []driver.Value{rk[i].day, rk[i].driver, rv[i].online, rv[i].busy}
	}, func(i int) int64 { return rk[i].day })...)
}

// appendIncrements appends a's rows to its (emptied) increments table through the appender
// (a VALUES list of thousands of rows took DuckDB seconds to bind).
func (s *DuckDBStore) appendIncrements(c driver.Conn, a rollupAdd) error {
	defer s.clock.since("add to "+a.table, time.Now())
	ap, err := duckdb.NewAppender(c, "temp", "", a.tmp())
	if err != nil {
		return fmt.Errorf("%s appender: %w", a.tmp(), err)
	}
	for i := range a.n {
		if err := ap.AppendRow(a.row(i)...); err != nil {
			_ = ap.Close()
			return fmt.Errorf("append to %s: %w", a.tmp(), err)
		}
	}
	if err := ap.Close(); err != nil {
		return fmt.Errorf("append to %s: %w", a.tmp(), err)
	}
	return nil
}

// mergeIncrements adds each rollup's increments table to it, one MERGE each, prepared once
// (the statement is the same for every batch: its key range is an argument).
func (s *DuckDBStore) mergeIncrements(ctx context.Context, adds []rollupAdd) error {
	for _, a := range adds {
		start := time.Now()
		// The target's rows outside the increments' slots (days) cannot match: the range lets
		// DuckDB skip them by zone maps instead of joining the whole table.
		q := fmt.Sprintf("MERGE INTO %s t USING %s d ON t.%s >= ? AND t.%s <= ? AND %s", a.table, a.tmp(), a.keyCol, a.keyCol, a.merge)
		err := s.exec(ctx, q, a.lo, a.hi)
		s.clock.since("add to "+a.table, start)
		if err != nil {
			return fmt.Errorf("%s: %w", a.table, err)
		}
	}
	return nil
}

// entries is m's keys and values in one order.
func entries[K comparable, V any](m map[K]*V) ([]K, []*V) {
	ks, vs := make([]K, 0, len(m)), make([]*V, 0, len(m))
	for k, v := range m {
		ks, vs = append(ks, k), append(vs, v)
	}
	return ks, vs
}
