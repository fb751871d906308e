package domain_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/dizhtime/dizhtime/subgraphs/orders/domain"
)

var t0 = time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)

func eur(minor int64) domain.Money { return domain.Money{Minor: minor, Currency: "EUR"} }

func placed(t *testing.T) *domain.Order {
	t.Helper()
	o, err := domain.NewOrder(domain.NewOrderParams{
		ID: "o1", CustomerID: "c1", RestaurantID: "r1", IdempotencyKey: "k1",
		Lines: []domain.Line{
			{MenuItemID: "plov", Name: "Plov", Quantity: 2, UnitPrice: eur(1250), LineTotal: eur(2500),
				Options: []domain.ChosenOption{{ID: "big", Name: "Big", GroupID: "size", PriceDelta: eur(250)}}},
			{MenuItemID: "tea", Name: "Tea", Quantity: 1, UnitPrice: eur(300), LineTotal: eur(300)},
		},
		DeliveryFee: eur(499), PointsRedeemed: 99,
		DeliveryAddress: domain.Address{Line1: "Amir Temur 1", City: "Tashkent"},
		DeliveryAt:      domain.Location{Lat: 41.3, Lng: 69.2}, At: t0,
	})
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func TestNewOrder_computesSubtotalFeeAndTotalInMinorUnits_andKeepsThePointsApart(t *testing.T) {
	o := placed(t)
	// The total is the price; the 99 points pay part of it at the wallet, they are not deducted here.
	if o.Subtotal != eur(2800) || o.DeliveryFee != eur(499) || o.Total != eur(3299) || o.PointsRedeemed != 99 || o.Status != domain.StatusPlaced {
		t.Errorf("subtotal %s fee %s total %s status %s", o.Subtotal, o.DeliveryFee, o.Total, o.Status)
	}
	if len(o.Timeline) != 1 || o.Timeline[0].To != domain.StatusPlaced || o.Timeline[0].Actor != "customer:c1" {
		t.Errorf("timeline %+v", o.Timeline)
	}
}

func TestNewOrder_refusesInconsistentOrMissingInput(t *testing.T) {
	ok := func() domain.NewOrderParams {
		return domain.NewOrderParams{ID: "o", CustomerID: "c", RestaurantID: "r",
			Lines:           []domain.Line{{MenuItemID: "i", Quantity: 1, UnitPrice: eur(100), LineTotal: eur(100)}},
			DeliveryAddress: domain.Address{Line1: "x", City: "y"}, At: t0}
	}
	cases := map[string]func(p *domain.NewOrderParams){
		"no lines":              func(p *domain.NewOrderParams) { p.Lines = nil },
		"zero quantity":         func(p *domain.NewOrderParams) { p.Lines[0].Quantity = 0 },
		"wrong line total":      func(p *domain.NewOrderParams) { p.Lines[0].LineTotal = eur(1) },
		"mixed currencies":      func(p *domain.NewOrderParams) { p.DeliveryFee = domain.Money{Minor: 1, Currency: "USD"} },
		"points above total":    func(p *domain.NewOrderParams) { p.PointsRedeemed = 101 },
		"negative points":       func(p *domain.NewOrderParams) { p.PointsRedeemed = -1 },
		"no address":            func(p *domain.NewOrderParams) { p.DeliveryAddress = domain.Address{} },
		"latitude out of range": func(p *domain.NewOrderParams) { p.DeliveryAt.Lat = 91 },
		"no customer":           func(p *domain.NewOrderParams) { p.CustomerID = "" },
	}
	for name, mutate := range cases {
		t.Run(name, func(t *testing.T) {
			p := ok()
			mutate(&p)
			if _, err := domain.NewOrder(p); err == nil {
				t.Error("accepted")
			}
		})
	}
}

// step moves an order one way; every status is reachable through these.
var step = map[domain.Status]func(o *domain.Order) error{
	domain.StatusPaid:           func(o *domain.Order) error { return o.MarkPaid(t0, time.Minute) },
	domain.StatusPaymentFailed:  func(o *domain.Order) error { return o.MarkPaymentFailed("insufficient_funds", t0) },
	domain.StatusAccepted:       func(o *domain.Order) error { return o.Accept("staff:s1", t0) },
	domain.StatusRejected:       func(o *domain.Order) error { return o.Reject("staff:s1", "closing", t0) },
	domain.StatusPreparing:      func(o *domain.Order) error { return o.StartPreparing("staff:s1", t0) },
	domain.StatusReadyForPickup: func(o *domain.Order) error { return o.MarkReady("staff:s1", t0) },
	domain.StatusPickedUp:       func(o *domain.Order) error { return o.MarkPickedUp("d1", t0) },
	domain.StatusDelivered:      func(o *domain.Order) error { return o.MarkDelivered("d1", t0) },
	domain.StatusCancelled:      func(o *domain.Order) error { return o.Cancel("customer:c1", "changed my mind", t0) },
	domain.StatusDeliveryFailed: func(o *domain.Order) error { return o.FailDelivery("no driver", t0) },
}

// pathTo is how a test reaches each status from PLACED.
var pathTo = map[domain.Status][]domain.Status{
	domain.StatusPlaced:         nil,
	domain.StatusPaid:           {domain.StatusPaid},
	domain.StatusPaymentFailed:  {domain.StatusPaymentFailed},
	domain.StatusAccepted:       {domain.StatusPaid, domain.StatusAccepted},
	domain.StatusRejected:       {domain.StatusPaid, domain.StatusRejected},
	domain.StatusPreparing:      {domain.StatusPaid, domain.StatusAccepted, domain.StatusPreparing},
	domain.StatusReadyForPickup: {domain.StatusPaid, domain.StatusAccepted, domain.StatusPreparing, domain.StatusReadyForPickup},
	domain.StatusPickedUp:       {domain.StatusPaid, domain.StatusAccepted, domain.StatusPreparing, domain.StatusReadyForPickup, domain.StatusPickedUp},
	domain.StatusDelivered:      {domain.StatusPaid, domain.StatusAccepted, domain.StatusPreparing, domain.StatusReadyForPickup, domain.StatusPickedUp, domain.StatusDelivered},
	domain.StatusCancelled:      {domain.StatusCancelled},
	domain.StatusDeliveryFailed: {domain.StatusPaid, domain.StatusAccepted, domain.StatusDeliveryFailed},
}

func TestTransitions_followExactlyTheTable_andAnIllegalOneLeavesNoTrace(t *testing.T) {
	allowed := map[[2]domain.Status]bool{}
	for _, p := range [][2]domain.Status{
		{"PLACED", "PAID"}, {"PLACED", "PAYMENT_FAILED"}, {"PLACED", "CANCELLED"},
		{"PAID", "ACCEPTED"}, {"PAID", "REJECTED"}, {"PAID", "CANCELLED"},
		{"ACCEPTED", "PREPARING"}, {"ACCEPTED", "PICKED_UP"}, {"ACCEPTED", "DELIVERY_FAILED"},
		{"PREPARING", "READY_FOR_PICKUP"}, {"PREPARING", "PICKED_UP"}, {"PREPARING", "DELIVERY_FAILED"},
		{"READY_FOR_PICKUP", "PICKED_UP"}, {"READY_FOR_PICKUP", "DELIVERY_FAILED"},
		{"PICKED_UP", "DELIVERED"}, {"PICKED_UP", "DELIVERY_FAILED"},
	} {
		allowed[p] = true
	}
	// Dispatch's news about the food: a delivery before any pickup implies the pickup
	// (two entries), and a pickup or delivery the order is already past changes nothing.
	viaPickup := map[[2]domain.Status]bool{
		{"ACCEPTED", "DELIVERED"}: true, {"PREPARING", "DELIVERED"}: true, {"READY_FOR_PICKUP", "DELIVERED"}: true,
	}
	unchanged := map[[2]domain.Status]bool{
		{"PICKED_UP", "PICKED_UP"}: true, {"DELIVERED", "PICKED_UP"}: true, {"DELIVERED", "DELIVERED"}: true,
	}
	for _, from := range domain.Statuses {
		for _, to := range domain.Statuses {
			if to == domain.StatusPlaced {
				continue // nothing leads back to PLACED; there is no method for it
			}
			t.Run(string(from)+" to "+string(to), func(t *testing.T) {
				o := placed(t)
				for _, s := range pathTo[from] {
					if err := step[s](o); err != nil {
						t.Fatalf("reaching %s: %v", from, err)
					}
				}
				before := *o
				before.Timeline = append([]domain.Transition(nil), o.Timeline...)
				err := step[to](o)
				pair := [2]domain.Status{from, to}
				if unchanged[pair] {
					if err != nil || !reflect.DeepEqual(*o, before) {
						t.Fatalf("old news changed the order (%v):\n%+v\n%+v", err, *o, before)
					}
					return
				}
				if viaPickup[pair] {
					n := len(o.Timeline)
					if err != nil || o.Status != to || n != len(before.Timeline)+2 ||
						o.Timeline[n-2].From != from || o.Timeline[n-2].To != domain.StatusPickedUp || o.Timeline[n-1].From != domain.StatusPickedUp {
						t.Fatalf("delivery did not imply the pickup: %v, %+v", err, o.Timeline)
					}
					return
				}
				if allowed[pair] {
					if err != nil || o.Status != to || o.LastTransition().From != from || o.LastTransition().Seq != len(o.Timeline) {
						t.Fatalf("refused or not recorded: %v, %+v", err, o.LastTransition())
					}
					return
				}
				if !domain.IsIllegalTransition(err) {
					t.Fatalf("want an illegal transition error, got %v", err)
				}
				if !reflect.DeepEqual(*o, before) {
					t.Errorf("refused transition changed the order:\n%+v\n%+v", *o, before)
				}
			})
		}
	}
}

func TestMarkPaid_setsTheAcceptanceDeadline_andLeavingPaidClearsIt(t *testing.T) {
	o := placed(t)
	if err := o.MarkPaid(t0, 90*time.Second); err != nil {
		t.Fatal(err)
	}
	if o.AcceptBy == nil || !o.AcceptBy.Equal(t0.Add(90*time.Second)) {
		t.Fatalf("accept by %v", o.AcceptBy)
	}
	if err := o.ExpireAcceptance(t0.Add(time.Minute)); err == nil {
		t.Fatal("expired before the deadline")
	}
	if err := o.ExpireAcceptance(t0.Add(2 * time.Minute)); err != nil {
		t.Fatal(err)
	}
	if o.Status != domain.StatusRejected || o.LastTransition().Reason != "timeout" || o.AcceptBy != nil {
		t.Errorf("after expiry: %s %+v %v", o.Status, o.LastTransition(), o.AcceptBy)
	}
}

func TestStatus_eventNameIsTheLowerCaseContractSpelling(t *testing.T) {
	if got := domain.StatusReadyForPickup.EventName(); got != "ready_for_pickup" {
		t.Errorf("got %s", got)
	}
}

func TestMarkPickedUp_beforeTheKitchenSaysReady_movesTheOrderOnAndRecordsTheCourier(t *testing.T) {
	for _, kitchen := range []domain.Status{domain.StatusAccepted, domain.StatusPreparing, domain.StatusReadyForPickup} {
		t.Run(string(kitchen), func(t *testing.T) {
			o := placed(t)
			for _, s := range pathTo[kitchen] {
				if err := step[s](o); err != nil {
					t.Fatal(err)
				}
			}
			if err := o.MarkPickedUp("d7", t0); err != nil {
				t.Fatal(err)
			}
			if o.Status != domain.StatusPickedUp || o.DriverID != "d7" || o.LastTransition().From != kitchen || o.LastTransition().Actor != "dispatch" {
				t.Fatalf("after pickup: %s driver %q %+v", o.Status, o.DriverID, o.LastTransition())
			}
			// The kitchen's late taps are refused: the food has left.
			if err := o.MarkReady("staff:s1", t0); !domain.IsIllegalTransition(err) {
				t.Fatalf("ready after pickup: %v", err)
			}
			if err := o.MarkDelivered("d7", t0); err != nil || o.Status != domain.StatusDelivered {
				t.Fatalf("delivery after an early pickup: %v, %s", err, o.Status)
			}
		})
	}
}

func TestDispatchNews_inAnyOrderAndRepeated_endsDeliveredWithOnePickupAndOneDelivery(t *testing.T) {
	type news func(o *domain.Order) error
	pickup := func(o *domain.Order) error { return o.MarkPickedUp("d1", t0) }
	delivered := func(o *domain.Order) error { return o.MarkDelivered("d1", t0) }
	ready := func(o *domain.Order) error { return o.MarkReady("staff:s1", t0) }
	for name, seq := range map[string][]news{
		"in order":                   {pickup, delivered},
		"delivery overtook pickup":   {delivered, pickup},
		"everything twice":           {pickup, pickup, delivered, delivered},
		"reordered and repeated":     {delivered, pickup, delivered, pickup},
		"kitchen ready in between":   {pickup, ready, delivered},
		"kitchen ready after it all": {delivered, ready, pickup},
	} {
		t.Run(name, func(t *testing.T) {
			o := placed(t)
			for _, s := range pathTo[domain.StatusPreparing] {
				if err := step[s](o); err != nil {
					t.Fatal(err)
				}
			}
			for _, n := range seq {
				_ = n(o) // the saga logs and drops what the order refuses
			}
			if o.Status != domain.StatusDelivered || o.DriverID != "d1" {
				t.Fatalf("ended %s with driver %q", o.Status, o.DriverID)
			}
			counts := map[domain.Status]int{}
			for _, tr := range o.Timeline {
				counts[tr.To]++
			}
			if counts[domain.StatusPickedUp] != 1 || counts[domain.StatusDelivered] != 1 || counts[domain.StatusReadyForPickup] != 0 {
				t.Fatalf("timeline %+v", o.Timeline)
			}
		})
	}
}

func TestAssignDriver_arrivingAfterTheDeliveryIsFineForItsOwnCourierOnly(t *testing.T) {
	o := placed(t)
	for _, s := range pathTo[domain.StatusDelivered] {
		if err := step[s](o); err != nil {
			t.Fatal(err)
		}
	}
	if err := o.AssignDriver("d1"); err != nil {
		t.Fatalf("late assignment of the delivering courier: %v", err)
	}
	if err := o.AssignDriver("d2"); !domain.IsIllegalTransition(err) || o.DriverID != "d1" {
		t.Fatalf("another courier after delivery: %v, driver %q", err, o.DriverID)
	}
}
