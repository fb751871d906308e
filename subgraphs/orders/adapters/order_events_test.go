package adapters_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/dizhtime/dizhtime/events"
	"github.com/dizhtime/dizhtime/events/contracts"
	"github.com/dizhtime/dizhtime/subgraphs/orders/adapters"
	"github.com/dizhtime/dizhtime/subgraphs/orders/domain"
)

// schemaOf compiles the events/contracts JSON Schema of one event version, asserting
// formats (date-time) as the contracts' own tests do.
func schemaOf(t *testing.T, eventType string, version int) *jsonschema.Schema {
	t.Helper()
	raw, err := contracts.Schema(eventType, version)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	url := fmt.Sprintf("mem://%s/v%d.json", eventType, version)
	if err := c.AddResource(url, doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile(url)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// Every route through the state machine, so every status appears as from and as to.
var routes = map[string][]func(o *domain.Order) error{
	"delivered": {paid, accept, prepare, ready, pickUp, deliver},
	"payment failed": {func(o *domain.Order) error {
		return o.MarkPaymentFailed(contracts.PaymentInsufficientFunds, time.Now())
	}},
	"rejected":                   {paid, func(o *domain.Order) error { return o.Reject("staff:s1", "out of rice", time.Now()) }},
	"cancelled before payment":   {func(o *domain.Order) error { return o.Cancel("customer:c1", "", time.Now()) }},
	"cancelled after payment":    {paid, func(o *domain.Order) error { return o.Cancel("admin:a1", "fraud", time.Now()) }},
	"acceptance deadline passed": {paid, func(o *domain.Order) error { return o.ExpireAcceptance(time.Now().Add(time.Hour)) }},
	"delivery failed":            {paid, accept, prepare, ready, pickUp, func(o *domain.Order) error { return o.FailDelivery("no driver", time.Now()) }},
	"payment deadline passed, then a late payment": {
		func(o *domain.Order) error { return o.ExpirePayment(time.Now().Add(time.Hour)) },
		func(o *domain.Order) error {
			_, err := o.PaymentReceived("pay-late", time.Now(), time.Minute)
			return err
		},
	},
}

var (
	paid    = func(o *domain.Order) error { return o.MarkPaid(time.Now(), time.Minute) }
	accept  = func(o *domain.Order) error { return o.Accept("staff:s1", time.Now()) }
	prepare = func(o *domain.Order) error { return o.StartPreparing("staff:s1", time.Now()) }
	ready   = func(o *domain.Order) error { return o.MarkReady("staff:s1", time.Now()) }
	pickUp  = func(o *domain.Order) error { return o.MarkPickedUp("drv-1", time.Now()) }
	deliver = func(o *domain.Order) error { return o.MarkDelivered("drv-1", time.Now()) }
)

func TestEveryPublishedPayloadValidatesAgainstItsEventsContractsSchema(t *testing.T) {
	repo, pool := newRepo(t)
	ctx := context.Background()
	for name, steps := range routes {
		o := newOrder(t, "c1", "route-"+name)
		o.PointsRedeemed = 150
		if _, _, err := repo.Create(ctx, o); err != nil {
			t.Fatal(err)
		}
		for i, step := range steps {
			if _, err := repo.Update(ctx, o.ID, step); err != nil {
				t.Fatalf("%s: step %d: %v", name, i, err)
			}
		}
	}
	rows, err := pool.Query(ctx, `SELECT value FROM outbox ORDER BY seq`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	seen := map[string]int{}
	tos := map[string]bool{}
	for rows.Next() {
		var value []byte
		if err := rows.Scan(&value); err != nil {
			t.Fatal(err)
		}
		var e events.Envelope
		if err := json.Unmarshal(value, &e); err != nil {
			t.Fatal(err)
		}
		wantVersion := 2 // order.created and order.status.changed
		if e.Type == contracts.TypePaymentRefundRequested {
			wantVersion = 1
		}
		if e.Version != wantVersion {
			t.Errorf("%s published as v%d, want v%d", e.Type, e.Version, wantVersion)
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(e.Data))
		if err != nil {
			t.Fatal(err)
		}
		if err := schemaOf(t, e.Type, e.Version).Validate(doc); err != nil {
			t.Errorf("%s v%d payload %s does not validate: %v", e.Type, e.Version, e.Data, err)
		}
		seen[e.Type]++
		if e.Type == contracts.TypeOrderStatusChanged {
			var p contracts.OrderStatusChangedV2
			_ = e.Decode(&p)
			tos[p.To] = true
			if p.CustomerID != "c1" || p.RestaurantID != "r1" || p.Actor == "" {
				t.Errorf("status change without customer, restaurant or actor: %s", e.Data)
			}
		}
		if e.Type == contracts.TypeOrderCreated {
			var p contracts.OrderCreatedV2
			_ = e.Decode(&p)
			// newOrder: 2 x 1200 + fee 300; the points are not deducted from the total.
			if p.PointsRedeemed != 150 || p.Total.AmountMinor != 2700 || p.Subtotal.AmountMinor != 2400 {
				t.Errorf("order.created: points %d total %+v subtotal %+v", p.PointsRedeemed, p.Total, p.Subtotal)
			}
		}
	}
	if seen[contracts.TypePaymentRefundRequested] != 1 {
		t.Errorf("payment.refund.requested events: %d, want 1 (the late payment)", seen[contracts.TypePaymentRefundRequested])
	}
	if seen[contracts.TypeOrderCreated] != len(routes) {
		t.Errorf("order.created events: %d, want %d", seen[contracts.TypeOrderCreated], len(routes))
	}
	for _, s := range domain.Statuses[1:] {
		if !tos[s.EventName()] {
			t.Errorf("no order.status.changed to %s was published and checked", s.EventName())
		}
	}
}

func TestContractActor_spellsPeopleAsUsersAndServicesAsSystem(t *testing.T) {
	for in, want := range map[string]string{
		"customer:c1": "user:c1", "staff:s1": "user:s1", "admin:a1": "user:a1",
		"wallet": "system:wallet", "dispatch": "system:dispatch",
		"system:acceptance-deadline": "system:acceptance-deadline",
	} {
		if got := adapters.ContractActor(in); got != want {
			t.Errorf("%s: got %s, want %s", in, got, want)
		}
	}
}

// Dispatch's pickup and delivery may reach orders late, twice or the wrong way round
// (they travel through Kafka, retried): whatever the order, the stored order ends
// DELIVERED and publishes picked_up then delivered, once each, in its own transactions.
func TestDeliveryNews_outOfOrderAndRepeated_publishesOnePickupThenOneDelivery(t *testing.T) {
	repo, pool := newRepo(t)
	ctx := context.Background()
	o := newOrder(t, "c1", "late-pickup")
	if _, _, err := repo.Create(ctx, o); err != nil {
		t.Fatal(err)
	}
	pickedUp := func(o *domain.Order) error { return o.MarkPickedUp("drv-9", time.Now()) }
	delivered := func(o *domain.Order) error { return o.MarkDelivered("drv-9", time.Now()) }
	for i, step := range []func(o *domain.Order) error{paid, accept, prepare, delivered, pickedUp, delivered, pickedUp} {
		if _, err := repo.Update(ctx, o.ID, step); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
	}
	// The kitchen's ready tap after the handover is refused and leaves no trace.
	if _, err := repo.Update(ctx, o.ID, ready); !domain.IsIllegalTransition(err) {
		t.Fatalf("ready after delivery: %v", err)
	}
	got, err := repo.Get(ctx, o.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != domain.StatusDelivered || got.DriverID != "drv-9" {
		t.Fatalf("order ended %s with driver %q", got.Status, got.DriverID)
	}
	rows, err := pool.Query(ctx, `SELECT value FROM outbox WHERE subject = $1 AND topic = $2 ORDER BY seq`, o.ID, contracts.TypeOrderStatusChanged)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var tos []string
	for rows.Next() {
		var value []byte
		var e events.Envelope
		var p contracts.OrderStatusChangedV2
		if err := rows.Scan(&value); err != nil || json.Unmarshal(value, &e) != nil || e.Decode(&p) != nil {
			t.Fatalf("outbox row: %v %s", err, value)
		}
		tos = append(tos, p.From+">"+p.To)
	}
	want := "placed>paid,paid>accepted,accepted>preparing,preparing>picked_up,picked_up>delivered"
	if strings.Join(tos, ",") != want {
		t.Fatalf("order.status.changed %v, want %s", tos, want)
	}
}
