package city

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"
)

// These tests need no services: the router is a fake that answers the simulator's
// operations by name and records them, so they check what the simulator does and in
// which order.

func TestSimCourier_waitsAtTheCounterUntilTheKitchenHasTheOrderReady(t *testing.T) {
	r := newFakeRouter(t)
	statuses := []string{"PREPARING", "PREPARING", "PREPARING", "READY_FOR_PICKUP"}
	r.handle("OrderStatus", func(map[string]any) (any, string) {
		st := statuses[0]
		if len(statuses) > 1 {
			statuses = statuses[1:]
		}
		return map[string]any{"order": map[string]any{"status": st}}, ""
	})
	sim, courier := r.sim(t, func(c *SimConfig) { c.PickupPatience = 5 * time.Second })
	del := Delivery{ID: "dlv-o1", Pickup: Offset(Tashkent, 100, 0), Dropoff: Offset(Tashkent, 300, 0)}
	refused := map[string]bool{}

	at := sim.deliver(context.Background(), courier, "o1", del, Tashkent, refused)

	if at != del.Dropoff {
		t.Errorf("the courier ended at %v, want the drop-off %v", at, del.Dropoff)
	}
	calls := r.calls()
	pickedUp := slices.Index(calls, "markPickedUp")
	if pickedUp < 0 || slices.Index(calls, "markDelivered") < pickedUp {
		t.Fatalf("calls = %v; want markPickedUp, then markDelivered", calls)
	}
	if asked := count(calls[:pickedUp], "OrderStatus"); asked != 4 {
		t.Errorf("the courier asked for the order's status %d times before picking up, want 4 (three PREPARING, then READY_FOR_PICKUP): %v", asked, calls)
	}
	if slices.Contains(calls, "unassignDelivery") || refused["o1"] {
		t.Errorf("a delivery that became ready was handed back: %v", calls)
	}
}

func TestSimCourier_handsTheDeliveryBackWhenTheOrderIsNeverReady(t *testing.T) {
	r := newFakeRouter(t)
	r.handle("OrderStatus", func(map[string]any) (any, string) {
		return map[string]any{"order": map[string]any{"status": "PREPARING"}}, ""
	})
	sim, courier := r.sim(t, func(c *SimConfig) { c.PickupPatience = 100 * time.Millisecond })
	refused := map[string]bool{}

	sim.deliver(context.Background(), courier, "o1", Delivery{ID: "dlv-o1", Pickup: Tashkent, Dropoff: Offset(Tashkent, 500, 0)}, Tashkent, refused)

	calls := r.calls()
	if slices.Contains(calls, "markPickedUp") || slices.Contains(calls, "markDelivered") {
		t.Errorf("the courier took an order that was never ready: %v", calls)
	}
	if !slices.Contains(calls, "unassignDelivery") || sim.Stats.HandedBack.Load() != 1 {
		t.Errorf("calls = %v, handed back %d; want the delivery handed back once", calls, sim.Stats.HandedBack.Load())
	}
	if !refused["o1"] {
		t.Error("the courier would take the same order again when it is offered anew")
	}
}

func TestSimCourier_awaitHandoverEndsOnReadyOnAnEndedOrderOrAfterPatience(t *testing.T) {
	cases := []struct {
		name     string
		statuses []string // answered in turn; the last one from then on
		errs     int      // failed asks before the first answer
		want     handover
	}{
		{"ready at once", []string{"READY_FOR_PICKUP"}, 0, handoverReady},
		{"ready after cooking", []string{"ACCEPTED", "PREPARING", "READY_FOR_PICKUP"}, 0, handoverReady},
		{"ready after failed asks", []string{"READY_FOR_PICKUP"}, 2, handoverReady},
		{"cancelled meanwhile", []string{"PREPARING", "CANCELLED"}, 0, handoverGone},
		{"delivery failed meanwhile", []string{"DELIVERY_FAILED"}, 0, handoverGone},
		{"someone else picked it up", []string{"PICKED_UP"}, 0, handoverGone},
		{"never ready", []string{"PREPARING"}, 0, handoverGivenUp},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			asked, failed := 0, 0
			got := awaitHandover(context.Background(), func(context.Context) (string, error) {
				asked++
				if asked <= c.errs {
					return "", errors.New("router unavailable")
				}
				return c.statuses[min(asked-c.errs, len(c.statuses))-1], nil
			}, time.Millisecond, 50*time.Millisecond, func(error) { failed++ })
			if got != c.want {
				t.Errorf("awaitHandover = %v, want %v (asked %d times)", got, c.want, asked)
			}
			if failed != c.errs {
				t.Errorf("%d failed asks reported, want %d", failed, c.errs)
			}
		})
	}
	t.Run("the shift ending", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		got := awaitHandover(ctx, func(context.Context) (string, error) { return "PREPARING", nil }, time.Millisecond, time.Hour, func(error) {})
		if got != handoverGivenUp {
			t.Errorf("awaitHandover after the shift ended = %v, want handoverGivenUp", got)
		}
	})
}

func TestSimTracking_resumesAfterTheTokenExpiresAndCountsEachStatusOnce(t *testing.T) {
	r := newFakeRouter(t)
	timeline := []string{"PLACED", "PAID", "ACCEPTED", "PREPARING", "READY_FOR_PICKUP", "PICKED_UP", "DELIVERED"}
	r.subscription = func(token string, vars map[string]any) (events []string, end string) {
		since := int(vars["since"].(float64))
		if token == "stale" {
			// The router ends a subscription when the token it started with expires.
			return transitions(timeline, since, 2), "UNAUTHENTICATED"
		}
		// A resumed subscription that also repeats the last transition it was asked
		// to skip, as an at-least-once feed may.
		return transitions(timeline, max(since-1, 0), len(timeline)), ""
	}
	sim, customer := r.sim(t, nil)

	ended := sim.track(context.Background(), customer, "o1", time.Now())

	if !ended {
		t.Fatal("track returned before the order was delivered")
	}
	st := &sim.Stats
	for name, got := range map[string]int64{"paid": st.Paid.Load(), "accepted": st.Accepted.Load(), "ready": st.Ready.Load(),
		"picked_up": st.PickedUp.Load(), "delivered": st.Delivered.Load()} {
		if got != 1 {
			t.Errorf("%s = %d, want 1", name, got)
		}
	}
	if st.Failed.Load() != 0 {
		t.Errorf("failed = %d, want 0", st.Failed.Load())
	}
	subs := r.subscriptions()
	if len(subs) != 2 || subs[0].token != "stale" || subs[1].token != "fresh" {
		t.Fatalf("subscriptions = %+v; want one with the stale token, then one with a fresh one", subs)
	}
	if since := subs[1].vars["since"]; since != float64(2) {
		t.Errorf("the second subscription asked since=%v, want 2 (the last transition seen)", since)
	}
	if n := count(r.calls(), "Login"); n != 1 {
		t.Errorf("signed in %d times, want once", n)
	}
	if n := sim.Stats.Errors()["orderUpdated UNAUTHENTICATED"]; n != 1 {
		t.Errorf("errors = %v; want the expiry tallied once under its code", sim.Stats.Errors())
	}
}

func TestSimStats_countOrdersThatEndedWithoutReachingTheCustomerByHowTheyEnded(t *testing.T) {
	var st SimStats
	for _, status := range []string{"PAID", "REJECTED", "PAID", "ACCEPTED", "DELIVERY_FAILED", "DELIVERED"} {
		st.reached(status, time.Minute)
	}
	if st.Paid.Load() != 2 || st.Accepted.Load() != 1 || st.Delivered.Load() != 1 || st.Failed.Load() != 2 {
		t.Errorf("stats = %s", st.String())
	}
	for _, want := range []string{"failed: DELIVERY_FAILED=1, REJECTED=1", "avg_to_door=1m0s"} {
		if !strings.Contains(st.String(), want) {
			t.Errorf("stats %q do not say %q", st.String(), want)
		}
	}
}

func TestSimErrors_areToldApartByCodeAndOnlyPassingFailuresAreRetried(t *testing.T) {
	conflict := &GraphQLError{Operation: "acceptOrder", Codes: []string{"DOWNSTREAM_SERVICE_ERROR", "CONFLICT", "CONFLICT"}}
	cases := []struct {
		name      string
		err       error
		codes     []string
		retryable bool
	}{
		{"a refused step", conflict, []string{"DOWNSTREAM_SERVICE_ERROR", "CONFLICT"}, false},
		{"not allowed", &GraphQLError{Codes: []string{"FORBIDDEN"}}, []string{"FORBIDDEN"}, false},
		{"a subgraph down", &GraphQLError{Codes: []string{"SUBGRAPH_UNAVAILABLE"}}, []string{"SUBGRAPH_UNAVAILABLE"}, true},
		{"an error without a code", &GraphQLError{Messages: []string{"context canceled"}}, []string{"NO_CODE"}, true},
		{"a timeout", fmt.Errorf("markReady: %w", context.DeadlineExceeded), []string{"TIMEOUT"}, true},
		{"a subscription completed", io.EOF, []string{"COMPLETED"}, true},
		{"a refused connection", errors.New("dial tcp: connection refused"), []string{"TRANSPORT"}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := ErrorCodes(c.err); !slices.Equal(got, c.codes) {
				t.Errorf("ErrorCodes = %v, want %v", got, c.codes)
			}
			if got := retryable(c.err); got != c.retryable {
				t.Errorf("retryable = %v, want %v", got, c.retryable)
			}
		})
	}
}

func TestSimKitchen_takesAnOrderOnceUntilTheRailForgetsIt(t *testing.T) {
	rail := &kitchenRail{taken: map[string]time.Time{}}
	now := time.Now()
	if !rail.take("o1", now) {
		t.Fatal("a new order was not taken")
	}
	if rail.take("o1", now.Add(time.Second)) {
		t.Error("the subscription and a reload both took the same order")
	}
	if !rail.take("o1", now.Add(railMemory+time.Second)) {
		t.Error("an order still open long after it was taken (its cooking failed) is never taken again")
	}
}

// fakeRouter answers the simulator's operations by operation name over HTTP, and one
// subscription over graphql-transport-ws.
type fakeRouter struct {
	t   *testing.T
	srv *httptest.Server

	mu       sync.Mutex
	handlers map[string]func(vars map[string]any) (data any, errCode string)
	log      []string
	subs     []fakeSubscription
	// subscription says what a subscription started with token and vars sends (each a
	// data object in JSON) and the error code it ends with ("" to stay open).
	subscription func(token string, vars map[string]any) (events []string, end string)
}

type fakeSubscription struct {
	token string
	vars  map[string]any
}

func newFakeRouter(t *testing.T) *fakeRouter {
	r := &fakeRouter{t: t, handlers: map[string]func(map[string]any) (any, string){}}
	ok := func(map[string]any) (any, string) { return map[string]any{}, "" }
	delivery := func(map[string]any) (any, string) {
		return map[string]any{"id": "dlv-o1", "status": "X", "pickup": Tashkent, "dropoff": Tashkent}, ""
	}
	r.handlers["UpdateLocation"] = ok
	r.handlers["markPickedUp"] = delivery
	r.handlers["markDelivered"] = delivery
	r.handlers["unassignDelivery"] = delivery
	r.handlers["Login"] = func(map[string]any) (any, string) {
		return map[string]any{"login": map[string]any{"accessToken": "fresh", "user": map[string]any{"id": "u1", "email": "u1@sim"}}}, ""
	}
	r.srv = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *fakeRouter) handle(op string, h func(vars map[string]any) (any, string)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.handlers[op] = h
}

// sim is a simulator against the fake with fast ticks, and a session signed in with a
// token the fake treats as expired.
func (r *fakeRouter) sim(t *testing.T, tune func(*SimConfig)) (*Sim, *Session) {
	cfg := DefaultSimConfig()
	cfg.Tick, cfg.SpeedMPS = 5*time.Millisecond, 100_000
	if tune != nil {
		tune(&cfg)
	}
	client := NewClient(r.srv.URL + "/graphql")
	session := &Session{client: client, UserID: "u1", Email: "u1@sim", Token: "stale", password: "pw"}
	sim, err := NewSim(cfg, client, session, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	return sim, session
}

func (r *fakeRouter) calls() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.log)
}

func (r *fakeRouter) subscriptions() []fakeSubscription {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.subs)
}

func (r *fakeRouter) serve(w http.ResponseWriter, req *http.Request) {
	if req.Header.Get("Upgrade") != "" {
		r.serveSubscription(w, req)
		return
	}
	var body struct {
		Query     string
		Variables map[string]any
	}
	if err := json.NewDecoder(req.Body).Decode(&body); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	op := operationName(body.Query)
	r.mu.Lock()
	r.log = append(r.log, op)
	h := r.handlers[op]
	r.mu.Unlock()
	var resp map[string]any
	switch {
	case h == nil:
		resp = map[string]any{"errors": []any{map[string]any{"message": "no such operation " + op, "extensions": map[string]any{"code": "GRAPHQL_VALIDATION_FAILED"}}}}
	default:
		data, code := h(body.Variables)
		resp = map[string]any{"data": data}
		if code != "" {
			resp = map[string]any{"errors": []any{map[string]any{"message": code, "extensions": map[string]any{"code": code}}}}
		} else if op != "Login" && op != "OrderStatus" {
			resp = map[string]any{"data": map[string]any{strings.ToLower(op[:1]) + op[1:]: data}}
		}
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(resp)
}

func (r *fakeRouter) serveSubscription(w http.ResponseWriter, req *http.Request) {
	conn, err := websocket.Accept(w, req, &websocket.AcceptOptions{Subprotocols: []string{"graphql-transport-ws"}})
	if err != nil {
		return
	}
	defer conn.CloseNow()
	ctx := req.Context()
	var init struct {
		Payload struct{ Authorization string }
	}
	if wsjson.Read(ctx, conn, &init) != nil || wsjson.Write(ctx, conn, map[string]any{"type": "connection_ack"}) != nil {
		return
	}
	var sub struct {
		ID      string
		Payload struct{ Variables map[string]any }
	}
	if wsjson.Read(ctx, conn, &sub) != nil {
		return
	}
	token := strings.TrimPrefix(init.Payload.Authorization, "Bearer ")
	r.mu.Lock()
	r.subs = append(r.subs, fakeSubscription{token: token, vars: sub.Payload.Variables})
	r.mu.Unlock()
	events, end := r.subscription(token, sub.Payload.Variables)
	for _, e := range events {
		if wsjson.Write(ctx, conn, map[string]any{"id": sub.ID, "type": "next", "payload": map[string]any{"data": json.RawMessage(e)}}) != nil {
			return
		}
	}
	if end != "" {
		_ = wsjson.Write(ctx, conn, map[string]any{"id": sub.ID, "type": "next", "payload": map[string]any{
			"errors": []any{map[string]any{"message": "the access token expired", "extensions": map[string]any{"code": end}}}}})
	}
	// Stay open until the client goes.
	for {
		var m map[string]any
		if wsjson.Read(ctx, conn, &m) != nil {
			return
		}
	}
}

// transitions are orderUpdated events for timeline[since:upTo], numbered from 1.
func transitions(timeline []string, since, upTo int) []string {
	var out []string
	for i := since; i < upTo; i++ {
		out = append(out, fmt.Sprintf(`{"orderUpdated":{"transition":{"sequence":%d,"to":%q}}}`, i+1, timeline[i]))
	}
	return out
}

func count(calls []string, op string) int {
	n := 0
	for _, c := range calls {
		if c == op {
			n++
		}
	}
	return n
}
