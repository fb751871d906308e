package adapters_test

import (
	"context"
	"testing"
	"time"

	"github.com/dizhtime/dizhtime/subgraphs/orders/adapters"
	"github.com/dizhtime/dizhtime/subgraphs/orders/app"
	"github.com/dizhtime/dizhtime/subgraphs/orders/domain"
)

// The orders half of issue 15's race: a payment.success that reaches an order which can
// no longer be paid must not be ignored (the money would stay in escrow for good): it
// becomes exactly one payment.refund.requested, recorded in the order's timeline.

type noQuotes struct{}

func (noQuotes) Quote(context.Context, string, []app.QuoteLine) (app.Quote, error) {
	return app.Quote{}, nil
}

func newApp(t *testing.T, repo *adapters.OrdersRepository) *app.Application {
	t.Helper()
	a, err := app.New(repo, noQuotes{}, noRelations{}, app.NewHub(), app.Config{AcceptanceTimeout: time.Minute}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestSaga_aPaymentForAnOrderCancelledWhilePlacedRequestsOneRefund_recordedInTheTimeline(t *testing.T) {
	repo, pool := newRepo(t)
	a := newApp(t, repo)
	ctx := context.Background()
	o, _, err := repo.Create(ctx, newOrder(t, "c1", "k1"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := repo.Update(ctx, o.ID, func(o *domain.Order) error { return o.Cancel("customer:c1", "changed my mind", time.Now()) }); err != nil {
		t.Fatal(err)
	}
	for range 3 { // the late payment.success, redelivered under other event ids
		if err := a.OnPaymentSucceeded(ctx, repo, o.ID, "pay-1"); err != nil {
			t.Fatal(err)
		}
	}
	got, err := repo.Get(ctx, o.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != domain.StatusCancelled {
		t.Errorf("status = %s, want CANCELLED", got.Status)
	}
	requests := 0
	for _, tr := range got.Timeline {
		if tr.RefundOf == "pay-1" {
			requests++
		}
	}
	if requests != 1 {
		t.Errorf("timeline %+v has %d refund requests for pay-1, want 1", got.Timeline, requests)
	}
	evs := outboxEvents(t, pool, o.ID)
	n := 0
	for _, e := range evs {
		if e == "payment.refund.requested" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("outbox %v: %d payment.refund.requested, want 1", evs, n)
	}
}

func TestPaymentDeadline_failsAPlacedOrderWithPaymentTimeout_andALatePaymentIsRefunded(t *testing.T) {
	repo, pool := newRepo(t)
	a := newApp(t, repo)
	ctx := context.Background()
	overdue := newOrder(t, "c1", "overdue")
	past := time.Now().UTC().Add(-3 * time.Minute)
	overdue.PlacedAt, overdue.Timeline[0].At = past, past
	by := past.Add(app.DefaultPaymentTimeout)
	overdue.PayBy = &by
	waiting := newOrder(t, "c1", "waiting")
	soon := time.Now().UTC().Add(time.Hour)
	waiting.PayBy = &soon
	for _, o := range []*domain.Order{overdue, waiting} {
		if _, _, err := repo.Create(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	n, err := a.ExpirePayments(ctx, 10)
	if err != nil || n < 1 {
		t.Fatalf("ExpirePayments = %d, %v; want the overdue order failed", n, err)
	}
	got, _ := repo.Get(ctx, overdue.ID)
	if got.Status != domain.StatusPaymentFailed || got.LastTransition().Reason != domain.PaymentTimeout ||
		got.LastTransition().Actor != "system:payment-deadline" || got.PayBy != nil {
		t.Fatalf("overdue order: %s %+v pay_by %v", got.Status, got.LastTransition(), got.PayBy)
	}
	if got, _ := repo.Get(ctx, waiting.ID); got.Status != domain.StatusPlaced || got.PayBy == nil {
		t.Errorf("order within its deadline: %s, pay_by %v", got.Status, got.PayBy)
	}
	// The wallet's charge was in flight: its payment.success arrives after the deadline.
	if err := a.OnPaymentSucceeded(ctx, repo, overdue.ID, "pay-late"); err != nil {
		t.Fatal(err)
	}
	got, _ = repo.Get(ctx, overdue.ID)
	if last := got.LastTransition(); got.Status != domain.StatusPaymentFailed || last.RefundOf != "pay-late" {
		t.Errorf("after the late payment: %s, last entry %+v; want a refund request", got.Status, last)
	}
	evs := outboxEvents(t, pool, overdue.ID)
	if len(evs) != 3 || evs[1] != "order.status.changed" || evs[2] != "payment.refund.requested" {
		t.Errorf("outbox %v, want order.created, order.status.changed (payment_failed), payment.refund.requested", evs)
	}
}

func TestPaymentSucceeded_forAnOrderAlreadyPaidIsOldNews_noRefundRequested(t *testing.T) {
	repo, pool := newRepo(t)
	a := newApp(t, repo)
	ctx := context.Background()
	o, _, _ := repo.Create(ctx, newOrder(t, "c1", "k"))
	for range 2 {
		if err := a.OnPaymentSucceeded(ctx, repo, o.ID, "pay-1"); err != nil {
			t.Fatal(err)
		}
	}
	// Cancelled after payment: the wallet refunds it on order.status.changed; a repeated
	// payment.success must not ask for a second refund.
	if _, err := repo.Update(ctx, o.ID, func(o *domain.Order) error { return o.Cancel("customer:c1", "", time.Now()) }); err != nil {
		t.Fatal(err)
	}
	if err := a.OnPaymentSucceeded(ctx, repo, o.ID, "pay-1"); err != nil {
		t.Fatal(err)
	}
	evs := outboxEvents(t, pool, o.ID)
	if len(evs) != 3 || evs[2] != "order.status.changed" {
		t.Errorf("outbox %v, want order.created and two order.status.changed (paid, cancelled)", evs)
	}
}
