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

// Both stores are append-only and try to write each event once: before a batch is written,
// the ids it holds that are stored already are looked up — by the batch's own time windows,
// which an event id's time never leaves, so the lookup reads a few granules (ClickHouse's
// sorting key, DuckDB's zone maps) rather than every stored id — and dropped. The events
// that remain are stamped with their order's placement (time, restaurant, total) from the
// batch or the orders table, and a delivered order gets its row of milestone times.
//
// The check keeps duplicates rare; it does not make figures exact. Two processes writing
// the same ids at the same moment (a consumer-group rebalance while the old member still
// writes) can both pass it and both insert, and a ClickHouse write that fails part way
// leaves rows its retry writes again. Every read therefore counts an event once whatever
// is stored (distinct ids, one row per event id, the slot tables' versions: see
// olap_queries.go and sales_slots.go); TestStoreContract_*_twoWritersAtOnce stores every
// event twice and checks each figure.

// window is a closed range of event times [from, to].
type window struct{ from, to time.Time }

// maxWindows bounds the time windows of one id lookup; gap is the smallest gap between
// two events' times that starts a new window.
const (
	maxWindows = 16
	windowGap  = 30 * time.Minute
)

// windowsOf returns the time windows covering the facts' times: sorted, split where the
// gap between two consecutive times exceeds windowGap, then merged down to maxWindows.
func windowsOf(facts []domain.Fact) []window {
	ts := make([]int64, len(facts))
	for i := range facts {
		ts[i] = facts[i].OccurredAt.Unix()
	}
	return windowsOfTimes(ts)
}

// windowsOfTimes is windowsOf for epoch seconds ts (sorted in place).
func windowsOfTimes(ts []int64) []window {
	if len(ts) == 0 {
		return nil
	}
	slices.Sort(ts)
	var ws []window
	start, last := ts[0], ts[0]
	for _, t := range ts[1:] {
		if t-last > int64(windowGap/time.Second) {
			ws = append(ws, window{time.Unix(start, 0), time.Unix(last, 0)})
			start = t
		}
		last = t
	}
	ws = append(ws, window{time.Unix(start, 0), time.Unix(last, 0)})
	for len(ws) > maxWindows { // merge the two windows with the smallest gap
		best := 0
		for i := 1; i < len(ws)-1; i++ {
			if ws[i+1].from.Sub(ws[i].to) < ws[best+1].from.Sub(ws[best].to) {
				best = i
			}
		}
		ws[best].to = ws[best+1].to
		ws = slices.Delete(ws, best+1, best+2)
	}
	return ws
}

// placement is what an order's events are stamped with.
type placement struct {
	at           time.Time
	restaurantID string
	totalMinor   int64
}

// deliveryRow is a delivered order's milestone times (zero: not seen).
type deliveryRow struct {
	orderID, restaurantID                      string
	placed, accepted, ready, picked, delivered time.Time
}

// prepared is what a batch adds to the tables.
type prepared struct {
	facts      []domain.Fact
	dishes     []domain.DishFact
	orders     []domain.Fact // the new order.created facts
	deliveries []deliveryRow
	// unplaced are the new order events whose order the store does not know yet.
	unplaced []domain.Fact
	// steps are the new facts' order steps whose order is known, unplacedSteps the others
	// (funnel_days.go); stepDays are the days of placement whose funnel_days rows the write
	// recomputes: those of the new steps and those of the batch's steps stored already (a
	// failed write's retry finds its events stored and must still recompute).
	steps, unplacedSteps []stepRow
	stepDays             []int64
	// deliveryDays are the days of placement whose delivery_seconds rows the write
	// recomputes (ClickHouse): those of the batch's delivered status changes, new or stored.
	deliveryDays []int64
}

// prepare drops the batch's events that are stored already (or repeated in the batch),
// stamps the rest with their order's placement and builds the delivered orders' rows.
func (o olap) prepare(ctx context.Context, b domain.Batch) (prepared, error) {
	var p prepared
	start := time.Now()
	stored, err := o.storedIDs(ctx, windowsOf(b.Facts))
	o.clock.since("lookup stored ids", start)
	if err != nil {
		return p, fmt.Errorf("stored event ids: %w", err)
	}
	seen := make(map[string]bool, len(b.Facts))
	newCreated := map[string]bool{}
	placed := map[string]placement{}
	var unknown, storedSteps, storedDelivered []string
	for _, f := range b.Facts {
		if stored[f.EventID] {
			if st, ok := stepOf(&f); ok {
				storedSteps = append(storedSteps, f.OrderID)
				if st.step == domain.StatusDelivered {
					storedDelivered = append(storedDelivered, f.OrderID)
				}
			}
		}
		if stored[f.EventID] || seen[f.EventID] {
			continue
		}
		seen[f.EventID] = true
		p.facts = append(p.facts, f)
		if f.EventType == domain.TypeOrderCreated && f.OrderID != "" {
			p.orders = append(p.orders, f)
			newCreated[f.EventID] = true
			if _, ok := placed[f.OrderID]; !ok {
				placed[f.OrderID] = placement{at: f.OccurredAt, restaurantID: f.RestaurantID, totalMinor: f.AmountMinor}
			}
		}
	}
	for _, id := range storedSteps {
		if _, ok := placed[id]; !ok {
			placed[id] = placement{}
			unknown = append(unknown, id)
		}
	}
	for _, f := range p.facts {
		if f.OrderID != "" && f.EventType != domain.TypeOrderCreated {
			if _, ok := placed[f.OrderID]; !ok {
				placed[f.OrderID] = placement{}
				unknown = append(unknown, f.OrderID)
			}
		}
	}
	if o.recent != nil { // the placements of orders written lately, kept by the one writer
		unknown = slices.DeleteFunc(unknown, func(id string) bool {
			pl, ok := o.recent.get(id)
			if ok {
				placed[id] = pl
			}
			return ok
		})
	}
	if len(unknown) > 0 {
		start := time.Now()
		found, err := o.placements(ctx, unknown)
		o.clock.since("lookup placements", start)
		if err != nil {
			return p, fmt.Errorf("order placements: %w", err)
		}
		for id, pl := range found {
			placed[id] = pl
			o.recent.add(id, pl)
		}
	}
	for _, d := range b.Dishes {
		if newCreated[d.EventID] {
			p.dishes = append(p.dishes, d)
		}
	}
	for _, id := range storedSteps {
		if pl := placed[id]; !pl.at.IsZero() {
			p.stepDays = append(p.stepDays, dayOf(pl.at.Unix()))
		}
	}
	for _, id := range storedDelivered {
		if pl := placed[id]; !pl.at.IsZero() {
			p.deliveryDays = append(p.deliveryDays, dayOf(pl.at.Unix()))
		}
	}
	var delivered []string
	for i := range p.facts {
		f := &p.facts[i]
		if f.EventType == domain.TypeOrderCreated || f.OrderID == "" {
			continue
		}
		step, isStep := stepOf(f)
		if pl := placed[f.OrderID]; !pl.at.IsZero() {
			f.OrderPlacedAt, f.OrderTotalMinor = pl.at, pl.totalMinor
			if pl.restaurantID != "" {
				f.RestaurantID = pl.restaurantID
			}
			if isStep {
				step.placed, step.restaurantID = pl.at.Unix(), f.RestaurantID
				p.steps = append(p.steps, step)
				p.stepDays = append(p.stepDays, dayOf(step.placed))
				if step.step == domain.StatusDelivered {
					p.deliveryDays = append(p.deliveryDays, dayOf(step.placed))
				}
			}
		} else {
			p.unplaced = append(p.unplaced, *f)
			if isStep {
				p.unplacedSteps = append(p.unplacedSteps, step)
			}
		}
		if f.EventType == domain.TypeOrderStatusChanged && f.StatusTo == domain.StatusDelivered {
			delivered = append(delivered, f.OrderID)
		}
	}
	if len(delivered) == 0 {
		return p, nil
	}
	// A delivered order's milestones: its status changes in this batch and stored ones.
	ms := map[string]*deliveryRow{}
	lo, hi := time.Time{}, time.Time{}
	for _, id := range delivered {
		pl := placed[id]
		ms[id] = &deliveryRow{orderID: id, restaurantID: pl.restaurantID, placed: pl.at}
	}
	mark := func(id, status string, at time.Time) {
		r := ms[id]
		if r == nil {
			return
		}
		var t *time.Time
		switch status {
		case domain.StatusAccepted:
			t = &r.accepted
		case domain.StatusReadyForPickup:
			t = &r.ready
		case domain.StatusPickedUp:
			t = &r.picked
		case domain.StatusDelivered:
			t = &r.delivered
		default:
			return
		}
		if t.IsZero() || at.Before(*t) {
			*t = at
		}
	}
	for _, f := range p.facts {
		if f.EventType == domain.TypeOrderStatusChanged {
			mark(f.OrderID, f.StatusTo, f.OccurredAt)
		}
	}
	// An order enters each status once (the orders service's state machine), so an order
	// whose batch holds all its milestones needs no lookup: the stored events could only
	// repeat them (the same event stored, with the same time).
	var need []string
	for _, id := range delivered {
		if r := ms[id]; r.accepted.IsZero() || r.ready.IsZero() || r.picked.IsZero() {
			need = append(need, id)
		}
	}
	for _, id := range need {
		r := ms[id]
		from := r.placed
		if from.IsZero() { // placement unknown yet: look back a day from the delivery
			from = r.delivered.Add(-domain.OpenOrderWindow)
		}
		if lo.IsZero() || from.Before(lo) {
			lo = from
		}
		if r.delivered.After(hi) {
			hi = r.delivered
		}
	}
	if len(need) > 0 {
		start = time.Now()
		err = o.statusTimes(ctx, slices.Compact(slices.Sorted(slices.Values(need))), lo, hi, mark)
		o.clock.since("lookup delivered orders' milestones", start)
		if err != nil {
			return p, fmt.Errorf("delivered orders' milestones: %w", err)
		}
	}
	for _, id := range delivered {
		if r := ms[id]; r != nil {
			p.deliveries = append(p.deliveries, *r)
			delete(ms, id)
		}
	}
	return p, nil
}

// placementCache holds the placements of the orders a store's one writer wrote or looked up
// last (up to max, the oldest dropped first): the live consumer's batches carry the later
// events of orders placed minutes ago, found here instead of by a scan of the orders table
// (DuckDB's is in the order written, not by id). A placement never changes once stored,
// so a cached one is what the table holds; nil caches nothing.
type placementCache struct {
	max   int
	byID  map[string]placement
	order []string // ids oldest first (a ring of max)
	next  int
}

func newPlacementCache(max int) *placementCache {
	return &placementCache{max: max, byID: map[string]placement{}}
}

func (c *placementCache) get(id string) (placement, bool) {
	pl, ok := c.byID[id]
	return pl, ok
}

// add keeps id's placement (an order written or found stored).
func (c *placementCache) add(id string, pl placement) {
	if c == nil || pl.at.IsZero() {
		return
	}
	if _, ok := c.byID[id]; ok {
		return
	}
	if len(c.order) < c.max {
		c.order = append(c.order, id)
	} else {
		delete(c.byID, c.order[c.next])
		c.order[c.next] = id
		c.next = (c.next + 1) % c.max
	}
	c.byID[id] = pl
}

// inChunks calls fn with ids in chunks of at most 2,000 as "?, ?, ..." and the arguments.
func inChunks(ids []string, fn func(marks string, args []any) error) error {
	for len(ids) > 0 {
		n := min(len(ids), 2000)
		args := make([]any, n)
		for i, id := range ids[:n] {
			args[i] = id
		}
		if err := fn(placeholders(n), args); err != nil {
			return err
		}
		ids = ids[n:]
	}
	return nil
}

// storedIDs returns the ids of the events stored in the windows.
func (o olap) storedIDs(ctx context.Context, ws []window) (map[string]bool, error) {
	out := map[string]bool{}
	if len(ws) == 0 {
		return out, nil
	}
	var parts []string
	var args []any
	for _, w := range ws {
		parts = append(parts, fmt.Sprintf("SELECT event_id FROM events WHERE occurred_at >= %s AND occurred_at <= %s", o.d.ts, o.d.ts))
		args = append(args, w.from.Unix(), w.to.Unix())
	}
	err := o.each(ctx, strings.Join(parts, " UNION ALL "), args, func(rows *sql.Rows) error {
		var id string
		if err := rows.Scan(&id); err != nil {
			return err
		}
		out[id] = true
		return nil
	})
	return out, err
}

// placements reads the orders table for ids.
func (o olap) placements(ctx context.Context, ids []string) (map[string]placement, error) {
	out := map[string]placement{}
	err := inChunks(ids, func(marks string, args []any) error {
		q := fmt.Sprintf("SELECT order_id, %s, restaurant_id, total_minor FROM orders WHERE order_id IN (%s)", o.d.epoch("placed_at"), marks)
		return o.each(ctx, q, args, func(rows *sql.Rows) error {
			var id, rest string
			var at, total int64
			if err := rows.Scan(&id, &at, &rest, &total); err != nil {
				return err
			}
			out[id] = placement{at: time.Unix(at, 0).UTC(), restaurantID: rest, totalMinor: total}
			return nil
		})
	})
	return out, err
}

// statusTimes calls mark with each stored status change of ids between from and to.
func (o olap) statusTimes(ctx context.Context, ids []string, from, to time.Time, mark func(id, status string, at time.Time)) error {
	return inChunks(ids, func(marks string, args []any) error {
		q := fmt.Sprintf(`SELECT order_id, status_to, min(%s) FROM events WHERE event_type = '%s' AND occurred_at >= %s AND occurred_at <= %s
			AND order_id IN (%s) GROUP BY order_id, status_to`, o.d.epoch("occurred_at"), domain.TypeOrderStatusChanged, o.d.ts, o.d.ts, marks)
		return o.each(ctx, q, append([]any{from.Unix(), to.Unix()}, args...), func(rows *sql.Rows) error {
			var id, status string
			var at int64
			if err := rows.Scan(&id, &status, &at); err != nil {
				return err
			}
			mark(id, status, time.Unix(at, 0).UTC())
			return nil
		})
	})
}
