package service_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/dizhtime/dizhtime/events/contracts"
	"github.com/dizhtime/dizhtime/platform/routertest"
	"github.com/dizhtime/dizhtime/subgraphs/notifications/app"
)

const liveInbox = `subscription($since: Int) { myNotifications(since: $since) { unreadCount notification { id sequence kind title body orderId category } } }`

type liveEvent struct {
	MyNotifications struct {
		UnreadCount  int
		Notification struct {
			ID, Kind, Title, Body, OrderID, Category string
			Sequence                                 int
		}
	}
}

func next(t *testing.T, ctx context.Context, sub *routertest.Subscription) liveEvent {
	t.Helper()
	resp, err := sub.Next(ctx)
	if err != nil {
		t.Fatalf("myNotifications: %v", err)
	}
	wantNoErrors(t, resp)
	var ev liveEvent
	if err := resp.Decode(&ev); err != nil {
		t.Fatal(err)
	}
	return ev
}

// orderJourney publishes what orders publishes for one order going from placed to
// delivered, and returns the customer's expected kinds in order.
func (e *env) orderJourney(t *testing.T, orderID, customerID string, statuses []string) []string {
	t.Helper()
	e.publish(t, orderID, contracts.OrderCreatedV2{OrderID: orderID, CustomerID: customerID, RestaurantID: e.restaurant,
		Total: contracts.Money{AmountMinor: 6_400_000, Currency: "UZS"}, PlacedAt: time.Now().UTC()})
	kinds := []string{"order.placed"}
	// order.created and order.status.changed are topics of their own, consumed apart; an
	// order's status changes follow its creation causally (the wallet pays what it read on
	// order.created), so they are published once its creation is in the inbox.
	eventually(t, "order.created is in the inbox", 30*time.Second, func() (bool, string) {
		var n int
		_ = e.pool.QueryRow(context.Background(), `SELECT count(*) FROM notifications WHERE order_id = $1 AND user_id = $2`, orderID, customerID).Scan(&n)
		return n == 1, ""
	})
	from := contracts.OrderPlaced
	for _, to := range statuses {
		e.publish(t, orderID, contracts.OrderStatusChangedV2{OrderID: orderID, CustomerID: customerID, RestaurantID: e.restaurant,
			From: from, To: to, Actor: "test", ChangedAt: time.Now().UTC()})
		kinds = append(kinds, "order."+to)
		from = to
	}
	return kinds
}

var toDelivered = []string{contracts.OrderPaid, contracts.OrderAccepted, contracts.OrderPreparing, contracts.OrderReadyForPickup,
	contracts.OrderPickedUp, contracts.OrderDelivered}

func TestThroughTheRouter_anOrdersTransitionsReachTheCustomersLiveInboxInOrder_andEmailAndPush(t *testing.T) {
	e := newEnv(t)
	in := e.start(t, noOptions)
	r := withRouter(t, e, in)
	e.waitForConsumers(t)
	cust := e.newUser(t, r, "cust", "CUSTOMER")

	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	sub, err := routertest.Subscribe(ctx, r.WSURL, liveInbox, map[string]any{"since": 0}, map[string]any{"Authorization": "Bearer " + cust.token})
	if err != nil {
		t.Fatal(err)
	}
	orderID := uuid.NewString()
	want := e.orderJourney(t, orderID, cust.id, toDelivered)

	// The first three live, then the client drops; the rest come after a reconnect with
	// since = the last sequence it saw: nothing lost, nothing twice, in order.
	var got []string
	for i := range 3 {
		ev := next(t, ctx, sub).MyNotifications
		if ev.Notification.Sequence != i+1 || ev.Notification.OrderID != orderID || ev.Notification.Category != "ORDERS" {
			t.Fatalf("event %d = %+v", i, ev)
		}
		got = append(got, ev.Notification.Kind)
	}
	sub.Close()
	sub, err = routertest.Subscribe(ctx, r.WSURL, liveInbox, map[string]any{"since": 3}, map[string]any{"Authorization": "Bearer " + cust.token})
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	for i := 3; i < len(want); i++ {
		ev := next(t, ctx, sub).MyNotifications
		if ev.Notification.Sequence != i+1 {
			t.Fatalf("after reconnect: sequence %d, want %d", ev.Notification.Sequence, i+1)
		}
		got = append(got, ev.Notification.Kind)
		if i == len(want)-1 && (ev.UnreadCount != len(want) || !strings.Contains(ev.Notification.Title, "delivered")) {
			t.Fatalf("last event %+v", ev)
		}
	}
	if !slices.Equal(got, want) {
		t.Fatalf("live kinds %v, want %v", got, want)
	}

	// Each transition is an email in Mailpit (plain text and HTML) and a push.
	eventually(t, "the emails arrive in Mailpit", 60*time.Second, func() (bool, string) {
		m := mailTo(t, cust.email)
		return len(m) == len(want), strings.Join(subjects(m), " | ")
	})
	mails := mailTo(t, cust.email)
	text, html := mailBodies(t, mails[0].ID)
	if !strings.Contains(text, "64000.00 UZS") || !strings.Contains(html, "<h2>") {
		t.Fatalf("email parts: text %q html %q", text, html)
	}
	ids := map[string]bool{}
	for _, m := range mails {
		ids[m.MessageID] = true
	}
	if len(ids) != len(want) {
		t.Fatalf("message ids %v", ids)
	}
	eventually(t, "the pushes reach the push provider", 30*time.Second, func() (bool, string) {
		n := 0
		for _, s := range e.push.Sent() {
			if s.To == cust.push {
				n++
			}
		}
		return n == len(want), ""
	})

	// The restaurant's staff (identity's relation tuples) heard of the new order: an inbox
	// entry each, and a push each the settings suppressed (they gave no push token).
	admin := routertest.Bearer(e.tokens.Token(t, "admin-1", "ADMIN"))
	for _, s := range e.staff {
		resp := r.Do(t, `query($u: ID!) { notificationDeliveries(userId: $u) { edges { node { channel status reason idempotencyKey } } } }`,
			map[string]any{"u": s}, admin)
		wantNoErrors(t, resp)
		if !strings.Contains(string(resp.Data), `"status":"SUPPRESSED","reason":"no push address"`) {
			t.Fatalf("staff %s deliveries %s", s, resp.Data)
		}
	}
	// Only admins see deliveries.
	if resp := r.Do(t, `{ notificationDeliveries { edges { node { id } } } }`, nil, cust.headers); !resp.HasCode("FORBIDDEN") {
		t.Fatalf("a customer read deliveries: %s %+v", resp.Data, resp.Errors)
	}
}

func subjects(ms []mail) []string {
	out := make([]string, 0, len(ms))
	for _, m := range ms {
		out = append(out, m.Subject)
	}
	return out
}

func TestThroughTheRouter_aReplicaThatConsumesNothingServesTheLiveInboxOfEntriesAnotherReplicaWrote(t *testing.T) {
	e := newEnv(t)
	e.start(t, noOptions) // replica A: consumes the events, writes the entries
	var noConsumers []string
	for _, topic := range app.Topics {
		noConsumers = append(noConsumers, "consumer:"+topic)
	}
	b := e.start(t, noOptions, noConsumers...) // replica B: serves the router, consumes nothing
	r := withRouter(t, e, b)
	e.waitForConsumers(t)
	cust := e.newUser(t, r, "dave", "CUSTOMER")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	sub, err := routertest.Subscribe(ctx, r.WSURL, liveInbox, map[string]any{"since": 0}, map[string]any{"Authorization": "Bearer " + cust.token})
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	orderID := uuid.NewString()
	want := e.orderJourney(t, orderID, cust.id, []string{contracts.OrderPaid, contracts.OrderAccepted})
	for i, kind := range want {
		ev := next(t, ctx, sub).MyNotifications
		if ev.Notification.Kind != kind || ev.Notification.Sequence != i+1 {
			t.Fatalf("event %d = %+v, want %s", i, ev, kind)
		}
	}
}
