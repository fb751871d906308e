package adapters_test

import (
	"cmp"
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/dizhtime/dizhtime/events"
	"github.com/dizhtime/dizhtime/events/contracts"
	"github.com/dizhtime/dizhtime/subgraphs/analytics/adapters"
	"github.com/dizhtime/dizhtime/subgraphs/analytics/app"
	"github.com/dizhtime/dizhtime/subgraphs/analytics/domain"
)

// The funnel, the rates, the delivery times and the drivers' minutes are read from rollups
// kept at ingestion (order_steps, funnel_days, delivery_seconds, driver_days). These tests write a generated city — a few
// hundred orders over three days with every outcome, refunds (some twice), drivers'
// locations and deliveries, and some events written before their order's order.created —
// in batches, redeliver a third of the batches and, on ClickHouse, write some through two
// stores at once, then compare the stores' answers for ranges with whole and partial days
// and for restaurant scopes (drivers: the whole city) with the same figures computed here
// from the raw events, each event id once.

func TestRollupContract_realClickHouse(t *testing.T) {
	a := clickhouseStore(t).(*adapters.ClickHouseStore)
	b, err := adapters.OpenClickHouse(context.Background(), clickhouseURL(), a.Database())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = b.Close() })
	runRollupContract(t, a, func(t *testing.T, envs []events.Envelope) {
		var ready sync.WaitGroup
		ready.Add(2)
		meet := func() { ready.Done(); ready.Wait() }
		adapters.SetBeforeInsert(a, meet)
		adapters.SetBeforeInsert(b, meet)
		defer adapters.SetBeforeInsert(a, nil)
		defer adapters.SetBeforeInsert(b, nil)
		writeConcurrently(t, []app.Store{a, b}, envs)
	})
}

func TestRollupContract_embeddedDuckDB(t *testing.T) {
	s := duckdbStore(t)
	runRollupContract(t, s, func(t *testing.T, envs []events.Envelope) {
		writeConcurrently(t, []app.Store{s, s}, envs)
	})
}

// generatedCity is the events of n orders placed over three days from day (a UTC midnight).
func generatedCity(rng *rand.Rand, day time.Time, n int) []events.Envelope {
	var envs []events.Envelope
	seq := 0
	add := func(subject string, at time.Time, p events.Payload) {
		seq++
		envs = append(envs, envelope(fmt.Sprintf("gen-%08d", seq), subject, at, p))
	}
	for i := range n {
		id := fmt.Sprintf("g%05d", i)
		rest := fmt.Sprintf("r%d", rng.IntN(5))
		at := day.Add(time.Duration(rng.Int64N(int64(72 * time.Hour))))
		total := int64(1000 + rng.IntN(50)*100)
		add(id, at, contracts.OrderCreatedV2{OrderID: id, CustomerID: "c", RestaurantID: rest,
			Items:    []contracts.OrderItem{{MenuItemID: "m" + rest, Name: "Dish", Quantity: 1, UnitPrice: money(total - 500)}},
			Subtotal: money(total - 500), DeliveryFee: money(500), Total: money(total),
			DeliveryAddress: contracts.Address{Lat: 41.3, Lng: 69.2}, PlacedAt: at})
		status := func(from, to, reason string) {
			at = at.Add(time.Duration(1+rng.IntN(600)) * time.Second)
			add(id, at, contracts.OrderStatusChangedV2{OrderID: id, RestaurantID: rest, From: from, To: to, Reason: reason, ChangedAt: at})
		}
		refund := func() {
			at = at.Add(time.Duration(1+rng.IntN(60)) * time.Second)
			add(id, at, contracts.PaymentRefundedV1{RefundID: fmt.Sprintf("rf%d", seq), PaymentID: "p" + id, OrderID: id,
				Amount: money(100 + rng.Int64N(total-100)), Reason: "r", RefundedAt: at})
		}
		switch k := rng.IntN(10); {
		case k == 0:
			status("placed", "payment_failed", []string{"insufficient_funds", "card_declined"}[rng.IntN(2)])
		case k == 1:
			status("placed", "paid", "")
			status("paid", "cancelled", []string{"customer_changed_mind", "too_slow"}[rng.IntN(2)])
			refund()
			if rng.IntN(3) == 0 {
				refund()
			}
		case k == 2:
			status("placed", "paid", "")
			status("paid", "rejected", "kitchen_closed")
			refund()
		case k == 3:
			status("placed", "paid", "") // still open
		default:
			status("placed", "paid", "")
			status("paid", "accepted", "")
			status("accepted", "ready_for_pickup", "")
			status("ready_for_pickup", "picked_up", "")
			if k == 4 {
				status("picked_up", "delivery_failed", "no_answer")
			} else {
				driver := fmt.Sprintf("d%d", rng.IntN(8))
				for range 1 + rng.IntN(3) {
					loc := at.Add(-time.Duration(rng.IntN(900)) * time.Second)
					add(driver, loc, contracts.DriverLocationV1{DriverID: driver, Lat: 41.3, Lng: 69.2, OrderID: id, RecordedAt: loc})
				}
				status("picked_up", "delivered", "")
				add("del-"+id, at, contracts.DeliveryStatusChangedV1{DeliveryID: "del-" + id, OrderID: id, DriverID: driver,
					From: "arrived_at_dropoff", To: "delivered", ChangedAt: at})
				idle := at.Add(time.Duration(rng.IntN(3600)) * time.Second)
				add(driver, idle, contracts.DriverLocationV1{DriverID: driver, Lat: 41.3, Lng: 69.2, RecordedAt: idle})
				if k == 5 {
					refund()
				}
			}
		}
	}
	return envs
}

// uniqueFacts is the facts of envs, each event id once (a redelivery counts once).
func uniqueFacts(envs []events.Envelope) []domain.Fact {
	seen := map[string]bool{}
	var facts []domain.Fact
	for _, e := range envs {
		if seen[e.ID] {
			continue
		}
		seen[e.ID] = true
		f, _, err := app.FactsOf(e)
		if err != nil {
			panic(err)
		}
		facts = append(facts, f)
	}
	return facts
}

// rawSales computes the orders and GMV of r within s per quarter hour, restaurant and zone
// from the events, each id once.
func rawSales(envs []events.Envelope, r domain.Range, s domain.Scope) (slots, byRestaurant, byZone map[string][2]int64) {
	slots, byRestaurant, byZone = map[string][2]int64{}, map[string][2]int64{}, map[string][2]int64{}
	add := func(m map[string][2]int64, k string, amt int64) {
		v := m[k]
		m[k] = [2]int64{v[0] + 1, v[1] + amt}
	}
	for _, e := range uniqueFacts(envs) {
		if e.EventType == domain.TypeOrderCreated && !e.OccurredAt.Before(r.From) && e.OccurredAt.Before(r.To) &&
			(s.All() || slices.Contains(s.RestaurantIDs, e.RestaurantID)) {
			add(slots, e.OccurredAt.Truncate(domain.Slot).UTC().String(), e.AmountMinor)
			add(byRestaurant, e.RestaurantID, e.AmountMinor)
			add(byZone, e.Zone, e.AmountMinor)
		}
	}
	return slots, byRestaurant, byZone
}

// checkSales compares the store's sales series and breakdowns of r within s with rawSales.
func checkSales(ctx context.Context, t *testing.T, st app.Store, envs []events.Envelope, r domain.Range, s domain.Scope) {
	t.Helper()
	wantSlots, wantRestaurants, wantZones := rawSales(envs, r, s)
	slots, err := st.SalesSlots(ctx, r, s)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][2]int64{}
	for _, x := range slots {
		got[x.Slot.UTC().String()] = [2]int64{x.Orders, x.GMVMinor}
	}
	if fmt.Sprint(got) != fmt.Sprint(wantSlots) {
		t.Errorf("sales slots [%s, %s) %v:\n got %v\nwant %v", r.From, r.To, s.RestaurantIDs, got, wantSlots)
	}
	for _, by := range []struct {
		b    domain.Breakdown
		want map[string][2]int64
	}{{domain.ByRestaurant, wantRestaurants}, {domain.ByZone, wantZones}} {
		rows, err := st.SalesBreakdown(ctx, r, s, by.b, 100000)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string][2]int64{}
		for _, x := range rows {
			got[x.Key] = [2]int64{x.Orders, x.GMVMinor}
		}
		if fmt.Sprint(got) != fmt.Sprint(by.want) {
			t.Errorf("sales by %v [%s, %s) %v:\n got %v\nwant %v", by.b, r.From, r.To, s.RestaurantIDs, got, by.want)
		}
	}
}

// checkDishes compares the store's top dishes of r within s with the order lines' totals
// per menu item, each (event id, line) once.
func checkDishes(ctx context.Context, t *testing.T, st app.Store, envs []events.Envelope, r domain.Range, s domain.Scope) {
	t.Helper()
	want := map[string][2]int64{}
	seen := map[string]bool{}
	for _, e := range envs {
		if seen[e.ID] {
			continue
		}
		seen[e.ID] = true
		_, lines, err := app.FactsOf(e)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range lines {
			if !l.OccurredAt.Before(r.From) && l.OccurredAt.Before(r.To) && (s.All() || slices.Contains(s.RestaurantIDs, l.RestaurantID)) {
				v := want[l.MenuItemID]
				want[l.MenuItemID] = [2]int64{v[0] + l.Quantity, v[1] + l.AmountMinor}
			}
		}
	}
	dishes, err := st.TopDishes(ctx, r, s, 1000)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][2]int64{}
	for _, d := range dishes {
		got[d.MenuItemID] = [2]int64{d.Quantity, d.RevenueMinor}
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("top dishes [%s, %s) %v:\n got %v\nwant %v", r.From, r.To, s.RestaurantIDs, got, want)
	}
}

// rawFigures computes the funnel and the rates of r within s from the events, each id once.
func rawFigures(envs []events.Envelope, r domain.Range, s domain.Scope) (domain.Funnel, domain.Rates) {
	facts := uniqueFacts(envs)
	cohort := map[string]bool{}
	var f domain.Funnel
	var x domain.Rates
	for _, e := range facts {
		if e.EventType == domain.TypeOrderCreated && !e.OccurredAt.Before(r.From) && e.OccurredAt.Before(r.To) &&
			(s.All() || slices.Contains(s.RestaurantIDs, e.RestaurantID)) {
			cohort[e.OrderID] = true
			f.Placed++
		}
	}
	x.Placed = f.Placed
	reached := map[[3]string]bool{}
	ended, refunded := map[string]bool{}, map[string]bool{}
	drop := map[[2]string]int64{}
	for _, e := range facts {
		if !cohort[e.OrderID] {
			continue
		}
		switch e.EventType {
		case domain.TypePaymentRefunded:
			refunded[e.OrderID] = true
			x.RefundedMinor += e.AmountMinor
		case domain.TypeOrderStatusChanged:
			k := [3]string{e.OrderID, e.StatusTo, e.Reason}
			if reached[k] {
				continue
			}
			reached[k] = true
			switch {
			case e.StatusTo == domain.StatusPaid:
				f.Paid++
			case e.StatusTo == domain.StatusAccepted:
				f.Accepted++
			case e.StatusTo == domain.StatusDelivered:
				f.Delivered++
			case slices.Contains(domain.DropOffStatuses, e.StatusTo):
				drop[[2]string{e.StatusTo, e.Reason}]++
				ended[e.OrderID] = true
			}
		}
	}
	for k, n := range drop {
		f.DropOffs = append(f.DropOffs, domain.DropOff{Status: k[0], Reason: k[1], Orders: n})
	}
	slices.SortFunc(f.DropOffs, func(a, b domain.DropOff) int {
		return cmp.Or(cmp.Compare(b.Orders, a.Orders), cmp.Compare(a.Status, b.Status), cmp.Compare(a.Reason, b.Reason))
	})
	x.Cancelled, x.Refunded = int64(len(ended)), int64(len(refunded))
	return f, x
}

// rawDeliveryTimes computes the delivery times of the orders placed in r within s from the
// events, each id once: an order's milestones are the first time it entered each status.
func rawDeliveryTimes(envs []events.Envelope, r domain.Range, s domain.Scope) domain.DeliveryTimes {
	facts := uniqueFacts(envs)
	placed := map[string]int64{}
	for _, f := range facts {
		if f.EventType == domain.TypeOrderCreated && !f.OccurredAt.Before(r.From) && f.OccurredAt.Before(r.To) &&
			(s.All() || slices.Contains(s.RestaurantIDs, f.RestaurantID)) {
			placed[f.OrderID] = f.OccurredAt.Unix()
		}
	}
	at := map[string]map[string]int64{}
	for _, f := range facts {
		if _, ok := placed[f.OrderID]; !ok || f.EventType != domain.TypeOrderStatusChanged {
			continue
		}
		if at[f.OrderID] == nil {
			at[f.OrderID] = map[string]int64{}
		}
		if t, ok := at[f.OrderID][f.StatusTo]; !ok || f.OccurredAt.Unix() < t {
			at[f.OrderID][f.StatusTo] = f.OccurredAt.Unix()
		}
	}
	var hs [5]domain.Seconds
	for i := range hs {
		hs[i] = domain.Seconds{}
	}
	parts := [5][2]string{{"placed", "delivered"}, {"placed", "accepted"}, {"accepted", "ready_for_pickup"}, {"ready_for_pickup", "picked_up"},
		{"picked_up", "delivered"}}
	for id, p := range placed {
		m := at[id]
		if m == nil || m["delivered"] == 0 {
			continue
		}
		m["placed"] = p
		for i, x := range parts {
			if start, end := m[x[0]], m[x[1]]; start > 0 && end >= start {
				hs[i].Add(end-start, 1)
			}
		}
	}
	return domain.DeliveryTimes{Total: hs[0].Quantiles(), Acceptance: hs[1].Quantiles(), Kitchen: hs[2].Quantiles(),
		Pickup: hs[3].Quantiles(), Drive: hs[4].Quantiles()}
}

// rawDrivers computes the drivers' figures in r from the events, each id once, with the
// drivers' share shareBps of each delivered order's total (rounded down per order).
func rawDrivers(envs []events.Envelope, r domain.Range, shareBps int64) map[string]domain.DriverFigures {
	facts := uniqueFacts(envs)
	totals := map[string]int64{}
	for _, f := range facts {
		if f.EventType == domain.TypeOrderCreated {
			totals[f.OrderID] = f.AmountMinor
		}
	}
	online, busy := map[string]map[int64]bool{}, map[string]map[int64]bool{}
	delivered := map[[2]string]bool{}
	out := map[string]domain.DriverFigures{}
	for _, f := range facts {
		if f.OccurredAt.Before(r.From) || !f.OccurredAt.Before(r.To) || f.DriverID == "" {
			continue
		}
		switch {
		case f.EventType == domain.TypeDriverLocation:
			m := f.OccurredAt.Unix() / 60
			if online[f.DriverID] == nil {
				online[f.DriverID], busy[f.DriverID] = map[int64]bool{}, map[int64]bool{}
			}
			online[f.DriverID][m] = true
			if f.OrderID != "" {
				busy[f.DriverID][m] = true
			}
		case f.EventType == domain.TypeDeliveryStatus && f.StatusTo == domain.StatusDelivered:
			k := [2]string{f.DriverID, f.OrderID}
			if !delivered[k] {
				delivered[k] = true
				x := out[f.DriverID]
				x.DriverID = f.DriverID
				x.Deliveries++
				x.EarningsMinor += totals[f.OrderID] * shareBps / 10000
				out[f.DriverID] = x
			}
		}
	}
	for d, ms := range online {
		x := out[d]
		x.DriverID, x.OnlineMinutes, x.BusyMinutes = d, int64(len(ms)), int64(len(busy[d]))
		out[d] = x
	}
	return out
}

func runRollupContract(t *testing.T, s app.Store, twoAtOnce func(*testing.T, []events.Envelope)) {
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(21, 2))
	day := time.Date(2026, 5, 4, 0, 0, 0, 0, time.UTC)
	envs := generatedCity(rng, day, 400)
	// Time order (as each topic's partitions bring them), but every 12th order event other
	// than an order.created comes first, before any order is known: written unplaced.
	slices.SortStableFunc(envs, func(a, b events.Envelope) int { return a.Time.Compare(b.Time) })
	var early, rest []events.Envelope
	for i, e := range envs {
		if e.Type != contracts.TypeOrderCreated && i%12 == 0 {
			early = append(early, e)
		} else {
			rest = append(rest, e)
		}
	}
	ordered := append(early, rest...)
	var batches [][]events.Envelope
	for len(ordered) > 0 {
		n := min(len(ordered), 20+rng.IntN(120))
		batches = append(batches, ordered[:n])
		ordered = ordered[n:]
	}
	for i, b := range batches {
		switch {
		case i%5 == 2:
			twoAtOnce(t, b)
		default:
			write(t, s, b)
		}
		if i%3 == 1 { // a redelivery of an earlier batch
			write(t, s, batches[rng.IntN(i+1)])
		}
	}
	ranges := []struct{ from, to time.Duration }{
		{0, 72 * time.Hour},                                           // whole days only
		{-time.Hour, 80 * time.Hour},                                  // whole days and partial ends
		{7*time.Hour + 13*time.Minute, 9*time.Hour + 1},               // inside a day
		{20 * time.Hour, 50*time.Hour + 30*time.Minute},               // ends around a whole day
		{-20*24*time.Hour - time.Hour, 20*24*time.Hour + 3*time.Hour}, // days read as blocks of 1 to 16 days
	}
	scopes := []domain.Scope{{}, {RestaurantIDs: []string{"r1"}}, {RestaurantIDs: []string{"r0", "r3"}}, {RestaurantIDs: []string{}}}
	checked := 0
	for _, x := range ranges {
		r, err := domain.NewRange(day.Add(x.from), day.Add(x.to), "UTC")
		if err != nil {
			t.Fatal(err)
		}
		for _, sc := range scopes {
			checkSales(ctx, t, s, envs, r, sc)
			checkDishes(ctx, t, s, envs, r, sc)
			wantF, wantR := rawFigures(envs, r, sc)
			f, err := s.Funnel(ctx, r, sc)
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(f) != fmt.Sprint(wantF) {
				t.Errorf("funnel [%s, %s) %v:\n got %+v\nwant %+v", r.From, r.To, sc.RestaurantIDs, f, wantF)
			}
			rt, err := s.Rates(ctx, r, sc)
			if err != nil {
				t.Fatal(err)
			}
			if rt.Placed != wantR.Placed || rt.Cancelled != wantR.Cancelled || rt.Refunded != wantR.Refunded || rt.RefundedMinor != wantR.RefundedMinor {
				t.Errorf("rates [%s, %s) %v:\n got %+v\nwant %+v", r.From, r.To, sc.RestaurantIDs, rt, wantR)
			}
			wantD := rawDeliveryTimes(envs, r, sc)
			d, err := s.DeliveryTimes(ctx, r, sc)
			if err != nil {
				t.Fatal(err)
			}
			if d != wantD {
				t.Errorf("delivery times [%s, %s) %v:\n got %+v\nwant %+v", r.From, r.To, sc.RestaurantIDs, d, wantD)
			}
			if wantF.Placed > 0 && wantF.Delivered > 0 && wantR.Refunded > 0 && wantD.Total.Count > 1 {
				checked++
			}
		}
	}
	// Earnings round down per order: a share of 1,234 bps leaves a remainder on most totals.
	for _, shareBps := range []int64{1000, 1234} {
		for _, x := range ranges {
			r, _ := domain.NewRange(day.Add(x.from), day.Add(x.to), "UTC")
			want := rawDrivers(envs, r, shareBps)
			got, err := s.Drivers(ctx, r, 1000, shareBps)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(want) || len(want) < 4 {
				t.Errorf("drivers [%s, %s): got %d, want %d (at least 4)", r.From, r.To, len(got), len(want))
			}
			for _, g := range got {
				if g != want[g.DriverID] {
					t.Errorf("drivers [%s, %s) at %d bps: got %+v, want %+v", r.From, r.To, shareBps, g, want[g.DriverID])
				}
			}
		}
	}
	if checked < 6 {
		t.Fatalf("only %d of the checks had placed, delivered and refunded orders: the dataset tests too little", checked)
	}
}
