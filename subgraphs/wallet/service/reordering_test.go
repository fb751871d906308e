package service_test

import (
	"context"
	"crypto/rand"
	"strings"
	"testing"
	"time"

	"github.com/dizhtime/dizhtime/events"
	"github.com/dizhtime/dizhtime/events/contracts"
	"github.com/dizhtime/dizhtime/events/kafka"
	"github.com/dizhtime/dizhtime/platform/endpoints"
	"github.com/dizhtime/dizhtime/platform/postgres"
	"github.com/dizhtime/dizhtime/subgraphs/wallet/internal/testdb"
)

// Issue 15's race through real Kafka: the cancellation (order.status.changed) is consumed
// before the order (order.created, another topic). The wallet must not charge it; and a
// refund request from the orders service gives a late payment back once.
func TestWalletServe_anOrderCancelledOnOneTopicBeforeItsCreationOnAnotherIsNeverCharged(t *testing.T) {
	base, schema := startServeIn(t)
	do := direct(t, base+"/query")
	customer := newUserID()
	topUp(t, do, as(customer), 50_000, "c-topup")
	eventually(t, "the top-up", func() bool { return readWallet(t, do, customer, as(customer), nil).balance("UZS") == "50000" })

	ctx := context.Background()
	pool, err := postgres.Open(ctx, testdb.URL(schema), postgres.WithMaxConns(2))
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	producer := kafka.NewProducer(endpoints.Kafka())
	defer producer.Close()
	run := strings.ToLower(rand.Text()[:8])
	order := "order-c-" + run
	total := contracts.Money{AmountMinor: 20_000, Currency: "UZS"}

	cancelled, err := events.New(ctx, "orders", order, contracts.OrderStatusChangedV2{OrderID: order, CustomerID: customer,
		From: contracts.OrderPlaced, To: contracts.OrderCancelled, Actor: "user:" + customer, Reason: "changed my mind", ChangedAt: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	msg, err := cancelled.Message()
	if err != nil {
		t.Fatal(err)
	}
	// The wallet's new consumer groups start at the topics' ends and may join after a first
	// publish: the same event (same id) is published again until it is recorded — the
	// wallet dedupes by event id, so a copy it already saw changes nothing.
	lastPublished := time.Time{}
	eventually(t, "the wallet to record the cancellation", func() bool {
		if time.Since(lastPublished) > time.Second {
			if err := producer.Publish(ctx, msg); err != nil {
				t.Fatal(err)
			}
			lastPublished = time.Now()
		}
		var n int
		_ = pool.QueryRow(ctx, `SELECT count(*) FROM order_endings WHERE order_id = $1`, order).Scan(&n)
		return n == 1
	})

	created, err := events.New(ctx, "orders", order, contracts.OrderCreatedV2{OrderID: order, CustomerID: customer,
		RestaurantID: "r-" + run, Subtotal: total, Total: total, PlacedAt: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	failed := awaitEvent(t, producer, created, contracts.TypePaymentFailed)
	var pf contracts.PaymentFailedV1
	if err := failed.Decode(&pf); err != nil || pf.Code != contracts.PaymentDeclined {
		t.Fatalf("payment.failed: %+v, %v; want declined", pf, err)
	}
	if b := readWallet(t, do, customer, as(customer), nil).balance("UZS"); b != "50000" {
		t.Errorf("wallet = %s after a cancelled order's late order.created, want 50000", b)
	}
	readCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := kafka.ReadToEnd(readCtx, endpoints.Kafka(), contracts.TypePaymentSucceeded, func(m kafka.Message) error {
		if e, err := events.FromMessage(m); err == nil && e.Subject == order {
			t.Errorf("payment.success published for the cancelled order %s", order)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}

	// A payment the orders service could not keep: the refund request gives it back.
	paidOrder := "order-d-" + run
	createdD, err := events.New(ctx, "orders", paidOrder, contracts.OrderCreatedV2{OrderID: paidOrder, CustomerID: customer,
		RestaurantID: "r-" + run, Subtotal: total, Total: total, PlacedAt: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	var success contracts.PaymentSucceededV1
	if err := awaitEvent(t, producer, createdD, contracts.TypePaymentSucceeded).Decode(&success); err != nil {
		t.Fatal(err)
	}
	request, err := events.New(ctx, "orders", paidOrder, contracts.PaymentRefundRequestedV1{OrderID: paidOrder,
		PaymentID: success.PaymentID, CustomerID: customer, Amount: total, Reason: contracts.RefundLatePayment, RequestedAt: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	var refund contracts.PaymentRefundedV1
	if err := awaitEvent(t, producer, request, contracts.TypePaymentRefunded).Decode(&refund); err != nil || refund.Amount != total {
		t.Fatalf("payment.refunded: %+v, %v", refund, err)
	}
	if b := readWallet(t, do, customer, as(customer), nil).balance("UZS"); b != "50000" {
		t.Errorf("wallet = %s after the refund request, want 50000", b)
	}
}
