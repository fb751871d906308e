package service_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dizhtime/dizhtime/events"
	"github.com/dizhtime/dizhtime/events/contracts"
	"github.com/dizhtime/dizhtime/events/kafka"
	"github.com/dizhtime/dizhtime/platform/city"
	"github.com/dizhtime/dizhtime/platform/endpoints"
	"github.com/dizhtime/dizhtime/platform/routertest"
	"github.com/dizhtime/dizhtime/platform/stack"
	"github.com/dizhtime/dizhtime/subgraphs/analytics/adapters"
	"github.com/dizhtime/dizhtime/subgraphs/analytics/service"
)

const password = "analytics-pass-1234"

// startStack runs every subgraph of supergraph.yaml and the router on free ports against
// the real services (as platform/city's journey does), analytics on the given backend with
// a database and consumer group of the run's own, reading only this run's events.
func startStack(t *testing.T, ctx context.Context, backend string) (*stack.Stack, string) {
	t.Helper()
	root, err := routertest.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	for name, addr := range map[string]string{"Kafka": endpoints.Kafka()[0], "ClickHouse": strings.TrimPrefix(service.DefaultClickHouseURL(), "tcp://")} {
		c, err := net.DialTimeout("tcp", addr, 2*time.Second)
		if err != nil {
			t.Fatalf("%s is not reachable at %s (deploy/local/services.sh up): %v", name, addr, err)
		}
		_ = c.Close()
	}
	topics := []kafka.TopicSpec{}
	for _, tp := range service.DomainTopics() {
		topics = append(topics, kafka.TopicSpec{Name: tp})
	}
	if err := kafka.EnsureTopics(ctx, endpoints.Kafka(), topics...); err != nil {
		t.Fatal(err)
	}
	subgraphs, err := stack.ReadSupergraph(filepath.Join(root, "supergraph.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	addrs, err := stack.FreeAddrs(len(subgraphs) + 1)
	if err != nil {
		t.Fatal(err)
	}
	byName, identityAddr := map[string]string{}, ""
	for i, s := range subgraphs {
		byName[s.Name] = addrs[i]
		if s.Name == "identity" {
			identityAddr = addrs[i]
		}
	}
	if _, ok := byName["analytics"]; !ok {
		t.Fatal("supergraph.yaml does not list analytics")
	}
	routerAddr := addrs[len(subgraphs)]
	moved, err := stack.Relocate(subgraphs, root, byName)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	supergraph := filepath.Join(dir, "supergraph.yaml")
	if err := stack.WriteSupergraph(supergraph, moved); err != nil {
		t.Fatal(err)
	}
	routerYAML := filepath.Join(dir, "router.yaml")
	if err := os.WriteFile(routerYAML, []byte(fmt.Sprintf("listen_addr: %s\nsupergraph_file: %q\n%s", routerAddr, supergraph,
		routertest.AuthYAML("http://"+identityAddr, "https://identity.dizhtime.local", "dizhtime"))), 0o644); err != nil {
		t.Fatal(err)
	}
	run := fmt.Sprintf("an%d", time.Now().UnixNano()%1_000_000_000_000)
	chDatabase := "analytics_" + run
	s, err := stack.Start(ctx, stack.Options{
		RepoRoot: root, SupergraphFile: supergraph, RouterConfig: routerYAML, RouterAddr: routerAddr,
		WorkDir: dir, PostgresURL: endpoints.Postgres(), DatabasePrefix: "dizhtime_" + run + "_",
		Env: []string{
			"DIZHTIME_REDIS_ADDR=" + endpoints.Redis(),
			"DIZHTIME_KAFKA_BROKERS=" + strings.Join(endpoints.Kafka(), ","),
			"DIZHTIME_MONGO_URI=" + endpoints.Mongo(),
			"DIZHTIME_ELASTICSEARCH_URL=" + endpoints.Elasticsearch(),
			"DIZHTIME_SEARCH_INDEX_BACKEND=elasticsearch",
			"DIZHTIME_SEARCH_INDEX_ALIAS=" + run + "-restaurants",
			"DIZHTIME_SEARCH_CONSUMER_GROUP=" + run + "-search",
			"DIZHTIME_RESTAURANTS_MONGO_DATABASE=" + run + "_restaurants",
			"DIZHTIME_IDENTITY_REDIS_KEY_PREFIX=" + run + ":identity:",
			"DIZHTIME_DISPATCH_REDIS_KEY_PREFIX=" + run + ":dispatch:",
			"DIZHTIME_ORDERS_CONSUMER_GROUP_PREFIX=" + run + "-orders",
			"DIZHTIME_ORDERS_CONSUME_FROM_BEGINNING=false",
			"DIZHTIME_WALLET_CONSUMER_GROUP_PREFIX=" + run + "-wallet",
			"DIZHTIME_WALLET_CONSUME_FROM_LATEST=true",
			"DIZHTIME_DISPATCH_CONSUMER_GROUP=" + run + "-dispatch",
			"DIZHTIME_DISPATCH_CONSUME_FROM_START=false",
			"DIZHTIME_LOG_LEVEL=info",
		},
		SubgraphEnv: map[string][]string{"analytics": {
			"DIZHTIME_ANALYTICS_STORE_BACKEND=" + backend,
			"DIZHTIME_CLICKHOUSE_URL=" + service.DefaultClickHouseURL(),
			"DIZHTIME_ANALYTICS_CLICKHOUSE_DATABASE=" + chDatabase,
			"DIZHTIME_ANALYTICS_DUCKDB_PATH=" + filepath.Join(dir, "analytics.duckdb"),
			"DIZHTIME_ANALYTICS_CONSUMER_GROUP=" + run + "-analytics",
			"DIZHTIME_ANALYTICS_CONSUME_FROM_LATEST=true",
			"DIZHTIME_ANALYTICS_BATCH_WAIT=100ms",
		}},
		ReadyTimeout: 2 * time.Minute,
	})
	t.Cleanup(func() {
		if s != nil {
			s.Stop()
		}
		if t.Failed() {
			for _, name := range []string{"analytics", "orders", "dispatch", "router"} {
				if tail := stack.Tail(filepath.Join(dir, "logs", name+".log"), 20); tail != "" {
					t.Logf("--- %s log (last lines):\n%s", name, tail)
				}
			}
		}
		if backend == service.BackendClickHouse {
			cctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			if ch, err := adapters.OpenClickHouse(cctx, service.DefaultClickHouseURL(), chDatabase); err == nil {
				_ = ch.DropDatabase(cctx)
				_ = ch.Close()
			}
		}
	})
	if err != nil {
		t.Fatalf("start the stack: %v", err)
	}
	return s, run
}

func TestThroughTheRouter_realClickHouse(t *testing.T) {
	throughTheRouter(t, service.BackendClickHouse)
}

func TestThroughTheRouter_embeddedDuckDB(t *testing.T) { throughTheRouter(t, service.BackendDuckDB) }

type funnel struct {
	Placed, Paid, Accepted, Delivered int
}

const dashboardQuery = `query Dashboard($range: AnalyticsRange!) {
  orderFunnel(range: $range) { placed paid accepted delivered dropOffs { status reason orders } }
  salesSeries(range: $range, bucket: HOUR) { totalOrders totalGmvMinor points { start orders gmvMinor } }
  deliveryTimes(range: $range) { total { p50 p99 count } acceptance { count } kitchen { count } pickup { count } drive { count } }
  topDishes(range: $range, limit: 5) { menuItemId quantity }
}`

type dashboard struct {
	OrderFunnel funnel
	SalesSeries struct {
		TotalOrders   int
		TotalGmvMinor json.Number
	}
	DeliveryTimes struct {
		Total                              struct{ P50, P99, Count float64 }
		Acceptance, Kitchen, Pickup, Drive struct{ Count int }
	}
	TopDishes []struct {
		MenuItemID string
		Quantity   int
	}
}

func rangeOf(from, to time.Time, restaurants ...string) map[string]any {
	return map[string]any{"range": map[string]any{"from": from.Format(time.RFC3339), "to": to.Format(time.RFC3339),
		"timeZone": "Asia/Tashkent", "restaurantIds": restaurants}}
}

func readDashboard(ctx context.Context, s *city.Session, vars map[string]any) (dashboard, error) {
	var d dashboard
	err := s.Do(ctx, dashboardQuery, vars, &d)
	return d, err
}

func eventually(t *testing.T, ctx context.Context, what string, within time.Duration, cond func() (bool, error)) {
	t.Helper()
	deadline := time.Now().Add(within)
	var lastErr error
	for {
		ok, err := cond()
		if ok {
			return
		}
		if err != nil {
			lastErr = err
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			t.Fatalf("%s: not within %s (last error: %v)", what, within, lastErr)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

func must[T any](v T, err error) func(t *testing.T, what string) T {
	return func(t *testing.T, what string) T {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		return v
	}
}

func drive(t *testing.T, ctx context.Context, driver *city.Session, at *city.Point, dest city.Point) {
	t.Helper()
	for arrived := false; !arrived; {
		*at, arrived = city.Toward(*at, dest, 300)
		if err := driver.UpdateLocation(ctx, *at); err != nil {
			t.Fatalf("updateLocation: %v", err)
		}
		time.Sleep(150 * time.Millisecond)
	}
}

func waitOffer(t *testing.T, ctx context.Context, offers *routertest.Subscription, orderID string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	for {
		r, err := offers.Next(ctx)
		if err != nil {
			t.Fatalf("no offer of order %s: %v", orderID, err)
		}
		var d struct{ DriverOffers city.Offer }
		if err := r.Decode(&d); err != nil {
			t.Fatal(err)
		}
		if d.DriverOffers.OrderID == orderID {
			return
		}
	}
}

// throughTheRouter plays one order through the router, then reads it back from analytics
// through the router: an order's events appear in GMV, the funnel and delivery times within
// seconds; a redelivered batch doubles nothing; an owner cannot read another restaurant's
// figures; liveMetrics streams through the router.
func throughTheRouter(t *testing.T, backend string) {
	// The build and start-up are bounded by go test's -timeout, not by the flow's deadline
	// (a cold build of eight binaries on a loaded machine takes minutes).
	s, run := startStack(t, context.Background(), backend)
	ctx, cancel := context.WithTimeout(context.Background(), 6*time.Minute)
	defer cancel()
	c := city.NewClient(s.RouterURL)
	started := time.Now().Add(-time.Minute)

	admin := must(c.Register(ctx, run+"-admin@dizhtime.test", password, "Admin"))(t, "register admin")
	if err := city.GrantAdminWith(s)(ctx, admin.Email); err != nil {
		t.Fatal(err)
	}
	admin = must(c.Login(ctx, admin.Email, password))(t, "admin signs in again")
	centre := city.Offset(city.Point{Lat: -40 + 80*float64(time.Now().UnixNano()%1000)/1000, Lng: 10}, 0, 0)
	owner := must(c.Register(ctx, run+"-owner@dizhtime.test", password, "Owner"))(t, "register owner")
	otherOwner := must(c.Register(ctx, run+"-owner2@dizhtime.test", password, "Other owner"))(t, "register the other owner")
	for _, u := range []*city.Session{owner, otherOwner} {
		if err := admin.AssignRole(ctx, u.UserID, "RESTAURANT_OWNER"); err != nil {
			t.Fatal(err)
		}
	}
	owner = must(c.Login(ctx, owner.Email, password))(t, "owner signs in again")
	otherOwner = must(c.Login(ctx, otherOwner.Email, password))(t, "the other owner signs in again")
	pizzeriaAt := city.Offset(centre, 600, 400)
	restaurantID := must(owner.CreateRestaurant(ctx, city.NewRestaurant{
		Name: "Pizzeria " + run, Cuisines: []string{"pizza"}, At: pizzeriaAt,
		Dishes: []city.NewDish{{Name: "Pizza Margherita", PriceMinor: 65_000}},
	}))(t, "create the pizzeria")
	driver := must(c.Register(ctx, run+"-driver@dizhtime.test", password, "Driver"))(t, "register driver")
	if err := admin.AssignRole(ctx, driver.UserID, "DRIVER"); err != nil {
		t.Fatal(err)
	}
	driver = must(c.Login(ctx, driver.Email, password))(t, "driver signs in again")
	customer := must(c.Register(ctx, run+"-customer@dizhtime.test", password, "Customer"))(t, "register customer")
	if _, err := customer.TopUp(ctx, city.Money{AmountMinor: 1_000_000, Currency: "UZS"}, run+"-topup"); err != nil {
		t.Fatal(err)
	}
	eventually(t, ctx, "the top-up is credited", 30*time.Second, func() (bool, error) {
		w, err := customer.Wallet(ctx)
		return w.Balances["UZS"] == 1_000_000, err
	})
	var dishID string
	// The dish is read from the restaurant's menu through the router, not found through
	// search: search's index catching up with the shared topics is not what this tests
	// (the journey in platform/city covers search).
	eventually(t, ctx, "the pizzeria's menu is readable", 60*time.Second, func() (bool, error) {
		var out struct {
			Restaurant *struct {
				Menu struct {
					Categories []struct {
						Items []struct{ ID string }
					}
				}
			}
		}
		err := customer.Do(ctx, `query($id: ID!) { restaurant(id: $id) { menu { categories { items { id } } } } }`,
			map[string]any{"id": restaurantID}, &out)
		if err != nil || out.Restaurant == nil {
			return false, err
		}
		for _, c := range out.Restaurant.Menu.Categories {
			for _, it := range c.Items {
				dishID = it.ID
				return true, nil
			}
		}
		return false, nil
	})
	order := must(customer.PlaceOrder(ctx, restaurantID, dishID, 2, city.Offset(centre, -800, -600), run+"-order"))(t, "placeOrder")
	eventually(t, ctx, "the order is paid", 45*time.Second, func() (bool, error) {
		st, err := customer.OrderStatus(ctx, order.ID)
		return st == "PAID", err
	})
	// The courier comes online only now: dispatch drops a courier silent for a while, and
	// on a loaded machine the steps above can take that long.
	driverAt := city.Offset(pizzeriaAt, -500, 300)
	if err := driver.GoOnline(ctx, driverAt); err != nil {
		t.Fatal(err)
	}
	offers := must(driver.Subscribe(ctx, city.OffersSubscription, nil))(t, "subscribe to driverOffers")
	defer offers.Close()
	for _, m := range []string{"acceptOrder", "markPreparing"} {
		if _, err := owner.MoveOrder(ctx, m, order.ID); err != nil {
			t.Fatal(err)
		}
	}
	waitOffer(t, ctx, offers, order.ID)
	delivery := must(driver.AcceptOffer(ctx, order.ID))(t, "acceptOffer")
	drive(t, ctx, driver, &driverAt, delivery.Pickup)
	if _, err := owner.MoveOrder(ctx, "markReady", order.ID); err != nil {
		t.Fatal(err)
	}
	eventually(t, ctx, "the order is ready", 20*time.Second, func() (bool, error) {
		st, err := customer.OrderStatus(ctx, order.ID)
		return st == "READY_FOR_PICKUP", err
	})
	if _, err := driver.MoveDelivery(ctx, "markPickedUp", delivery.ID); err != nil {
		t.Fatal(err)
	}
	drive(t, ctx, driver, &driverAt, delivery.Dropoff)
	if _, err := driver.MoveDelivery(ctx, "markDelivered", delivery.ID); err != nil {
		t.Fatal(err)
	}
	delivered := time.Now()
	eventually(t, ctx, "the order is delivered", 30*time.Second, func() (bool, error) {
		st, err := customer.OrderStatus(ctx, order.ID)
		return st == "DELIVERED", err
	})
	vars := rangeOf(started, time.Now().Add(time.Hour), restaurantID)

	t.Run("the order appears in GMV, the funnel and delivery times within seconds", func(t *testing.T) {
		var d dashboard
		eventually(t, ctx, "analytics shows the delivered order", 20*time.Second, func() (bool, error) {
			var err error
			d, err = readDashboard(ctx, admin, vars)
			return err == nil && d.OrderFunnel.Delivered == 1 && d.DeliveryTimes.Total.Count == 1, err
		})
		t.Logf("analytics current %s after delivery", time.Since(delivered).Round(time.Millisecond))
		if d.OrderFunnel != (funnel{Placed: 1, Paid: 1, Accepted: 1, Delivered: 1}) {
			t.Errorf("funnel = %+v", d.OrderFunnel)
		}
		if d.SalesSeries.TotalOrders != 1 || d.SalesSeries.TotalGmvMinor.String() != fmt.Sprint(order.Total.AmountMinor) {
			t.Errorf("sales = %+v; want 1 order worth %d", d.SalesSeries, order.Total.AmountMinor)
		}
		dt := d.DeliveryTimes
		if dt.Total.P50 <= 0 || dt.Total.P99 < dt.Total.P50 || dt.Acceptance.Count != 1 || dt.Kitchen.Count != 1 || dt.Pickup.Count != 1 || dt.Drive.Count != 1 {
			t.Errorf("delivery times = %+v", dt)
		}
		if len(d.TopDishes) != 1 || d.TopDishes[0].MenuItemID != dishID || d.TopDishes[0].Quantity != 2 {
			t.Errorf("top dishes = %+v", d.TopDishes)
		}
		// The owner reads its own restaurant's figures too.
		own, err := readDashboard(ctx, owner, vars)
		if err != nil || own.OrderFunnel != d.OrderFunnel {
			t.Errorf("owner's own dashboard = %+v, %v", own.OrderFunnel, err)
		}
	})

	t.Run("an owner cannot read another restaurant's figures", func(t *testing.T) {
		for name, v := range map[string]map[string]any{
			"the pizzeria":               vars,
			"the whole platform":         rangeOf(started, time.Now().Add(time.Hour)),
			"its own and the pizzeria's": rangeOf(started, time.Now().Add(time.Hour), "r-"+run, restaurantID),
		} {
			_, err := readDashboard(ctx, otherOwner, v)
			var gerr *city.GraphQLError
			if !errors.As(err, &gerr) || !gerr.Has("FORBIDDEN") {
				t.Errorf("the other owner reading %s: err = %v, want FORBIDDEN", name, err)
			}
		}
		var x struct{ DriverUtilisation []any }
		err := owner.Do(ctx, `query($f: String!, $t: String!) { driverUtilisation(from: $f, to: $t) { driverId } }`,
			map[string]any{"f": started.Format(time.RFC3339), "t": time.Now().Format(time.RFC3339)}, &x)
		var gerr *city.GraphQLError
		if !errors.As(err, &gerr) || !gerr.Has("FORBIDDEN") {
			t.Errorf("owner reading driver figures: err = %v, want FORBIDDEN", err)
		}
	})

	t.Run("a redelivered batch doubles nothing", func(t *testing.T) {
		synthetic := "syn-" + run
		now := time.Now().UTC().Truncate(time.Second)
		mk := func(subject string, p events.Payload) events.Envelope {
			e, err := events.New(ctx, "analytics-e2e", subject, p)
			if err != nil {
				t.Fatal(err)
			}
			return e
		}
		orderID := "o-" + run
		batch := []events.Envelope{
			mk(orderID, contracts.OrderCreatedV2{OrderID: orderID, CustomerID: "c", RestaurantID: synthetic, Total: contracts.Money{AmountMinor: 12345, Currency: "UZS"},
				Items: []contracts.OrderItem{{MenuItemID: "m", Name: "M", Quantity: 1, UnitPrice: contracts.Money{AmountMinor: 12345, Currency: "UZS"}}}, PlacedAt: now}),
			mk(orderID, contracts.OrderStatusChangedV2{OrderID: orderID, RestaurantID: synthetic, From: "placed", To: "paid", ChangedAt: now}),
		}
		publish := func(envs []events.Envelope) {
			p := kafka.NewProducer(endpoints.Kafka())
			defer p.Close()
			for _, e := range envs {
				m, err := e.Message()
				if err != nil {
					t.Fatal(err)
				}
				if err := p.Publish(ctx, m); err != nil {
					t.Fatal(err)
				}
			}
		}
		v := rangeOf(now.Add(-time.Hour), now.Add(time.Hour), synthetic)
		publish(batch)
		eventually(t, ctx, "the synthetic order is ingested", 20*time.Second, func() (bool, error) {
			d, err := readDashboard(ctx, admin, v)
			return err == nil && d.OrderFunnel.Paid == 1, err
		})
		publish(batch) // the redelivery: the same events, the same ids
		// A marker on the same partitions (same keys), after the redelivery: once it shows,
		// the redelivered events before it have been consumed.
		marker := []events.Envelope{
			mk(orderID, contracts.OrderCreatedV2{OrderID: orderID + "-marker", CustomerID: "c", RestaurantID: synthetic + "-marker", Total: contracts.Money{AmountMinor: 1, Currency: "UZS"}, PlacedAt: now}),
			mk(orderID, contracts.OrderStatusChangedV2{OrderID: orderID + "-marker", RestaurantID: synthetic + "-marker", From: "placed", To: "paid", ChangedAt: now}),
		}
		publish(marker)
		mv := rangeOf(now.Add(-time.Hour), now.Add(time.Hour), synthetic+"-marker")
		eventually(t, ctx, "the marker after the redelivery is ingested", 20*time.Second, func() (bool, error) {
			d, err := readDashboard(ctx, admin, mv)
			return err == nil && d.OrderFunnel.Paid == 1, err
		})
		d, err := readDashboard(ctx, admin, v)
		if err != nil {
			t.Fatal(err)
		}
		if d.OrderFunnel != (funnel{Placed: 1, Paid: 1}) || d.SalesSeries.TotalOrders != 1 || d.SalesSeries.TotalGmvMinor.String() != "12345" ||
			len(d.TopDishes) != 1 || d.TopDishes[0].Quantity != 1 {
			t.Errorf("after the redelivery: funnel %+v, sales %+v, dishes %+v; want one order of 12345, once", d.OrderFunnel, d.SalesSeries, d.TopDishes)
		}
	})

	t.Run("liveMetrics streams through the router every interval", func(t *testing.T) {
		sub := must(admin.Subscribe(ctx, `subscription { liveMetrics(timeZone: "UTC", intervalSeconds: 1) { at ordersPerMinute gmvTodayMinor activeDrivers openOrders } }`, nil))(t, "subscribe")
		defer sub.Close()
		var ats []string
		for len(ats) < 2 {
			r, err := sub.Next(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(r.Errors) > 0 {
				t.Fatalf("liveMetrics: %v %v", r.Errors, r.Codes())
			}
			var d struct {
				LiveMetrics struct {
					At            string
					GmvTodayMinor json.Number
					ActiveDrivers int
				}
			}
			if err := r.Decode(&d); err != nil {
				t.Fatal(err)
			}
			gmv, _ := d.LiveMetrics.GmvTodayMinor.Int64()
			// This run's store holds the journey's order (unless it was placed before
			// midnight UTC), the synthetic order and its marker.
			if gmv < 12345+1 || d.LiveMetrics.ActiveDrivers < 1 {
				t.Errorf("live = %+v; want GMV today >= 12346 and the driver active", d.LiveMetrics)
			}
			ats = append(ats, d.LiveMetrics.At)
		}
		if ats[0] == ats[1] {
			t.Errorf("two updates at the same time %v", ats)
		}
		// Customers may not watch.
		csub := must(customer.Subscribe(ctx, `subscription { liveMetrics { at } }`, nil))(t, "subscribe as customer")
		defer csub.Close()
		r, err := csub.Next(ctx)
		if err == nil && !r.HasCode("FORBIDDEN") {
			t.Errorf("customer's liveMetrics = %+v, want FORBIDDEN", r)
		}
	})
}
