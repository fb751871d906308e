package service_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	coderws "github.com/coder/websocket"
	"github.com/jackc/pgx/v5/pgxpool"
	kafkago "github.com/segmentio/kafka-go"

	"github.com/dizhtime/dizhtime/events"
	"github.com/dizhtime/dizhtime/events/contracts"
	"github.com/dizhtime/dizhtime/platform/authz"
	"github.com/dizhtime/dizhtime/platform/endpoints"
	"github.com/dizhtime/dizhtime/platform/lifecycle"
	"github.com/dizhtime/dizhtime/platform/postgres"
	"github.com/dizhtime/dizhtime/platform/redisdb"
	"github.com/dizhtime/dizhtime/subgraphs/dispatch/service"
)

// The component tests boot dispatch's handler against the real PostgreSQL and Redis
// (each test in its own schema and key prefix) and call it as the router would:
// identity in the X-DizhTime-* headers, subscriptions over graphql-transport-ws.

var restaurant = struct{ Lat, Lng float64 }{41.3111, 69.2797}

type component struct {
	svc *service.Service
	url string
	cfg service.Config
}

func boot(t *testing.T, tune ...func(*service.Config)) component {
	t.Helper()
	ctx := context.Background()
	url := os.Getenv("DIZHTIME_POSTGRES_URL")
	if url == "" {
		url = endpoints.Postgres()
	}
	admin, err := postgres.Open(ctx, url)
	if err != nil {
		t.Fatalf("PostgreSQL not reachable (start it with `deploy/local/services.sh up postgres`): %v", err)
	}
	t.Cleanup(admin.Close)
	schema := "test_dispatch_" + strings.ToLower(rand.Text()[:10])
	if _, err := admin.Exec(ctx, `CREATE SCHEMA `+schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _, _ = admin.Exec(context.Background(), `DROP SCHEMA `+schema+` CASCADE`) })
	pool, err := postgres.Open(ctx, url, func(c *pgxpool.Config) { c.ConnConfig.RuntimeParams["search_path"] = schema })
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	rdb, err := redisdb.Connect(ctx, endpoints.Redis())
	if err != nil {
		t.Fatalf("real Redis not reachable (start it with `deploy/local/services.sh up redis`): %v", err)
	}
	t.Cleanup(func() { _ = rdb.Close() })
	cfg := service.DefaultConfig()
	cfg.RedisKeyPrefix = "test:" + schema + ":"
	cfg.ConsumerGroup = "test-dispatch-" + schema
	// The run's own driver.location: other runs' couriers share ids such as drv-1.
	cfg.LocationTopic = "test." + schema + ".driver.location"
	t.Cleanup(func() { deleteTopic(cfg.KafkaBrokers, cfg.LocationTopic) })
	for _, f := range tune {
		f(&cfg)
	}
	t.Cleanup(func() {
		iter := rdb.Scan(context.Background(), 0, cfg.RedisKeyPrefix+"*", 1000).Iterator()
		for iter.Next(context.Background()) {
			rdb.Del(context.Background(), iter.Val())
		}
	})
	svc, err := service.New(ctx, cfg, pool, rdb, nil)
	if err != nil {
		t.Fatal(err)
	}
	runLive(t, svc)
	srv := httptest.NewServer(svc.Handler)
	t.Cleanup(srv.Close)
	return component{svc: svc, url: srv.URL + "/query", cfg: cfg}
}

// runLive runs svc's live index (driver.location stream and feed, driver states,
// sweeper) until the test ends, and waits until it is ready.
func runLive(t *testing.T, svc *service.Service) {
	t.Helper()
	ctx, stop := context.WithCancel(context.Background())
	loops, err := svc.LiveComponents(ctx)
	if err != nil {
		stop()
		t.Fatalf("Kafka not usable (start it with `deploy/local/services.sh up kafka`): %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- lifecycle.Run(ctx, slog.Default(), 5*time.Second, loops...) }()
	t.Cleanup(func() { stop(); <-done })
	for deadline := time.Now().Add(30 * time.Second); svc.LiveIndexReady(ctx) != nil; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("live index not ready within 30 s: %v", svc.LiveIndexReady(ctx))
		}
	}
}

func deleteTopic(brokers []string, topic string) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c := &kafkago.Client{Addr: kafkago.TCP(brokers...), Timeout: 10 * time.Second}
	_, _ = c.DeleteTopics(ctx, &kafkago.DeleteTopicsRequest{Topics: []string{topic}})
}

func headers(userID string, roles ...authz.Role) http.Header {
	h := http.Header{}
	if userID != "" {
		authz.SetHeaders(h, authz.Identity{UserID: userID, Roles: roles})
	}
	return h
}

type gqlResponse struct {
	Data   json.RawMessage `json:"data"`
	Errors []struct {
		Message    string         `json:"message"`
		Extensions map[string]any `json:"extensions"`
	} `json:"errors"`
}

func (r gqlResponse) code() string {
	if len(r.Errors) == 0 {
		return ""
	}
	c, _ := r.Errors[0].Extensions["code"].(string)
	return c
}

func (c component) do(t *testing.T, h http.Header, query string, vars map[string]any) gqlResponse {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, c.url, bytes.NewReader(body))
	if h != nil {
		req.Header = h.Clone()
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out gqlResponse
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return out
}

func (c component) mustDo(t *testing.T, h http.Header, query string, vars map[string]any) json.RawMessage {
	t.Helper()
	r := c.do(t, h, query, vars)
	if len(r.Errors) > 0 {
		t.Fatalf("%s: %+v", query, r.Errors)
	}
	return r.Data
}

// subscription is a graphql-transport-ws client. A goroutine reads (coder/websocket
// closes a connection whose read is cancelled, so reads are never cancelled early).
type subscription struct {
	conn *coderws.Conn
	msgs chan map[string]any
}

func (c component) subscribe(t *testing.T, ctx context.Context, h http.Header, query string, vars map[string]any) (*subscription, gqlResponse) {
	t.Helper()
	conn, _, err := coderws.Dial(ctx, strings.Replace(c.url, "http://", "ws://", 1), &coderws.DialOptions{
		HTTPHeader: h, Subprotocols: []string{"graphql-transport-ws"},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.CloseNow() })
	s := &subscription{conn: conn, msgs: make(chan map[string]any, 64)}
	go func() {
		defer close(s.msgs)
		for {
			_, data, err := conn.Read(context.Background())
			if err != nil {
				return
			}
			var m map[string]any
			_ = json.Unmarshal(data, &m)
			s.msgs <- m
		}
	}()
	s.send(t, ctx, map[string]any{"type": "connection_init"})
	if m := s.read(t, ctx); m["type"] != "connection_ack" {
		t.Fatalf("init answered %v", m)
	}
	s.send(t, ctx, map[string]any{"id": "1", "type": "subscribe", "payload": map[string]any{"query": query, "variables": vars}})
	// An authorization error arrives at once; otherwise give the subscription a moment to
	// reach Redis before anything is published.
	select {
	case m := <-s.msgs:
		var first gqlResponse
		b, _ := json.Marshal(m["payload"])
		if m["type"] == "error" {
			_ = json.Unmarshal(b, &first.Errors)
		} else {
			_ = json.Unmarshal(b, &first)
		}
		if m["type"] == "next" && len(first.Errors) == 0 {
			return s, first // live at once, starting with the current state
		}
		return nil, first
	case <-time.After(300 * time.Millisecond):
		return s, gqlResponse{}
	}
}

func (s *subscription) send(t *testing.T, ctx context.Context, m map[string]any) {
	b, _ := json.Marshal(m)
	if err := s.conn.Write(ctx, coderws.MessageText, b); err != nil {
		t.Fatal(err)
	}
}

func (s *subscription) read(t *testing.T, ctx context.Context) map[string]any {
	t.Helper()
	select {
	case m, ok := <-s.msgs:
		if !ok {
			t.Fatal("connection closed")
		}
		return m
	case <-ctx.Done():
		t.Fatal("no message before the deadline")
	}
	return nil
}

// next returns the next data payload.
func (s *subscription) next(t *testing.T, ctx context.Context) map[string]any {
	t.Helper()
	for {
		m := s.read(t, ctx)
		switch m["type"] {
		case "next":
			p, _ := m["payload"].(map[string]any)
			if errs, ok := p["errors"]; ok {
				t.Fatalf("subscription errors: %v", errs)
			}
			d, _ := p["data"].(map[string]any)
			return d
		case "ping":
			s.send(t, ctx, map[string]any{"type": "pong"})
		case "error", "complete":
			t.Fatalf("subscription ended: %v", m)
		}
	}
}

func (c component) handle(t *testing.T, p events.Payload, subject string) {
	t.Helper()
	e, err := events.New(context.Background(), "test", subject, p)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.svc.App.HandleEvent(context.Background(), c.svc.Store, e); err != nil {
		t.Fatal(err)
	}
}

// assignedOrder: order accepted by the restaurant, courier drv-1 online nearby and
// holding the order (accepted through the API).
func (c component) assignedOrder(t *testing.T, orderID, customerID string) {
	t.Helper()
	c.handle(t, contracts.RestaurantUpdatedV1{RestaurantID: "r1", Lat: restaurant.Lat, Lng: restaurant.Lng, UpdatedAt: time.Now()}, "r1")
	c.handle(t, contracts.OrderCreatedV1{OrderID: orderID, CustomerID: customerID, RestaurantID: "r1",
		DeliveryAddress: contracts.Address{Lat: restaurant.Lat + 0.01, Lng: restaurant.Lng}}, orderID)
	c.handle(t, contracts.OrderStatusChangedV1{OrderID: orderID, From: "paid", To: contracts.OrderAccepted}, orderID)
	driver := headers("drv-1", authz.RoleDriver)
	c.mustDo(t, driver, `mutation($l: LocationInput!) { goOnline(location: $l, vehicle: SCOOTER) { status } }`,
		map[string]any{"l": map[string]any{"lat": restaurant.Lat + 0.002, "lng": restaurant.Lng}})
	if err := c.svc.Live.Reserve(context.Background(), orderID, "drv-1", time.Now().Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	c.mustDo(t, driver, `mutation($o: ID!) { acceptOffer(orderId: $o) { status driver { id } } }`, map[string]any{"o": orderID})
}

func TestDispatchSubgraph_aDriverCannotUpdateAnotherDriversLocation(t *testing.T) {
	c := boot(t)
	loc := map[string]any{"lat": restaurant.Lat, "lng": restaurant.Lng}
	for _, id := range []string{"drv-1", "drv-2"} {
		c.mustDo(t, headers(id, authz.RoleDriver), `mutation($l: LocationInput!) { goOnline(location: $l) { id } }`, map[string]any{"l": loc})
	}
	r := c.do(t, headers("drv-1", authz.RoleDriver), `mutation($l: LocationInput!) { updateLocation(location: $l, driverId: "drv-2") { id } }`,
		map[string]any{"l": map[string]any{"lat": 41.5, "lng": 69.5}})
	if r.code() != "FORBIDDEN" {
		t.Fatalf("updating another courier: %+v, want FORBIDDEN", r.Errors)
	}
	if r := c.do(t, headers("cust-1", authz.RoleCustomer), `mutation($l: LocationInput!) { updateLocation(location: $l) { id } }`, map[string]any{"l": loc}); r.code() != "FORBIDDEN" {
		t.Fatalf("a customer updating a location: %+v, want FORBIDDEN", r.Errors)
	}
	if r := c.do(t, nil, `mutation($l: LocationInput!) { updateLocation(location: $l) { id } }`, map[string]any{"l": loc}); r.code() != "UNAUTHENTICATED" {
		t.Fatalf("anonymous update: %+v, want UNAUTHENTICATED", r.Errors)
	}
	live, _ := c.svc.Live.Driver(context.Background(), "drv-2")
	if live.At.Lat != restaurant.Lat {
		t.Fatalf("drv-2 moved to %v", live.At)
	}
	data := c.mustDo(t, headers("drv-1", authz.RoleDriver), `mutation($l: LocationInput!) { updateLocation(location: $l, driverId: "drv-1") { id status lastLocation { lat } } }`,
		map[string]any{"l": map[string]any{"lat": 41.32, "lng": 69.28}})
	if !strings.Contains(string(data), `"lat":41.32`) || !strings.Contains(string(data), `"AVAILABLE"`) {
		t.Fatalf("own update: %s", data)
	}
}

func TestDispatchSubgraph_aCustomerCannotTrackAnotherCustomersDelivery(t *testing.T) {
	c := boot(t)
	c.assignedOrder(t, "ord-1", "cust-1")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	const q = `subscription($o: ID!) { deliveryTracking(orderId: $o) { driverId etaSeconds deliveryStatus location { lat } } }`
	sub, first := c.subscribe(t, ctx, headers("cust-2", authz.RoleCustomer), q, map[string]any{"o": "ord-1"})
	if sub != nil || first.code() != "FORBIDDEN" {
		t.Fatalf("another customer's tracking: %+v, want FORBIDDEN", first)
	}
	r := c.do(t, headers("cust-2", authz.RoleCustomer), `query { _entities(representations: [{__typename: "Order", id: "ord-1"}]) { ... on Order { delivery { id } } } }`, nil)
	if r.code() != "FORBIDDEN" {
		t.Fatalf("another customer's Order.delivery: %+v %s, want FORBIDDEN", r.Errors, r.Data)
	}
}

func TestDispatchSubgraph_theCustomerTracksTheCourierWithAnETA(t *testing.T) {
	c := boot(t)
	c.assignedOrder(t, "ord-1", "cust-1")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	const q = `subscription($o: ID!) { deliveryTracking(orderId: $o) { driverId etaSeconds deliveryStatus location { lat } } }`
	sub, first := c.subscribe(t, ctx, headers("cust-1", authz.RoleCustomer), q, map[string]any{"o": "ord-1"})
	if sub == nil {
		t.Fatalf("tracking refused: %+v", first)
	}
	// A subscriber starts from where the courier is now, without waiting for a fix.
	var start map[string]any
	if first.Data != nil {
		_ = json.Unmarshal(first.Data, &start)
	} else {
		start = sub.next(t, ctx)
	}
	if now, _ := start["deliveryTracking"].(map[string]any); now["driverId"] != "drv-1" || now["deliveryStatus"] != "CONFIRMED" {
		t.Fatalf("the courier where they are now: %v", start)
	}
	driver := headers("drv-1", authz.RoleDriver)
	for i, lat := range []float64{restaurant.Lat + 0.001, restaurant.Lat + 0.0005} {
		c.mustDo(t, driver, `mutation($l: LocationInput!) { updateLocation(location: $l) { id } }`,
			map[string]any{"l": map[string]any{"lat": lat, "lng": restaurant.Lng}})
		got := sub.next(t, ctx)["deliveryTracking"].(map[string]any)
		loc := got["location"].(map[string]any)
		if got["driverId"] != "drv-1" || got["deliveryStatus"] != "CONFIRMED" || math.Abs(loc["lat"].(float64)-lat) > 1e-6 {
			t.Fatalf("update %d: %v", i, got)
		}
		if eta := got["etaSeconds"].(float64); eta <= 0 || eta > 600 {
			t.Fatalf("update %d: eta %v s", i, eta)
		}
	}
	data := c.mustDo(t, headers("cust-1", authz.RoleCustomer), `query { _entities(representations: [{__typename: "Order", id: "ord-1"}]) { ... on Order { delivery { status driver { id } timeline { to actor } } } } }`, nil)
	if !strings.Contains(string(data), `"CONFIRMED"`) || !strings.Contains(string(data), `"drv-1"`) {
		t.Fatalf("Order.delivery: %s", data)
	}
}

func TestDispatchSubgraph_aCourierHearsTheirOffersOneAtATime(t *testing.T) {
	c := boot(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	driver := headers("drv-1", authz.RoleDriver)
	c.mustDo(t, driver, `mutation($l: LocationInput!) { goOnline(location: $l) { id } }`,
		map[string]any{"l": map[string]any{"lat": restaurant.Lat, "lng": restaurant.Lng}})
	sub, first := c.subscribe(t, ctx, driver, `subscription { driverOffers { orderId expiresAt } }`, nil)
	if sub == nil {
		t.Fatalf("offers refused: %+v", first)
	}
	if err := c.svc.Live.Reserve(ctx, "ord-9", "drv-1", time.Now().Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if got := sub.next(t, ctx)["driverOffers"].(map[string]any); got["orderId"] != "ord-9" {
		t.Fatalf("offer %v", got)
	}
	if err := c.svc.Live.Reserve(ctx, "ord-10", "drv-1", time.Now().Add(time.Minute)); err == nil {
		t.Fatal("a courier holding an offer was offered a second order")
	}
	data := c.mustDo(t, driver, `mutation { declineOffer(orderId: "ord-9") }`, nil)
	if !strings.Contains(string(data), "true") {
		t.Fatalf("decline: %s", data)
	}
}

func TestDispatchSubgraph_anotherCourierCannotMarkADeliveryPickedUp(t *testing.T) {
	c := boot(t)
	c.assignedOrder(t, "ord-1", "cust-1")
	r := c.do(t, headers("drv-2", authz.RoleDriver), `mutation { markPickedUp(deliveryId: "dlv-ord-1") { status } }`, nil)
	if r.code() != "FORBIDDEN" {
		t.Fatalf("another courier: %+v, want FORBIDDEN", r.Errors)
	}
	data := c.mustDo(t, headers("drv-1", authz.RoleDriver), `mutation { markPickedUp(deliveryId: "dlv-ord-1") { status } }`, nil)
	if !strings.Contains(string(data), "PICKED_UP") {
		t.Fatalf("own pickup: %s", data)
	}
	data = c.mustDo(t, headers("drv-1", authz.RoleDriver), `mutation { markDelivered(deliveryId: "dlv-ord-1") { status } }`, nil)
	if !strings.Contains(string(data), "DELIVERED") {
		t.Fatalf("own delivery: %s", data)
	}
	// As the router resolves identity's `me { driver { status } }` in dispatch:
	const userDriver = `query { _entities(representations: [{__typename: "User", id: "drv-1"}]) { ... on User { driver { status } } } }`
	data = c.mustDo(t, headers("drv-1", authz.RoleDriver), userDriver, nil)
	if !strings.Contains(string(data), "AVAILABLE") {
		t.Fatalf("after delivery: %s", data)
	}
	if r := c.do(t, headers("drv-2", authz.RoleDriver), userDriver, nil); r.code() != "FORBIDDEN" {
		t.Fatalf("another courier reading User.driver: %+v", r.Errors)
	}
}
