package service_test

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/dizhtime/dizhtime/events"
	"github.com/dizhtime/dizhtime/events/contracts"
	"github.com/dizhtime/dizhtime/platform/endpoints"
	"github.com/dizhtime/dizhtime/platform/postgres"
	"github.com/dizhtime/dizhtime/platform/routertest"
)

// quoteServer speaks the restaurants quote contract orders calls at placement (one
// open restaurant, plov at 25 000 UZS).
func quoteServer(t *testing.T) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Variables struct {
				In struct {
					RestaurantID string `json:"restaurantId"`
					Lines        []struct {
						MenuItemID string `json:"menuItemId"`
						Quantity   int    `json:"quantity"`
					} `json:"lines"`
				} `json:"in"`
			} `json:"variables"`
		}
		_ = json.NewDecoder(r.Body).Decode(&req)
		money := func(n int64) map[string]any { return map[string]any{"amountMinor": n, "currency": "UZS"} }
		var lines []any
		total := int64(0)
		for _, l := range req.Variables.In.Lines {
			lines = append(lines, map[string]any{"menuItem": map[string]any{"id": l.MenuItemID}, "name": "Plov", "quantity": l.Quantity,
				"available": true, "unavailableReason": nil, "unitPrice": money(25000), "lineTotal": money(25000 * int64(l.Quantity)), "options": []any{}})
			total += 25000 * int64(l.Quantity)
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"data": map[string]any{"quote": map[string]any{
			"restaurantId": req.Variables.In.RestaurantID, "currency": "UZS", "menuVersion": 1, "lines": lines,
			"subtotal": money(total), "available": true, "restaurantOpen": true, "quotedAt": time.Now().UTC().Format(time.RFC3339)}}})
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/query"
}

// relationsServer answers identity's relation check: staff is staff of restaurant.
func relationsServer(t *testing.T, staff, restaurant string) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		ok := q.Get("namespace") == "restaurant" && q.Get("relation") == "staff" && q.Get("object") == restaurant &&
			strings.HasSuffix(q.Get("subject"), staff)
		_ = json.NewEncoder(w).Encode(map[string]bool{"allowed": ok})
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// startOrders runs the orders subgraph's own binary (cmd/orders serve, as the dev
// supervisor does) in a schema and consumer groups of its own; it returns its /query URL.
func startOrders(t *testing.T, restaurantsURL, identityURL string) string {
	t.Helper()
	ctx := context.Background()
	root, err := routertest.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "orders")
	build := exec.Command("go", "build", "-o", bin, "./subgraphs/orders/cmd/orders")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build orders: %v\n%s", err, out)
	}
	pgURL := os.Getenv("DIZHTIME_POSTGRES_URL")
	if pgURL == "" {
		pgURL = endpoints.Postgres()
	}
	admin, err := postgres.Open(ctx, pgURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(admin.Close)
	id := strings.ToLower(rand.Text()[:10])
	schema := "test_orders_for_dispatch_" + id
	if _, err := admin.Exec(ctx, `CREATE SCHEMA `+schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _, _ = admin.Exec(context.Background(), `DROP SCHEMA `+schema+` CASCADE`) })
	u, _ := url.Parse(pgURL)
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close()
	cmd := exec.Command(bin, "serve")
	cmd.Env = append(os.Environ(), "DIZHTIME_SERVICE=orders", "DIZHTIME_HTTP_ADDR="+addr, "DIZHTIME_POSTGRES_URL="+u.String(),
		"DIZHTIME_KAFKA_BROKERS="+strings.Join(endpoints.Kafka(), ","), "DIZHTIME_LOG_LEVEL=warn",
		"DIZHTIME_RESTAURANTS_URL="+restaurantsURL, "DIZHTIME_IDENTITY_URL="+identityURL,
		"DIZHTIME_ORDERS_CONSUMER_GROUP_PREFIX=test-orders-for-dispatch-"+id, "DIZHTIME_ORDERS_CONSUME_FROM_BEGINNING=false",
		"DIZHTIME_ORDERS_DELIVERY_FEE_MINOR=1000")
	cmd.Env = append(cmd.Env, routertest.ChildServiceEnv(t, "orders")...)
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
		if t.Failed() {
			t.Logf("orders output:\n%s", out.String())
		}
	})
	deadline := time.Now().Add(60 * time.Second)
	for {
		if resp, err := http.Get("http://" + addr + "/readyz"); err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return "http://" + addr + "/query"
			}
		}
		select {
		case <-exited:
			t.Fatalf("orders exited before it was ready:\n%s", out.String())
		case <-time.After(200 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("orders not ready within 60s:\n%s", out.String())
		}
	}
}

// waitForDispatchConsumers publishes probes on each topic dispatch consumes until all
// three are recorded as processed: the new groups start at the newest offset, so from
// then on nothing orders publishes is missed.
func (e throughRouter) waitForDispatchConsumers(t *testing.T, ctx context.Context, probes []events.Envelope) {
	t.Helper()
	schema := strings.TrimPrefix(e.cfg.ConsumerGroup, "test-dispatch-")
	pgURL := os.Getenv("DIZHTIME_POSTGRES_URL")
	if pgURL == "" {
		pgURL = endpoints.Postgres()
	}
	pool, err := postgres.Open(ctx, pgURL, func(c *pgxpool.Config) { c.ConnConfig.RuntimeParams["search_path"] = schema })
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	ids := make([]string, len(probes))
	for i, p := range probes {
		ids[i] = p.ID
	}
	for {
		var n int
		_ = pool.QueryRow(ctx, `SELECT count(*) FROM processed_events WHERE event_id = ANY($1)`, ids).Scan(&n)
		if n == len(probes) {
			return
		}
		e.publish(t, ctx, probes)
		select {
		case <-ctx.Done():
			t.Fatalf("dispatch's consumers did not start listening (%d of %d probes seen)", n, len(probes))
		case <-time.After(500 * time.Millisecond):
		}
	}
}

// ordersJourney is an order placed, paid and accepted in the real orders binary, and its
// delivery accepted by a courier, all through the router.
type ordersJourney struct {
	throughRouter
	orderID, deliveryID, driver   string
	asDriver, asCustomer, asStaff map[string][]string
}

func startOrdersJourney(t *testing.T, ctx context.Context) ordersJourney {
	t.Helper()
	suffix := strings.ToLower(rand.Text()[:8])
	restaurantID, staffID := "rest-"+suffix, "staff-"+suffix
	ordersURL := startOrders(t, quoteServer(t), relationsServer(t, staffID, restaurantID))
	root, err := routertest.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	e := startThroughRouter(t, ctx, routertest.Subgraph{Name: "orders", URL: ordersURL, SDLFile: filepath.Join(root, "schema", "orders.graphqls"),
		SubscriptionURL: "ws" + strings.TrimPrefix(ordersURL, "http")})
	driver, customerID := "drv-"+suffix, "cust-"+suffix
	asDriver, asCustomer := e.as(t, driver, "DRIVER"), e.as(t, customerID, "CUSTOMER")
	asStaff := e.as(t, staffID, "RESTAURANT_STAFF")

	probe := "probe-" + suffix
	e.waitForDispatchConsumers(t, ctx, []events.Envelope{
		envelope(t, "restaurants", restaurantID, contracts.RestaurantUpdatedV1{RestaurantID: restaurantID, Lat: restaurant.Lat, Lng: restaurant.Lng, UpdatedAt: time.Now()}),
		envelope(t, "orders", probe, contracts.OrderCreatedV2{OrderID: probe, CustomerID: "nobody", RestaurantID: restaurantID}),
		envelope(t, "orders", probe, contracts.OrderStatusChangedV2{OrderID: probe, From: contracts.OrderPlaced, To: contracts.OrderPaid}),
	})
	e.mustDo(t, asDriver, goOnline, map[string]any{"l": at(300)})
	offers := e.subscribe(t, ctx, `subscription { driverOffers { orderId } }`, nil, e.initPayload(t, driver, "DRIVER"))

	// The wallet's word, paid, comes from the test. On the shared Kafka another stack's
	// wallet may answer order.created first (this customer has no wallet there: payment
	// failed); then place the order again.
	var orderID string
	for attempt := 1; orderID == ""; attempt++ {
		if attempt > 3 {
			t.Fatal("every order was failed by a foreign wallet on the shared Kafka")
		}
		var placed struct{ PlaceOrder struct{ ID, Status string } }
		if err := json.Unmarshal(e.mustDo(t, asCustomer, `mutation($in: PlaceOrderInput!, $key: String!) { placeOrder(input: $in, idempotencyKey: $key) { id status } }`,
			map[string]any{"key": fmt.Sprintf("k-%s-%d", suffix, attempt), "in": map[string]any{"restaurantId": restaurantID,
				"lines":            []any{map[string]any{"menuItemId": "plov", "quantity": 1}},
				"deliveryAddress":  map[string]any{"line1": "Amir Temur 1", "city": "Tashkent"},
				"deliveryLocation": map[string]any{"lat": restaurant.Lat + 0.02, "lng": restaurant.Lng}}}), &placed); err != nil {
			t.Fatal(err)
		}
		id := placed.PlaceOrder.ID
		paid := envelope(t, "wallet", id, contracts.PaymentSucceededV1{OrderID: id, CustomerID: customerID,
			Amount: contracts.Money{AmountMinor: 26000, Currency: "UZS"}, Method: "wallet"})
		for orderID == "" {
			var o struct{ Order struct{ Status string } }
			_ = json.Unmarshal(e.mustDo(t, asCustomer, `query($id: ID!) { order(id: $id) { status } }`, map[string]any{"id": id}), &o)
			if o.Order.Status == "PAID" {
				orderID = id
				break
			}
			if o.Order.Status == "PAYMENT_FAILED" {
				t.Logf("order %s failed by a foreign wallet; placing another", id)
				break
			}
			e.publish(t, ctx, []events.Envelope{paid})
			select {
			case <-ctx.Done():
				t.Fatalf("order %s never PAID", id)
			case <-time.After(500 * time.Millisecond):
			}
		}
	}
	// The restaurant accepts through the router, and orders publishes
	// order.status.changed v2 accepted: dispatch's trigger.
	e.mustDo(t, asStaff, `mutation($id: ID!) { acceptOrder(id: $id) { id status } }`, map[string]any{"id": orderID})

	r := first(t, ctx, offers, "the offer for the accepted order")
	var o struct{ DriverOffers struct{ OrderID string } }
	if len(r.Errors) > 0 || r.Decode(&o) != nil || o.DriverOffers.OrderID != orderID {
		t.Fatalf("offer: %s %+v", r.Data, r.Errors)
	}
	var accepted struct{ AcceptOffer struct{ ID string } }
	if err := json.Unmarshal(e.mustDo(t, asDriver, `mutation($o: ID!) { acceptOffer(orderId: $o) { id } }`, map[string]any{"o": orderID}), &accepted); err != nil {
		t.Fatal(err)
	}
	return ordersJourney{throughRouter: e, orderID: orderID, deliveryID: accepted.AcceptOffer.ID, driver: driver,
		asDriver: asDriver, asCustomer: asCustomer, asStaff: asStaff}
}

func (j ordersJourney) kitchen(t *testing.T, mutation string) {
	t.Helper()
	j.mustDo(t, j.asStaff, `mutation($id: ID!) { `+mutation+`(id: $id) { id status } }`, map[string]any{"id": j.orderID})
}

func (j ordersJourney) courier(t *testing.T, mutation string) {
	t.Helper()
	j.mustDo(t, j.asDriver, `mutation($d: ID!) { `+mutation+`(deliveryId: $d) { status } }`, map[string]any{"d": j.deliveryID})
}

type journeyView struct {
	Order struct {
		Status   string
		DriverID *string
		Timeline []struct{ From, To *string }
		Delivery *struct {
			Status string
			Driver struct{ ID string }
		}
	}
}

// await asks, in one query across both subgraphs (orders' order, dispatch's
// Order.delivery), until done says yes.
func (j ordersJourney) await(t *testing.T, ctx context.Context, what string, done func(v journeyView) bool) journeyView {
	t.Helper()
	for {
		var v journeyView
		resp := j.router.Do(t, `query($id: ID!) { order(id: $id) { status driverId timeline { from to } delivery { status driver { id } } } }`,
			map[string]any{"id": j.orderID}, j.asCustomer)
		if len(resp.Errors) > 0 || resp.Decode(&v) != nil {
			t.Fatalf("joined query: %s %+v", resp.Data, resp.Errors)
		}
		if done(v) {
			return v
		}
		select {
		case <-ctx.Done():
			t.Fatalf("%s never happened: %s", what, resp.Data)
		case <-time.After(300 * time.Millisecond):
		}
	}
}

func (j ordersJourney) bothDelivered(v journeyView) bool {
	d := v.Order.Delivery
	return v.Order.Status == "DELIVERED" && d != nil && d.Status == "DELIVERED" && d.Driver.ID == j.driver
}

func TestThroughTheRouterWithOrders_anOrderPlacedAndAcceptedInOrdersIsDeliveredByDispatchAndTheOrderFollows(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Second)
	defer cancel()
	j := startOrdersJourney(t, ctx)
	j.courier(t, "markArrivedAtPickup")
	j.kitchen(t, "markPreparing")
	j.kitchen(t, "markReady")
	j.courier(t, "markPickedUp")
	j.courier(t, "markDelivered")
	// Orders consumed dispatch's delivery.status.changed and followed to DELIVERED.
	j.await(t, ctx, "order and delivery both DELIVERED", j.bothDelivered)
}

// The city simulator's stuck order: the courier confirmed pickup while the kitchen still
// showed PREPARING. The handover is the fact (as on Uber Eats and DoorDash, the kitchen's
// ready tap does not gate the courier): the order follows to PICKED_UP and DELIVERED,
// and the kitchen's late ready tap is refused as a CONFLICT, not left to wedge the order.
func TestThroughTheRouterWithOrders_aCourierWhoPicksUpBeforeTheKitchenMarksReadyStillDeliversTheOrder(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Second)
	defer cancel()
	j := startOrdersJourney(t, ctx)
	j.kitchen(t, "markPreparing")
	j.courier(t, "markPickedUp")
	j.await(t, ctx, "order PICKED_UP", func(v journeyView) bool { return v.Order.Status == "PICKED_UP" })
	j.wantCode(t, j.asStaff, "CONFLICT", `mutation($id: ID!) { markReady(id: $id) { id status } }`, map[string]any{"id": j.orderID})
	j.courier(t, "markDelivered")
	v := j.await(t, ctx, "order and delivery both DELIVERED", j.bothDelivered)
	var steps []string
	for _, tr := range v.Order.Timeline {
		if tr.To != nil {
			steps = append(steps, *tr.To)
		}
	}
	if got, want := strings.Join(steps, ","), "PLACED,PAID,ACCEPTED,PREPARING,PICKED_UP,DELIVERED"; got != want {
		t.Fatalf("timeline %s, want %s", got, want)
	}
	if v.Order.DriverID == nil || *v.Order.DriverID != j.driver {
		t.Fatalf("order's driver %v, want %s", v.Order.DriverID, j.driver)
	}
}
