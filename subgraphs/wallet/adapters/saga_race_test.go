package adapters_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/dizhtime/dizhtime/events/contracts"
	"github.com/dizhtime/dizhtime/subgraphs/wallet/app"
)

// The race of issue 15: order.status.changed and order.created travel on different
// topics, so the wallet may see an order end before it sees the order. Before the fix
// the ending found nothing to refund, then order.created charged the customer for a
// cancelled order and the money stayed in escrow for good.

func cancelled(order string) contracts.OrderStatusChangedV2 {
	return contracts.OrderStatusChangedV2{OrderID: order, CustomerID: "u1", From: contracts.OrderPlaced,
		To: contracts.OrderCancelled, Reason: "changed my mind", Actor: "user:u1"}
}

func TestSaga_anOrderCancelledBeforeTheWalletSawItIsNeverCharged(t *testing.T) {
	a, repo, pool := newWallet(t, 4)
	topUp(t, a, "u1", 10_000, "UZS", "pi-1")
	inConsumerTx(t, pool, repo, func(ctx context.Context, tx app.Tx) error {
		return a.OnOrderStatusChanged(ctx, tx, cancelled("o1"))
	})
	for range 2 { // order.created arrives late, and is redelivered
		inConsumerTx(t, pool, repo, func(ctx context.Context, tx app.Tx) error {
			return a.OnOrderCreated(ctx, tx, orderCreated("o1", "u1", 7_000))
		})
	}
	if b := balance(t, pool, "customer_wallet:u1:UZS"); b != 10_000 {
		t.Errorf("wallet = %d after a cancelled order's late order.created, want 10000 (never charged)", b)
	}
	if b := balance(t, pool, "order_escrow:o1:UZS"); b != 0 {
		t.Errorf("escrow of the cancelled order = %d, want 0", b)
	}
	for _, e := range outboxEvents(t, pool) {
		if e.Type == contracts.TypePaymentSucceeded {
			t.Errorf("published payment.success for an order that had ended: %s", e.Data)
		}
	}
	checkInvariants(t, pool)
}

func TestSaga_anOrderThatTimedOutBeforeItsChargeCommittedIsRefundedInFull(t *testing.T) {
	a, repo, pool := newWallet(t, 4)
	topUp(t, a, "u1", 10_000, "UZS", "pi-1")
	inConsumerTx(t, pool, repo, func(ctx context.Context, tx app.Tx) error {
		return a.OnOrderCreated(ctx, tx, orderCreated("o1", "u1", 7_000))
	})
	// The orders service gave up waiting (payment deadline) while the charge was in flight.
	inConsumerTx(t, pool, repo, func(ctx context.Context, tx app.Tx) error {
		return a.OnOrderStatusChanged(ctx, tx, contracts.OrderStatusChangedV2{OrderID: "o1", From: contracts.OrderPlaced,
			To: contracts.OrderPaymentFailed, Reason: "payment_timeout", Actor: "system:payment-deadline"})
	})
	if b := balance(t, pool, "customer_wallet:u1:UZS"); b != 10_000 {
		t.Errorf("wallet = %d after the order's payment deadline passed, want 10000 (refunded)", b)
	}
	if b := balance(t, pool, "order_escrow:o1:UZS"); b != 0 {
		t.Errorf("escrow of the timed-out order = %d, want 0", b)
	}
	checkInvariants(t, pool)
}

func TestSaga_aRefundRequestForALatePaymentRefundsOnce_evenAfterTheWalletRefundedTheEnding(t *testing.T) {
	a, repo, pool := newWallet(t, 4)
	topUp(t, a, "u1", 10_000, "UZS", "pi-1")
	inConsumerTx(t, pool, repo, func(ctx context.Context, tx app.Tx) error {
		return a.OnOrderCreated(ctx, tx, orderCreated("o1", "u1", 7_000))
	})
	var paymentID string
	for _, e := range outboxEvents(t, pool) {
		var p contracts.PaymentSucceededV1
		if e.Type == contracts.TypePaymentSucceeded && e.Decode(&p) == nil {
			paymentID = p.PaymentID
		}
	}
	if paymentID == "" {
		t.Fatal("no payment.success")
	}
	req := contracts.PaymentRefundRequestedV1{OrderID: "o1", PaymentID: paymentID, CustomerID: "u1",
		Amount: contracts.Money{AmountMinor: 7_000, Currency: "UZS"}, Reason: contracts.RefundLatePayment}
	for range 2 { // redelivered under another event id
		inConsumerTx(t, pool, repo, func(ctx context.Context, tx app.Tx) error { return a.OnPaymentRefundRequested(ctx, tx, req) })
	}
	inConsumerTx(t, pool, repo, func(ctx context.Context, tx app.Tx) error { return a.OnOrderStatusChanged(ctx, tx, cancelled("o1")) })
	if b := balance(t, pool, "customer_wallet:u1:UZS"); b != 10_000 {
		t.Errorf("wallet = %d, want 10000 (refunded exactly once)", b)
	}
	refunds := 0
	for _, e := range outboxEvents(t, pool) {
		if e.Type == contracts.TypePaymentRefunded {
			refunds++
		}
	}
	if refunds != 1 {
		t.Errorf("%d payment.refunded events, want 1", refunds)
	}
	checkInvariants(t, pool)
}

// Two consumers (order.created and order.status.changed) running the same order at the
// same moment: whichever commits first, the customer ends up whole.
func TestSaga_aChargeAndACancellationRunningConcurrentlyAlwaysLeaveTheCustomerWhole(t *testing.T) {
	a, repo, pool := newWallet(t, 8)
	const orders = 40
	topUp(t, a, "u1", orders*1_000, "UZS", "pi-1")
	var wg sync.WaitGroup
	for i := range orders {
		id := fmt.Sprintf("race-%d", i)
		wg.Add(2)
		go func() {
			defer wg.Done()
			inConsumerTx(t, pool, repo, func(ctx context.Context, tx app.Tx) error {
				return a.OnOrderCreated(ctx, tx, orderCreated(id, "u1", 1_000))
			})
		}()
		go func() {
			defer wg.Done()
			inConsumerTx(t, pool, repo, func(ctx context.Context, tx app.Tx) error { return a.OnOrderStatusChanged(ctx, tx, cancelled(id)) })
		}()
	}
	wg.Wait()
	if b := balance(t, pool, "customer_wallet:u1:UZS"); b != orders*1_000 {
		t.Errorf("wallet = %d after %d orders each cancelled, want %d", b, orders, orders*1_000)
	}
	var escrow int64
	if err := pool.QueryRow(context.Background(), `SELECT coalesce(sum(balance), 0) FROM accounts WHERE kind = 'order_escrow'`).Scan(&escrow); err != nil {
		t.Fatal(err)
	}
	if escrow != 0 {
		t.Errorf("escrow holds %d of cancelled orders, want 0", escrow)
	}
	checkInvariants(t, pool)
}
