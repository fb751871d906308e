package service_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/dizhtime/dizhtime/events/contracts"
	"github.com/dizhtime/dizhtime/platform/routertest"
)

// Top-ups (wallet.topup.*) and driver offers and hand-backs (dispatch.offered,
// dispatch.unassigned) published to real Kafka reach their owner's live inbox through the
// router, in their locale, with the email (Mailpit) and push (sandbox) their templates
// name; a redelivered event changes nothing.
func TestThroughTheRouter_topUpsAndDriverOffersReachTheirOwnersLiveInbox_emailAndPush(t *testing.T) {
	e := newEnv(t)
	in := e.start(t, noOptions)
	r := withRouter(t, e, in)
	e.waitForConsumers(t)
	customer := e.newUser(t, r, "tina", "CUSTOMER")
	driver := e.newUser(t, r, "dima", "DRIVER")
	wantNoErrors(t, r.Do(t, `mutation($in: NotificationSettingsInput!) { updateNotificationSettings(input: $in) { locale } }`,
		map[string]any{"in": map[string]any{"locale": "ru"}}, customer.headers))

	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	customerLive, err := routertest.Subscribe(ctx, r.WSURL, liveInbox, map[string]any{"since": 0}, map[string]any{"Authorization": "Bearer " + customer.token})
	if err != nil {
		t.Fatal(err)
	}
	defer customerLive.Close()
	driverLive, err := routertest.Subscribe(ctx, r.WSURL, liveInbox, map[string]any{"since": 0}, map[string]any{"Authorization": "Bearer " + driver.token})
	if err != nil {
		t.Fatal(err)
	}
	defer driverLive.Close()

	amount := contracts.Money{AmountMinor: 75_000_00, Currency: "UZS"}
	credited := e.publish(t, customer.id, contracts.TopUpSucceededV1{IntentID: "pi_" + uuid.NewString(), UserID: customer.id,
		Amount: amount, Gateway: "sandbox", CreditedAt: time.Now().UTC()})
	e.publishEnvelope(t, credited) // redelivered
	e.publish(t, customer.id, contracts.TopUpFailedV1{IntentID: "pi_" + uuid.NewString(), UserID: customer.id,
		Amount: amount, Gateway: "sandbox", Outcome: contracts.TopUpDeclined, Reason: "карта отклонена", FailedAt: time.Now().UTC()})
	if ev := next(t, ctx, customerLive).MyNotifications; ev.Notification.Kind != "wallet.topup.succeeded" ||
		ev.Notification.Title != "Кошелёк пополнен на 75000.00 UZS" || ev.Notification.Category != "ACCOUNT" {
		t.Fatalf("customer's first live entry %+v", ev)
	}
	if ev := next(t, ctx, customerLive).MyNotifications; ev.Notification.Kind != "wallet.topup.failed" ||
		!strings.Contains(ev.Notification.Body, "карта отклонена") || ev.UnreadCount != 2 {
		t.Fatalf("customer's second live entry %+v (the redelivered top-up must not make a second)", ev)
	}

	orderID := uuid.NewString()
	offeredAt := time.Now().UTC()
	e.publish(t, orderID, contracts.DispatchOfferedV1{DeliveryID: "dl-" + orderID, OrderID: orderID, DriverID: driver.id,
		RestaurantID: e.restaurant, PickupETA: offeredAt.Add(7 * time.Minute), ExpiresAt: offeredAt.Add(30 * time.Second), OfferedAt: offeredAt})
	e.publish(t, orderID, contracts.DispatchUnassignedV1{DeliveryID: "dl-" + orderID, OrderID: orderID, DriverID: driver.id,
		Actor: "driver:" + driver.id, UnassignedAt: offeredAt.Add(time.Minute)})
	if ev := next(t, ctx, driverLive).MyNotifications; ev.Notification.Kind != "driver.offered" || ev.Notification.OrderID != orderID ||
		!strings.HasPrefix(ev.Notification.Title, "New delivery offer #") {
		t.Fatalf("driver's first live entry %+v", ev)
	}
	if ev := next(t, ctx, driverLive).MyNotifications; ev.Notification.Kind != "driver.unassigned" || ev.Notification.OrderID != orderID {
		t.Fatalf("driver's second live entry %+v", ev)
	}

	eventually(t, "the top-up emails and the driver's pushes go out", 60*time.Second, func() (bool, string) {
		cs, ds := deliveries(t, e, r, customer.id, ""), deliveries(t, e, r, driver.id, "")
		return countStatus(cs, "EMAIL", "SENT") == 2 && countStatus(ds, "PUSH", "SENT") == 2, fmt.Sprintf("customer %+v driver %+v", cs, ds)
	})
	var subjects []string
	for _, m := range mailTo(t, customer.email) {
		subjects = append(subjects, m.Subject)
	}
	if len(subjects) != 2 || !strings.Contains(strings.Join(subjects, "|"), "Кошелёк пополнен на 75000.00 UZS") {
		t.Fatalf("customer's mail %q, want the two top-up messages once each", subjects)
	}
	var pushes []string
	for _, m := range e.push.Sent() {
		if m.To == driver.push {
			pushes = append(pushes, m.Title)
		}
	}
	if len(pushes) != 2 {
		t.Fatalf("driver's pushes %q, want the offer and the hand-back", pushes)
	}
}
