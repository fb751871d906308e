package app_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/dizhtime/dizhtime/events"
	"github.com/dizhtime/dizhtime/events/contracts"
	"github.com/dizhtime/dizhtime/subgraphs/notifications/app"
	"github.com/dizhtime/dizhtime/subgraphs/notifications/domain"
	"github.com/dizhtime/dizhtime/subgraphs/notifications/templates"
)

type staff map[string][]string

func (s staff) Staff(_ context.Context, r string) ([]string, error) { return s[r], nil }

// recorded is an in-memory app.Recorder: the workflows' output under test.
type recorded struct {
	settings map[string]domain.Settings
	got      []domain.Notification
	sends    []domain.Delivery
}

func (r *recorded) Settings(_ context.Context, u string) (domain.Settings, error) {
	if s, ok := r.settings[u]; ok {
		return s, nil
	}
	return domain.DefaultSettings(u), nil
}

func (r *recorded) Record(_ context.Context, n *domain.Notification, ds []domain.Delivery) (bool, error) {
	r.got = append(r.got, *n)
	r.sends = append(r.sends, ds...)
	return true, nil
}

func workflows(t *testing.T, window time.Duration) *app.Workflows {
	t.Helper()
	c, err := domain.ParseCatalog(templates.Catalog)
	if err != nil {
		t.Fatal(err)
	}
	w, err := app.NewWorkflows(c, staff{"r1": {"s1", "s2"}}, app.WorkflowConfig{DigestWindow: window}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func TestWorkflows_sendEachEventToItsRecipientsWithItsTemplate(t *testing.T) {
	w := workflows(t, 0)
	for name, tc := range map[string]struct {
		p    events.Payload
		want []string // recipient:kind
	}{
		"a new order: the customer and the restaurant's staff": {contracts.OrderCreatedV2{OrderID: "o1", CustomerID: "c1", RestaurantID: "r1",
			Total: contracts.Money{AmountMinor: 100, Currency: "UZS"}}, []string{"c1:order.placed", "s1:restaurant.order.new", "s2:restaurant.order.new"}},
		"a paid order: the customer": {contracts.OrderStatusChangedV2{OrderID: "o1", CustomerID: "c1", RestaurantID: "r1", From: "placed", To: "paid"},
			[]string{"c1:order.paid"}},
		"an accepted order cancelled: the customer and the staff": {contracts.OrderStatusChangedV2{OrderID: "o1", CustomerID: "c1", RestaurantID: "r1",
			From: "accepted", To: "cancelled"}, []string{"c1:order.cancelled", "s1:restaurant.order.cancelled", "s2:restaurant.order.cancelled"}},
		"a v1 status change without a customer: nobody": {contracts.OrderStatusChangedV2{OrderID: "o1", From: "placed", To: "paid"}, nil},
		"a refund: the wallet owner": {contracts.PaymentRefundedV1{OrderID: "o1", CustomerID: "c1", Amount: contracts.Money{AmountMinor: 5, Currency: "UZS"}},
			[]string{"c1:wallet.refunded"}},
		"an assignment: the driver": {contracts.DispatchAssignedV1{OrderID: "o1", DriverID: "d1", PickupETA: time.Now()}, []string{"d1:driver.assigned"}},
		"a hand-back: the driver it named": {contracts.DeliveryStatusChangedV1{OrderID: "o1", DriverID: "d1", From: "enroute_to_pickup", To: "created"},
			[]string{"d1:driver.unassigned"}},
		"a delivery moving on: nobody": {contracts.DeliveryStatusChangedV1{OrderID: "o1", DriverID: "d1", From: "confirmed", To: "enroute_to_pickup"}, nil},
		"a requested notification": {contracts.NotificationRequestedV1{RecipientID: "u1", Template: "promo.offer",
			Params: map[string]string{"Headline": "h", "Details": "d"}}, []string{"u1:promo.offer"}},
	} {
		t.Run(name, func(t *testing.T) {
			ev, err := events.New(context.Background(), "test", "o1", tc.p)
			if err != nil {
				t.Fatal(err)
			}
			rec := &recorded{}
			if err := w.Handle(context.Background(), rec, ev); err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, n := range rec.got {
				got = append(got, n.UserID+":"+n.Kind)
			}
			if strings.Join(got, ",") != strings.Join(tc.want, ",") {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestWorkflows_refuseARequestedNotificationThatDoesNotFitItsTemplate(t *testing.T) {
	w := workflows(t, 0)
	for name, p := range map[string]contracts.NotificationRequestedV1{
		"an unknown template":  {RecipientID: "u1", Template: "nope"},
		"a missing parameter":  {RecipientID: "u1", Template: "promo.offer", Params: map[string]string{"Headline": "h"}},
		"a non-text parameter": {RecipientID: "u1", Template: "wallet.refunded", Params: map[string]string{"Amount": "5", "OrderRef": "#1", "Reason": "r"}},
		"no recipient":         {Template: "promo.offer", Params: map[string]string{"Headline": "h", "Details": "d"}},
	} {
		t.Run(name, func(t *testing.T) {
			ev, _ := events.New(context.Background(), "test", "x", p)
			if err := w.Handle(context.Background(), &recorded{}, ev); !errors.Is(err, app.ErrBadEvent) {
				t.Fatalf("err = %v, want ErrBadEvent (dead-lettered at once)", err)
			}
		})
	}
}

func TestWorkflows_renderInTheRecipientsLocale_andGroupStaffPushesIntoADigestWindow(t *testing.T) {
	w := workflows(t, time.Minute)
	rec := &recorded{settings: map[string]domain.Settings{
		"c1": {UserID: "c1", Locale: "ru", TimeZone: "UTC", Email: "c1@example.test", OptOuts: map[domain.Category]map[domain.Channel]bool{}},
		"s1": {UserID: "s1", Locale: "en", TimeZone: "UTC", PushToken: "tok", OptOuts: map[domain.Category]map[domain.Channel]bool{}},
	}}
	ev, _ := events.New(context.Background(), "test", "o1", contracts.OrderCreatedV2{OrderID: "0a1b2c3d-0000", CustomerID: "c1", RestaurantID: "r1",
		Total: contracts.Money{AmountMinor: 12345, Currency: "UZS"}})
	if err := w.Handle(context.Background(), rec, ev); err != nil {
		t.Fatal(err)
	}
	if rec.got[0].Title != "Заказ #0A1B2C3D оформлен" {
		t.Fatalf("customer title %q", rec.got[0].Title)
	}
	for _, d := range rec.sends {
		switch {
		case d.UserID == "c1" && d.Channel == domain.ChannelEmail:
			if d.Status != domain.DeliveryQueued || d.To != "c1@example.test" || d.IdempotencyKey != ev.ID+":c1:email" {
				t.Fatalf("customer email %+v", d)
			}
		case d.UserID == "s1" && d.Channel == domain.ChannelPush:
			if d.DigestKey == "" || !d.NextAttemptAt.After(time.Now()) {
				t.Fatalf("staff push not held for its digest window: %+v", d)
			}
		case d.UserID == "s2":
			if d.Status != domain.DeliverySuppressed || d.Reason != "no push address" {
				t.Fatalf("staff without a token: %+v", d)
			}
		}
	}
}
