package service_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/dizhtime/dizhtime/events/contracts"
)

// Issue 15, orders side, through the router and real Kafka: a PLACED order the wallet
// does not answer fails at its payment deadline, a payment that arrives afterwards (or
// after the customer cancelled) is not ignored but answered with exactly one
// payment.refund.requested, recorded in the order's timeline; and a key reused for
// another cart is a CONFLICT.
func TestThroughTheRouter_latePaymentsAreRefundedAndUnpaidOrdersFailAtTheirPaymentDeadline(t *testing.T) {
	e := newEnv(t)
	e.cfg.PaymentTimeout = time.Second
	in := e.start(t)
	r := withRouter(t, e, in)
	e.waitForConsumers(t)
	refundRequests := func(orderID string) int {
		var n int
		if err := e.pool.QueryRow(context.Background(), `SELECT count(*) FROM outbox WHERE subject = $1 AND topic = $2`,
			orderID, contracts.TypePaymentRefundRequested).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	waitRefundRequest := func(t *testing.T, who map[string][]string, id, status string) {
		t.Helper()
		deadline := time.Now().Add(60 * time.Second)
		for {
			got := waitStatus(t, r, who, id, status)
			last := got.Timeline[len(got.Timeline)-1]
			if last.To == status && last.Actor == "wallet" && last.Reason != nil && strings.Contains(*last.Reason, "refund requested") {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("no refund request in the timeline of %s: %+v", id, got.Timeline)
			}
			time.Sleep(200 * time.Millisecond)
		}
		if n := refundRequests(id); n != 1 {
			t.Errorf("%d payment.refund.requested for %s, want 1", n, id)
		}
	}

	t.Run("an unpaid order fails with payment_timeout and its late payment is refunded", func(t *testing.T) {
		cust := customer()
		who := e.tokens.headers(cust)
		o := field(t, r.Do(t, placeMutation, map[string]any{"in": placeInput(e.restaurant), "key": "slow-wallet"}, who), "placeOrder")
		got := waitStatus(t, r, who, o.ID, "PAYMENT_FAILED")
		last := got.Timeline[len(got.Timeline)-1]
		if last.Reason == nil || *last.Reason != "payment_timeout" || last.Actor != "system:payment-deadline" {
			t.Fatalf("last transition %+v", last)
		}
		for range 2 { // the late payment, delivered twice (two event ids)
			e.publish(t, o.ID, contracts.PaymentSucceededV1{PaymentID: "pay-" + o.ID, OrderID: o.ID})
		}
		waitRefundRequest(t, who, o.ID, "PAYMENT_FAILED")
	})
	t.Run("a payment for an order cancelled while placed is refunded", func(t *testing.T) {
		cust := customer()
		who := e.tokens.headers(cust)
		o := field(t, r.Do(t, placeMutation, map[string]any{"in": placeInput(e.restaurant), "key": "cancel-first"}, who), "placeOrder")
		ended := "CANCELLED"
		if resp := r.Do(t, `mutation($id: ID!) { cancelOrder(id: $id, reason: "changed my mind") { id } }`, map[string]any{"id": o.ID}, who); len(resp.Errors) > 0 {
			// On a loaded machine the one-second payment deadline may win the race to end
			// the order; the late payment must be refunded all the same.
			wantCode(t, resp, "CONFLICT")
			ended = "PAYMENT_FAILED"
		}
		e.publish(t, o.ID, contracts.PaymentSucceededV1{PaymentID: "pay-" + o.ID, OrderID: o.ID})
		waitRefundRequest(t, who, o.ID, ended)
	})
	t.Run("a key reused for another cart is a conflict", func(t *testing.T) {
		who := e.tokens.headers(customer())
		field(t, r.Do(t, placeMutation, map[string]any{"in": placeInput(e.restaurant), "key": "one-key"}, who), "placeOrder")
		other := placeInput(e.restaurant)
		other["deliveryAddress"] = map[string]any{"line1": "Navoi 5", "city": "Tashkent"}
		wantCode(t, r.Do(t, placeMutation, map[string]any{"in": other, "key": "one-key"}, who), "CONFLICT")
	})
}
