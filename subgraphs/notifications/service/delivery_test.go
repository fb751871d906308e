package service_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/dizhtime/dizhtime/events"
	"github.com/dizhtime/dizhtime/events/contracts"
	"github.com/dizhtime/dizhtime/platform/routertest"
	"github.com/dizhtime/dizhtime/subgraphs/notifications/app"
	"github.com/dizhtime/dizhtime/subgraphs/notifications/domain"
	"github.com/dizhtime/dizhtime/subgraphs/notifications/service"
)

type deliveryJSON struct {
	Channel, Status, Provider, ProviderAnswer, Reason, IdempotencyKey string
	Attempts                                                          int
}

// deliveries reads a user's messages as an admin would, through the router.
func deliveries(t *testing.T, e *env, r *routertest.Router, userID string, extra string) []deliveryJSON {
	t.Helper()
	resp := r.Do(t, `query($u: ID!) { notificationDeliveries(userId: $u, first: 100`+extra+`) { edges { node {
		channel status provider providerAnswer reason idempotencyKey attempts } } } }`,
		map[string]any{"u": userID}, routertest.Bearer(e.tokens.Token(t, "admin-1", "ADMIN")))
	wantNoErrors(t, resp)
	var d struct {
		NotificationDeliveries struct{ Edges []struct{ Node deliveryJSON } }
	}
	if err := resp.Decode(&d); err != nil {
		t.Fatal(err)
	}
	out := make([]deliveryJSON, 0, len(d.NotificationDeliveries.Edges))
	for _, x := range d.NotificationDeliveries.Edges {
		out = append(out, x.Node)
	}
	return out
}

func countStatus(ds []deliveryJSON, channel, status string) int {
	n := 0
	for _, d := range ds {
		if d.Channel == channel && d.Status == status {
			n++
		}
	}
	return n
}

func smsTo(s *sandbox, phone string) int {
	n := 0
	for _, m := range s.Sent() {
		if m.To == phone {
			n++
		}
	}
	return n
}

func securityAlert(userID, what string) contracts.NotificationRequestedV1 {
	return contracts.NotificationRequestedV1{NotificationID: uuid.NewString(), RecipientID: userID, Channel: contracts.ChannelSMS,
		Template: "account.security_alert", Params: map[string]string{"What": what}}
}

func TestDelivery_isExactlyOnce_underRedeliveryACrashBetweenSendAndCommitAndTwoReplicas(t *testing.T) {
	e := newEnv(t)
	e.cfg.DispatchLease = 2 * time.Second
	// Replica A's dispatcher "crashes" after its first batch reached the providers and
	// before it recorded any outcome.
	var crashed atomic.Int32
	a := e.start(t, service.Options{Dispatcher: []app.DispatcherOption{app.WithAfterSend(func(d domain.Delivery) error {
		crashed.Add(1)
		return errors.New("killed between send and commit")
	})}})
	r := withRouter(t, e, a)
	e.waitForConsumers(t)
	u := e.newUser(t, r, "alice", "CUSTOMER")

	// Redelivery: the same event three times (a relay duplicate, a rebalance...).
	ev, err := events.New(context.Background(), "test", u.id, securityAlert(u.id, "New sign-in from Tashkent"))
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		e.publishEnvelope(t, ev)
	}
	eventually(t, "replica A sends and crashes", 60*time.Second, func() (bool, string) {
		return crashed.Load() >= 2, fmt.Sprint(crashed.Load())
	})
	if n := smsTo(e.sms, u.phone); n != 1 {
		t.Fatalf("the provider has %d SMS after the crash, want 1", n)
	}
	ds := deliveries(t, e, r, u.id, "")
	if countStatus(ds, "SMS", "SENDING") != 1 || countStatus(ds, "EMAIL", "SENDING") != 1 || len(ds) != 2 {
		t.Fatalf("after the crash: %+v", ds)
	}

	// Replica B takes over once A's lease ran out and sends again with the same keys: the
	// SMS provider and Mailpit (by Message-ID) drop the repeats.
	b := e.start(t, noOptions)
	_ = b
	eventually(t, "replica B records both messages sent", 60*time.Second, func() (bool, string) {
		ds := deliveries(t, e, r, u.id, "")
		return countStatus(ds, "SMS", "SENT") == 1 && countStatus(ds, "EMAIL", "SENT") == 1, fmt.Sprintf("%+v", ds)
	})
	for _, d := range deliveries(t, e, r, u.id, "") {
		if d.Attempts != 2 || !strings.HasPrefix(d.IdempotencyKey, ev.ID+":"+u.id+":") {
			t.Fatalf("delivery %+v: want 2 attempts and the event's key", d)
		}
	}
	if n, calls := smsTo(e.sms, u.phone), e.sms.Calls(); n != 1 || calls < 2 {
		t.Fatalf("SMS recorded %d (want 1) of %d calls (want 2: the crashed one and the resend)", n, calls)
	}
	eventually(t, "exactly one email in Mailpit", 20*time.Second, func() (bool, string) {
		m := mailTo(t, u.email)
		return len(m) == 1, strings.Join(subjects(m), " | ")
	})

	// Two replicas (A's consumers and B) racing over 20 new events: each message once.
	smsCalls := e.sms.Calls()
	for i := range 20 {
		e.publish(t, u.id, securityAlert(u.id, fmt.Sprintf("Sign-in %d", i)))
	}
	eventually(t, "20 more SMS", 60*time.Second, func() (bool, string) {
		return smsTo(e.sms, u.phone) == 21, fmt.Sprint(smsTo(e.sms, u.phone))
	})
	eventually(t, "21 emails", 60*time.Second, func() (bool, string) {
		return len(mailTo(t, u.email)) == 21, fmt.Sprint(len(mailTo(t, u.email)))
	})
	time.Sleep(time.Second) // anything sent twice would show by now
	if calls := e.sms.Calls() - smsCalls; calls != 20 {
		t.Fatalf("the SMS provider got %d calls for 20 messages: a message was sent twice", calls)
	}
	if n := len(mailTo(t, u.email)); n != 21 {
		t.Fatalf("%d emails, want 21", n)
	}
}

func TestDelivery_failsOverToTheFallbackProvider_andDeadLettersWhenBothFail(t *testing.T) {
	e := newEnv(t)
	in := e.start(t, noOptions)
	r := withRouter(t, e, in)
	e.waitForConsumers(t)
	u := e.newUser(t, r, "bob", "CUSTOMER")

	e.sms.SetFailing(true)
	e.publish(t, u.id, securityAlert(u.id, "Password changed"))
	eventually(t, "the fallback sends the SMS", 30*time.Second, func() (bool, string) {
		return smsTo(e.smsFallback, u.phone) == 1, ""
	})
	eventually(t, "the delivery names the fallback", 30*time.Second, func() (bool, string) {
		ds := deliveries(t, e, r, u.id, `, channel: SMS`)
		return len(ds) == 1 && ds[0].Status == "SENT" && ds[0].Provider == "twilio:"+e.smsFallback.URL && strings.HasPrefix(ds[0].ProviderAnswer, "SM"),
			fmt.Sprintf("%+v", ds)
	})
	if smsTo(e.sms, u.phone) != 0 {
		t.Fatal("the failing primary recorded a message")
	}

	e.smsFallback.SetFailing(true)
	e.publish(t, u.id, securityAlert(u.id, "Email changed"))
	eventually(t, "the SMS is a dead letter after 3 attempts", 60*time.Second, func() (bool, string) {
		ds := deliveries(t, e, r, u.id, `, status: [DEAD]`)
		return len(ds) == 1 && ds[0].Attempts == 3 && strings.Contains(ds[0].ProviderAnswer, "503"), fmt.Sprintf("%+v", ds)
	})
	if n := smsTo(e.smsFallback, u.phone); n != 1 {
		t.Fatalf("fallback recorded %d, want 1 (the first message only)", n)
	}
}

func TestPreferences_optOutsAndQuietHoursThroughTheRouter_transactionalMessagesIgnoreQuietHours(t *testing.T) {
	e := newEnv(t)
	in := e.start(t, noOptions)
	r := withRouter(t, e, in)
	e.waitForConsumers(t)
	u := e.newUser(t, r, "carol", "CUSTOMER")

	now := time.Now().UTC()
	quiet := fmt.Sprintf("%02d:%02d-%02d:%02d", now.Add(-time.Hour).Hour(), now.Minute(), now.Add(2*time.Hour).Hour(), now.Minute())
	set := `mutation($in: NotificationSettingsInput!) { updateNotificationSettings(input: $in) { quietHours timeZone locale optOuts { category channel } } }`
	resp := r.Do(t, set, map[string]any{"in": map[string]any{"quietHours": quiet, "timeZone": "UTC", "locale": "ru",
		"optOuts": []map[string]string{{"category": "PROMOTIONS", "channel": "EMAIL"}}}}, u.headers)
	wantNoErrors(t, resp)
	if !strings.Contains(string(resp.Data), `"optOuts":[{"category":"PROMOTIONS","channel":"EMAIL"}]`) || !strings.Contains(string(resp.Data), quiet) {
		t.Fatalf("settings %s", resp.Data)
	}
	for _, bad := range []map[string]any{{"quietHours": "25:00-07:00"}, {"locale": "xx"}, {"timeZone": "Mars/Olympus"},
		{"email": "not-an-address"}, {"phone": "12345"}, {"optOuts": []map[string]string{{"category": "ORDERS", "channel": "IN_APP"}}}} {
		if resp := r.Do(t, set, map[string]any{"in": bad}, u.headers); !resp.HasCode("BAD_USER_INPUT") {
			t.Fatalf("%v: %s %+v", bad, resp.Data, resp.Errors)
		}
	}

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	sub, err := routertest.Subscribe(ctx, r.WSURL, liveInbox, map[string]any{"since": 0}, map[string]any{"Authorization": "Bearer " + u.token})
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	// A promotion during quiet hours: email opted out, push held until they end.
	e.publish(t, u.id, contracts.NotificationRequestedV1{RecipientID: u.id, Template: "promo.offer",
		Params: map[string]string{"Headline": "Плов -20%", "Details": "Только сегодня"}})
	if ev := next(t, ctx, sub).MyNotifications; ev.Notification.Kind != "promo.offer" || ev.Notification.Category != "PROMOTIONS" {
		t.Fatalf("inbox %+v", ev)
	}
	// A security alert (transactional) during quiet hours goes out at once, in Russian.
	e.publish(t, u.id, securityAlert(u.id, "Новый вход"))
	if ev := next(t, ctx, sub).MyNotifications; ev.Notification.Title != "Предупреждение безопасности" {
		t.Fatalf("inbox %+v", ev)
	}
	eventually(t, "the alert's SMS and email go out", 30*time.Second, func() (bool, string) {
		ds := deliveries(t, e, r, u.id, "")
		return countStatus(ds, "SMS", "SENT") == 1 && countStatus(ds, "EMAIL", "SENT") == 1, fmt.Sprintf("%+v", ds)
	})
	ds := deliveries(t, e, r, u.id, "")
	var promoEmail, promoPush deliveryJSON
	for _, d := range ds {
		if d.Channel == "EMAIL" && d.Status == "SUPPRESSED" {
			promoEmail = d
		}
		if d.Channel == "PUSH" && d.Status == "QUEUED" {
			promoPush = d
		}
	}
	if promoEmail.Reason != "opted out of promotions on email" || promoPush.Reason != "held for quiet hours" || promoPush.Attempts != 0 {
		t.Fatalf("promotion deliveries %+v", ds)
	}
	if len(e.push.Sent()) != 0 {
		t.Fatalf("a push went out during quiet hours: %+v", e.push.Sent())
	}
	if m := mailTo(t, u.email); len(m) != 1 || m[0].Subject != "Предупреждение безопасности" {
		t.Fatalf("mail %+v", m)
	}
}

func TestDigest_aBurstOfNewOrdersIsOneSummaryPushPerStaffMember(t *testing.T) {
	e := newEnv(t)
	e.cfg.DigestWindow = 4 * time.Second
	in := e.start(t, noOptions)
	r := withRouter(t, e, in)
	e.waitForConsumers(t)
	// The staff's push tokens, set by themselves.
	for _, s := range e.staff {
		wantNoErrors(t, r.Do(t, `mutation($in: NotificationSettingsInput!) { updateNotificationSettings(input: $in) { pushToken } }`,
			map[string]any{"in": map[string]any{"pushToken": "push-" + s}}, routertest.Bearer(e.tokens.Token(t, s, "RESTAURANT_STAFF"))))
	}
	const orders = 8
	for range orders {
		id := uuid.NewString()
		e.publish(t, id, contracts.OrderCreatedV2{OrderID: id, CustomerID: "cust-" + id, RestaurantID: e.restaurant,
			Total: contracts.Money{AmountMinor: 100_00, Currency: "UZS"}})
	}
	for _, s := range e.staff {
		eventually(t, "every order is digested into a push for "+s, 60*time.Second, func() (bool, string) {
			ds := deliveries(t, e, r, s, `, channel: PUSH`)
			return countStatus(ds, "PUSH", "SENT")+countStatus(ds, "PUSH", "SUPPRESSED") == orders, fmt.Sprintf("%+v", ds)
		})
		var pushes []string
		total := 0
		for _, m := range e.push.Sent() {
			if m.To != "push-"+s {
				continue
			}
			pushes = append(pushes, m.Title)
			n := 1
			if _, err := fmt.Sscanf(m.Title, "%d new orders", &n); err != nil && !strings.HasPrefix(m.Title, "New order") {
				t.Fatalf("push %q", m.Title)
			}
			total += n
		}
		// One window normally; a burst straddling a window's end makes two.
		if len(pushes) == 0 || len(pushes) > 2 || total != orders {
			t.Fatalf("staff %s got pushes %q for %d orders", s, pushes, orders)
		}
		raw, _ := json.Marshal(pushes)
		t.Logf("staff %s: %s", s, raw)
	}
}
