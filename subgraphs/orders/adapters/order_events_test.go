package adapters_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
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
}

var (
	paid    = func(o *domain.Order) error { return o.MarkPaid(time.Now(), time.Minute) }
	accept  = func(o *domain.Order) error { return o.Accept("staff:s1", time.Now()) }
	prepare = func(o *domain.Order) error { return o.StartPreparing("staff:s1", time.Now()) }
	ready   = func(o *domain.Order) error { return o.MarkReady("staff:s1", time.Now()) }
	pickUp  = func(o *domain.Order) error { return o.MarkPickedUp(time.Now()) }
	deliver = func(o *domain.Order) error { return o.MarkDelivered(time.Now()) }
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
		if e.Version != 2 {
			t.Errorf("%s published as v%d, want v2", e.Type, e.Version)
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
