package adapters_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/dizhtime/dizhtime/events"
	"github.com/dizhtime/dizhtime/events/contracts"
	"github.com/dizhtime/dizhtime/subgraphs/analytics/adapters"
	"github.com/dizhtime/dizhtime/subgraphs/analytics/app"
	"github.com/dizhtime/dizhtime/subgraphs/analytics/domain"
)

func clickhouseURL() string {
	if u := os.Getenv("DIZHTIME_CLICKHOUSE_URL"); u != "" {
		return u
	}
	return "tcp://127.0.0.1:9000"
}

// clickhouseStore is a database of its own on the real server, dropped after the test.
func clickhouseStore(t *testing.T) app.Store {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := adapters.OpenClickHouse(ctx, clickhouseURL(), fmt.Sprintf("analytics_test_%d", rand.Int64N(1<<40)))
	if err != nil {
		t.Fatalf("ClickHouse not reachable (start it with `deploy/local/services.sh up clickhouse`): %v", err)
	}
	t.Cleanup(func() {
		_ = s.DropDatabase(context.Background())
		_ = s.Close()
	})
	return s
}

func duckdbStore(t *testing.T) app.Store {
	t.Helper()
	s, err := adapters.OpenDuckDB(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func TestStoreContract_realClickHouse(t *testing.T) { runStoreContract(t, clickhouseStore(t), write) }

func TestStoreContract_embeddedDuckDB(t *testing.T) { runStoreContract(t, duckdbStore(t), write) }

// The DuckDB store prepares the statements it runs again once (stmt_cache.go) and runs the
// rest as text once its cache is full: the figures are the same either way.
func TestStoreContract_embeddedDuckDB_statementsUnprepared(t *testing.T) {
	s, err := adapters.OpenDuckDB(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	adapters.SetStatementCacheSize(s, 0)
	runStoreContract(t, s, write)
}

// Two writers with the same events at once — a consumer-group rebalance while the old
// member still writes the batch the new one was handed — both look for the ids before either
// inserts (each store waits at the point between its check and its inserts until the other
// gets there), so both insert every event: the events table holds each twice, unmerged, and
// no figure may count one twice.
func TestStoreContract_realClickHouse_twoWritersAtOnce(t *testing.T) {
	a := clickhouseStore(t).(*adapters.ClickHouseStore)
	ctx := context.Background()
	b, err := adapters.OpenClickHouse(ctx, clickhouseURL(), a.Database())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = b.Close() })
	runStoreContract(t, a, func(t *testing.T, s app.Store, envs []events.Envelope) {
		var ready sync.WaitGroup
		ready.Add(2)
		meet := func() { ready.Done(); ready.Wait() }
		adapters.SetBeforeInsert(a, meet)
		adapters.SetBeforeInsert(b, meet)
		writeConcurrently(t, []app.Store{a, b}, envs)
		adapters.SetBeforeInsert(a, nil)
		adapters.SetBeforeInsert(b, nil)
		n, err := a.EventCount(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n != 2*int64(len(envs)) {
			t.Fatalf("%d event rows from %d events: the writers did not both insert them, the test tests nothing", n, len(envs))
		}
	})
}

// DuckDB's file belongs to one process: two writers are two goroutines on one store.
func TestStoreContract_embeddedDuckDB_twoWritersAtOnce(t *testing.T) {
	s := duckdbStore(t)
	runStoreContract(t, s, func(t *testing.T, s app.Store, envs []events.Envelope) {
		writeConcurrently(t, []app.Store{s, s}, envs)
	})
}

// writeConcurrently writes envs whole through each store at the same time.
func writeConcurrently(t *testing.T, stores []app.Store, envs []events.Envelope) {
	t.Helper()
	b, bad := app.BatchOf(envs)
	if len(bad) > 0 {
		t.Fatalf("undecodable events: %v", bad)
	}
	errs := make(chan error, len(stores))
	for _, s := range stores {
		go func() { errs <- s.Write(context.Background(), b) }()
	}
	for range stores {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}

// The same figures when every event comes in a batch of its own and the orders topic's
// events come last: each order's payment, dispatch, delivery and refund events are written
// before the store knows the order (Kafka orders events within a topic's partition, not
// across topics), so they are stored without their order's placement and read through
// the join over those rows.
func TestStoreContract_realClickHouse_eventByEventOtherTopicsFirst(t *testing.T) {
	runStoreContract(t, clickhouseStore(t), writeEventByEventOtherTopicsFirst)
}

func TestStoreContract_embeddedDuckDB_eventByEventOtherTopicsFirst(t *testing.T) {
	runStoreContract(t, duckdbStore(t), writeEventByEventOtherTopicsFirst)
}

func writeEventByEventOtherTopicsFirst(t *testing.T, s app.Store, envs []events.Envelope) {
	t.Helper()
	ordersTopic := func(e events.Envelope) bool {
		return e.Type == contracts.TypeOrderCreated || e.Type == contracts.TypeOrderStatusChanged
	}
	for _, first := range []bool{true, false} {
		for _, e := range envs {
			if ordersTopic(e) != first {
				write(t, s, []events.Envelope{e})
			}
		}
	}
}

func TestStoreContract_duckDBFileSurvivesReopen(t *testing.T) {
	path := t.TempDir() + "/analytics.duckdb"
	ctx := context.Background()
	s, err := adapters.OpenDuckDB(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	c := newCity()
	write(t, s, c.envs)
	_ = s.Close()
	s, err = adapters.OpenDuckDB(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	write(t, s, c.envs) // the redelivery after a restart adds nothing either
	f, err := s.Funnel(ctx, c.rng, domain.Scope{})
	if err != nil || f.Placed != 4 {
		t.Fatalf("funnel after reopen = %+v, %v; want 4 placed", f, err)
	}
}

// t0 is an hour's start; every event of the city is placed relative to it.
var t0 = time.Date(2026, 3, 10, 10, 0, 0, 0, time.UTC)

type city struct {
	envs []events.Envelope
	rng  domain.Range
}

func envelope(id, subject string, at time.Time, p events.Payload) events.Envelope {
	data, err := json.Marshal(p)
	if err != nil {
		panic(err)
	}
	return events.Envelope{ID: id, Type: p.EventType(), Version: p.EventVersion(), Source: "test", Time: at, Subject: subject, Data: data}
}

func money(n int64) contracts.Money { return contracts.Money{AmountMinor: n, Currency: "UZS"} }

// newCity: o1 (r1) delivered by d1; o3 (r1) fails payment; o2 (r2) paid, cancelled and
// refunded; o5 (r2) placed (10:58) and still open; o4 (r1) two days earlier, outside the range.
func newCity() city {
	at := func(sec int) time.Time { return t0.Add(time.Duration(sec) * time.Second) }
	var envs []events.Envelope
	n := 0
	add := func(subject string, sec int, p events.Payload) {
		n++
		envs = append(envs, envelope(fmt.Sprintf("00000000-0000-7000-8000-%012d", n), subject, at(sec), p))
	}
	order := func(id, restaurant string, sec int, total int64, items ...contracts.OrderItem) {
		add(id, sec, contracts.OrderCreatedV2{OrderID: id, CustomerID: "c-" + id, RestaurantID: restaurant, Items: items,
			Subtotal: money(total - 2000), DeliveryFee: money(2000), Total: money(total),
			DeliveryAddress: contracts.Address{Line1: "x", City: "Tashkent", Lat: 41.31 + float64(len(envs))*0.01, Lng: 69.28},
			PlacedAt:        at(sec)})
	}
	status := func(id, restaurant string, sec int, from, to, reason string) {
		add(id, sec, contracts.OrderStatusChangedV2{OrderID: id, RestaurantID: restaurant, From: from, To: to, Reason: reason, ChangedAt: at(sec)})
	}
	item := func(id, name string, qty int, price int64) contracts.OrderItem {
		return contracts.OrderItem{MenuItemID: id, Name: name, Quantity: qty, UnitPrice: money(price)}
	}
	order("o1", "r1", 0, 10000, item("pizza", "Pizza", 2, 3000), item("cola", "Cola", 1, 2000))
	status("o1", "r1", 10, "placed", "paid", "")
	add("o1", 10, contracts.PaymentSucceededV1{PaymentID: "p1", OrderID: "o1", Amount: money(10000), Method: "wallet", PaidAt: at(10)})
	status("o1", "r1", 30, "paid", "accepted", "")
	add("d-o1", 40, contracts.DispatchAssignedV1{OrderID: "o1", DriverID: "d1", RestaurantID: "r1", AssignedAt: at(40)})
	status("o1", "r1", 330, "preparing", "ready_for_pickup", "")
	status("o1", "r1", 400, "ready_for_pickup", "picked_up", "")
	status("o1", "r1", 1000, "picked_up", "delivered", "")
	add("d-o1", 1000, contracts.DeliveryStatusChangedV1{DeliveryID: "d-o1", OrderID: "o1", DriverID: "d1", From: "arrived_at_dropoff", To: "delivered", ChangedAt: at(1000)})
	for _, loc := range []struct {
		sec   int
		order string
	}{{60, "o1"}, {90, "o1"}, {120, "o1"}, {200, ""}} {
		add("d1", loc.sec, contracts.DriverLocationV1{DriverID: "d1", Lat: 41.3, Lng: 69.2, OrderID: loc.order, RecordedAt: at(loc.sec)})
	}
	order("o3", "r1", 100, 3000, item("soup", "Soup", 1, 1000))
	status("o3", "r1", 105, "placed", "payment_failed", "insufficient_funds")
	order("o2", "r2", 3600, 5000, item("cola", "Cola", 1, 3000))
	status("o2", "r2", 3605, "placed", "paid", "")
	status("o2", "r2", 3610, "paid", "cancelled", "customer_changed_mind")
	add("o2", 3615, contracts.PaymentRefundedV1{RefundID: "rf2", PaymentID: "p2", OrderID: "o2", Amount: money(5000), Reason: "cancelled", RefundedAt: at(3615)})
	order("o5", "r2", 3500, 2500, item("pizza", "Pizza", 1, 500))
	order("o4", "r1", -2*86400, 99999, item("pizza", "Pizza", 9, 1000))
	add("d2", 3590, contracts.DriverLocationV1{DriverID: "d2", Lat: 41.3, Lng: 69.2, RecordedAt: at(3590)})
	rng, err := domain.NewRange(t0, t0.Add(3*time.Hour), "UTC")
	if err != nil {
		panic(err)
	}
	return city{envs: envs, rng: rng}
}

func write(t *testing.T, s app.Store, envs []events.Envelope) {
	t.Helper()
	b, bad := app.BatchOf(envs)
	if len(bad) > 0 {
		t.Fatalf("undecodable events: %v", bad)
	}
	if err := s.Write(context.Background(), b); err != nil {
		t.Fatal(err)
	}
}

// runStoreContract writes the city with first, checks every figure, redelivers it (whole,
// then in halves) and checks again.
func runStoreContract(t *testing.T, s app.Store, first func(*testing.T, app.Store, []events.Envelope)) {
	ctx := context.Background()
	c := newCity()
	first(t, s, c.envs)
	check := func(t *testing.T) {
		t.Run("sales per hour in the range, empty hours included", func(t *testing.T) {
			slots, err := s.SalesSlots(ctx, c.rng, domain.Scope{})
			if err != nil {
				t.Fatal(err)
			}
			got := domain.Series(slots, domain.Hour, c.rng)
			want := []domain.SalesPoint{{Start: t0, Orders: 3, GMVMinor: 15500}, {Start: t0.Add(time.Hour), Orders: 1, GMVMinor: 5000}, {Start: t0.Add(2 * time.Hour)}}
			if len(got) != len(want) {
				t.Fatalf("series = %+v", got)
			}
			for i := range want {
				if !got[i].Start.Equal(want[i].Start) || got[i].Orders != want[i].Orders || got[i].GMVMinor != want[i].GMVMinor {
					t.Errorf("point %d = %+v, want %+v", i, got[i], want[i])
				}
			}
		})
		t.Run("sales per day in Tashkent's time zone", func(t *testing.T) {
			r, _ := domain.NewRange(t0.Add(-3*24*time.Hour), t0.Add(24*time.Hour), "Asia/Tashkent")
			slots, err := s.SalesSlots(ctx, r, domain.Scope{})
			if err != nil {
				t.Fatal(err)
			}
			got := domain.Series(slots, domain.Day, r)
			var orders, gmv int64
			for _, p := range got {
				if h, m, _ := p.Start.In(r.Zone).Clock(); h != 0 || m != 0 {
					t.Errorf("bucket %s does not start at Tashkent's midnight", p.Start)
				}
				orders, gmv = orders+p.Orders, gmv+p.GMVMinor
			}
			if orders != 5 || gmv != 13000+7500+99999 {
				t.Errorf("days = %+v; want 5 orders, gmv %d", got, 13000+7500+99999)
			}
		})
		t.Run("sales per restaurant and per zone", func(t *testing.T) {
			rows, err := s.SalesBreakdown(ctx, c.rng, domain.Scope{}, domain.ByRestaurant, 10)
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) != 2 || rows[0] != (domain.SalesRow{Key: "r1", Orders: 2, GMVMinor: 13000}) || rows[1] != (domain.SalesRow{Key: "r2", Orders: 2, GMVMinor: 7500}) {
				t.Errorf("by restaurant = %+v", rows)
			}
			zones, err := s.SalesBreakdown(ctx, c.rng, domain.Scope{}, domain.ByZone, 10)
			if err != nil {
				t.Fatal(err)
			}
			var orders int64
			for _, z := range zones {
				if len(z.Key) != 15 {
					t.Errorf("zone %q is not an H3 cell", z.Key)
				}
				orders += z.Orders
			}
			if orders != 4 || len(zones) < 2 {
				t.Errorf("by zone = %+v", zones)
			}
		})
		t.Run("sales and dishes of ranges that do not start or end on a quarter hour", func(t *testing.T) {
			// Quarter hours a range covers whole come from the slot tables, its partial ends
			// from the events: [10:00:50, 10:58:21) is only ends (o3, o5); [09:59, 11:00:01)
			// both (o1, o3, o5 whole, o2 at 11:00:00 in the end).
			for _, x := range []struct {
				from, to    time.Duration
				orders, gmv int64
				pizza, cola int64
				firstDish   string
				restaurants int
			}{
				{50 * time.Second, 3501 * time.Second, 2, 5500, 1, 0, "soup", 2},
				{-time.Minute, 3601 * time.Second, 4, 20500, 3, 2, "pizza", 2},
			} {
				r, _ := domain.NewRange(t0.Add(x.from), t0.Add(x.to), "UTC")
				slots, err := s.SalesSlots(ctx, r, domain.Scope{})
				if err != nil {
					t.Fatal(err)
				}
				var orders, gmv int64
				for _, sl := range slots {
					orders, gmv = orders+sl.Orders, gmv+sl.GMVMinor
				}
				if orders != x.orders || gmv != x.gmv {
					t.Errorf("%s: %d orders, gmv %d; want %d, %d", r.From, orders, gmv, x.orders, x.gmv)
				}
				rows, err := s.SalesBreakdown(ctx, r, domain.Scope{}, domain.ByRestaurant, 10)
				if err != nil || len(rows) != x.restaurants {
					t.Errorf("%s: by restaurant = %+v, %v", r.From, rows, err)
				}
				d, err := s.TopDishes(ctx, r, domain.Scope{}, 10)
				if err != nil || len(d) == 0 {
					t.Fatalf("%s: top dishes = %+v, %v", r.From, d, err)
				}
				qty := map[string]int64{}
				for _, x := range d {
					qty[x.MenuItemID] = x.Quantity
				}
				if d[0].MenuItemID != x.firstDish || qty["pizza"] != x.pizza || qty["cola"] != x.cola || qty["soup"] != 1 {
					t.Errorf("%s: top dishes = %+v", r.From, d)
				}
			}
		})
		t.Run("a restaurant scope sees only its own orders", func(t *testing.T) {
			rows, err := s.SalesBreakdown(ctx, c.rng, domain.Scope{RestaurantIDs: []string{"r2"}}, domain.ByRestaurant, 10)
			if err != nil || len(rows) != 1 || rows[0].Key != "r2" {
				t.Errorf("r2's breakdown = %+v, %v", rows, err)
			}
			f, err := s.Funnel(ctx, c.rng, domain.Scope{RestaurantIDs: []string{"r2"}})
			if err != nil || f.Placed != 2 || f.Paid != 1 || f.Delivered != 0 {
				t.Errorf("r2's funnel = %+v, %v", f, err)
			}
		})
		t.Run("funnel with drop-off reasons", func(t *testing.T) {
			f, err := s.Funnel(ctx, c.rng, domain.Scope{})
			if err != nil {
				t.Fatal(err)
			}
			if f.Placed != 4 || f.Paid != 2 || f.Accepted != 1 || f.Delivered != 1 {
				t.Errorf("funnel = %+v", f)
			}
			want := map[domain.DropOff]bool{{Status: "cancelled", Reason: "customer_changed_mind", Orders: 1}: true, {Status: "payment_failed", Reason: "insufficient_funds", Orders: 1}: true}
			if len(f.DropOffs) != 2 || !want[f.DropOffs[0]] || !want[f.DropOffs[1]] {
				t.Errorf("drop-offs = %+v", f.DropOffs)
			}
		})
		t.Run("delivery time and its parts", func(t *testing.T) {
			d, err := s.DeliveryTimes(ctx, c.rng, domain.Scope{})
			if err != nil {
				t.Fatal(err)
			}
			for name, x := range map[string]struct {
				got  domain.Quantiles
				want float64
			}{"total": {d.Total, 1000}, "acceptance": {d.Acceptance, 30}, "kitchen": {d.Kitchen, 300}, "pickup": {d.Pickup, 70}, "drive": {d.Drive, 600}} {
				if x.got != (domain.Quantiles{P50: x.want, P90: x.want, P99: x.want, Count: 1}) {
					t.Errorf("%s = %+v, want %v s from 1 order", name, x.got, x.want)
				}
			}
		})
		t.Run("cancellation and refund rates", func(t *testing.T) {
			r, err := s.Rates(ctx, c.rng, domain.Scope{})
			if err != nil {
				t.Fatal(err)
			}
			if r.Placed != 4 || r.Cancelled != 2 || r.Refunded != 1 || r.RefundedMinor != 5000 {
				t.Errorf("rates = %+v", r)
			}
		})
		t.Run("top dishes", func(t *testing.T) {
			d, err := s.TopDishes(ctx, c.rng, domain.Scope{}, 2)
			if err != nil {
				t.Fatal(err)
			}
			if len(d) != 2 || d[0] != (domain.Dish{MenuItemID: "pizza", Name: "Pizza", RestaurantID: "r2", Quantity: 3, RevenueMinor: 6500}) ||
				d[1].MenuItemID != "cola" || d[1].Quantity != 2 {
				t.Errorf("top dishes = %+v", d)
			}
		})
		t.Run("driver utilisation and earnings", func(t *testing.T) {
			d, err := s.Drivers(ctx, c.rng, 10, 1000)
			if err != nil {
				t.Fatal(err)
			}
			if len(d) != 2 || d[0] != (domain.DriverFigures{DriverID: "d1", OnlineMinutes: 3, BusyMinutes: 2, Deliveries: 1, EarningsMinor: 1000}) ||
				d[1] != (domain.DriverFigures{DriverID: "d2", OnlineMinutes: 1}) {
				t.Errorf("drivers = %+v", d)
			}
		})
		t.Run("live metrics", func(t *testing.T) {
			l, err := s.Live(ctx, t0.Add(3630*time.Second), t0.Add(-time.Hour))
			if err != nil {
				t.Fatal(err)
			}
			if l.OrdersPerMinute != 1 || l.GMVTodayMinor != 20500 || l.ActiveDrivers != 1 || l.OpenOrders != 1 {
				t.Errorf("live = %+v", l)
			}
		})
	}
	t.Run("after one write", check)
	// The consumer's redelivery: the same batch again, then again in two halves.
	write(t, s, c.envs)
	write(t, s, c.envs[:len(c.envs)/2])
	write(t, s, c.envs[len(c.envs)/2:])
	t.Run("after the batch was redelivered three times", check)
}
