package adapters_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/dizhtime/dizhtime/events/contracts"
	"github.com/dizhtime/dizhtime/subgraphs/wallet/adapters"
	"github.com/dizhtime/dizhtime/subgraphs/wallet/app"
	"github.com/dizhtime/dizhtime/subgraphs/wallet/domain"
	"github.com/dizhtime/dizhtime/subgraphs/wallet/internal/testdb"
)

func grantPoints(t testing.TB, a *app.Application, user string, points int64, key string) {
	t.Helper()
	if _, err := a.AdjustBalance(context.Background(), "admin-1", user, domain.MustMoney(points, "PTS"), "welcome bonus", key); err != nil {
		t.Fatalf("grant %d points to %s: %v", points, user, err)
	}
}

func payWithPoints(order, customer string, minor, points int64) app.PayOrderCommand {
	c := pay(order, customer, minor)
	c.RedeemPoints = points
	return c
}

func TestRefund_ofAnOrderPaidWithPointsGivesTheWalletPartBackAsMoneyAndThePointsAsPoints(t *testing.T) {
	a, repo, pool := newWallet(t, 4)
	ctx := context.Background()
	topUp(t, a, "u1", 10_000, "UZS", "pi-1")
	grantPoints(t, a, "u1", 500, "g-1")
	inConsumerTx(t, pool, repo, func(ctx context.Context, tx app.Tx) error {
		p := orderCreated("o1", "u1", 1_000)
		p.PointsRedeemed = 300
		return a.OnOrderCreated(ctx, tx, p)
	})
	if w, p := balance(t, pool, "customer_wallet:u1:UZS"), balance(t, pool, "loyalty_points:u1:PTS"); w != 9_300 || p != 200 {
		t.Fatalf("after paying 1000 with 300 points: wallet %d, points %d; want 9300 and 200", w, p)
	}
	// A tenth of the order back: a tenth of each currency.
	tenth := domain.MustMoney(100, "UZS")
	if _, err := a.Refund(ctx, app.RefundCommand{OrderID: "o1", Amount: &tenth, Reason: "missing drink", IdempotencyKey: "r-1", Actor: "support"}); err != nil {
		t.Fatal(err)
	}
	if w, p := balance(t, pool, "customer_wallet:u1:UZS"), balance(t, pool, "loyalty_points:u1:PTS"); w != 9_370 || p != 230 {
		t.Errorf("after refunding 100: wallet %d, points %d; want 9370 and 230", w, p)
	}
	// Then the customer cancels: the saga refunds the rest, and the customer is exactly
	// where they started in both currencies: no point turned into money.
	inConsumerTx(t, pool, repo, func(ctx context.Context, tx app.Tx) error {
		return a.OnOrderStatusChanged(ctx, tx, contracts.OrderStatusChangedV2{OrderID: "o1", From: "paid", To: contracts.OrderCancelled})
	})
	want := map[string]int64{
		"customer_wallet:u1:UZS": 10_000, "loyalty_points:u1:PTS": 500, "order_escrow:o1:UZS": 0,
		"loyalty_funding:platform:UZS": 0, "loyalty_pool:platform:PTS": -500,
	}
	for acct, w := range want {
		if b := balance(t, pool, acct); b != w {
			t.Errorf("%s = %d, want %d", acct, b, w)
		}
	}
	evs := outboxEvents(t, pool)
	var refunded contracts.PaymentRefundedV1
	if got := types(evs); len(got) != 2 || got[1] != contracts.TypePaymentRefunded {
		t.Fatalf("outbox = %v, want payment.success, payment.refunded", got)
	}
	if err := evs[1].Decode(&refunded); err != nil || refunded.Amount.AmountMinor != 900 {
		t.Errorf("refund event = %+v, %v; want the 900 of order value left", refunded, err)
	}
	// Nothing is left to refund in either currency.
	one := domain.MustMoney(1, "UZS")
	if _, err := a.Refund(ctx, app.RefundCommand{OrderID: "o1", Amount: &one, Reason: "again", IdempotencyKey: "r-2", Actor: "support"}); !domain.IsInputError(err) {
		t.Errorf("refunding a fully refunded order: %v, want an input error", err)
	}
	checkInvariants(t, pool)
}

func TestSaga_refundsAnOrderWhoseDeliveryFailedInMoneyAndPointsOnce(t *testing.T) {
	a, repo, pool := newWallet(t, 4)
	topUp(t, a, "u1", 10_000, "UZS", "pi-1")
	grantPoints(t, a, "u1", 400, "g-1")
	inConsumerTx(t, pool, repo, func(ctx context.Context, tx app.Tx) error {
		p := orderCreated("o1", "u1", 2_000)
		p.PointsRedeemed = 400
		return a.OnOrderCreated(ctx, tx, p)
	})
	for range 2 { // the same status change delivered twice (different event ids): one refund
		inConsumerTx(t, pool, repo, func(ctx context.Context, tx app.Tx) error {
			return a.OnOrderStatusChanged(ctx, tx, contracts.OrderStatusChangedV2{OrderID: "o1", CustomerID: "u1", RestaurantID: "r1",
				From: contracts.OrderPickedUp, To: contracts.OrderDeliveryFailed, Actor: "dispatch", Reason: "no driver could reach the customer"})
		})
	}
	if w, p, e := balance(t, pool, "customer_wallet:u1:UZS"), balance(t, pool, "loyalty_points:u1:PTS"), balance(t, pool, "order_escrow:o1:UZS"); w != 10_000 || p != 400 || e != 0 {
		t.Errorf("after the failed delivery: wallet %d, points %d, escrow %d; want 10000, 400, 0", w, p, e)
	}
	evs := outboxEvents(t, pool)
	if got := types(evs); len(got) != 2 || got[1] != contracts.TypePaymentRefunded {
		t.Fatalf("outbox = %v, want payment.success, payment.refunded", got)
	}
	var refunded contracts.PaymentRefundedV1
	if err := evs[1].Decode(&refunded); err != nil || refunded.Amount.AmountMinor != 2_000 || refunded.Reason != "no driver could reach the customer" {
		t.Errorf("refund event = %+v, %v", refunded, err)
	}
	checkInvariants(t, pool)
}

func TestPointsExpiry_pointsARefundGivesBackKeepTheirOriginalExpiry(t *testing.T) {
	_, pool := testdb.Schema(t, 4)
	repo := adapters.NewLedgerRepository(pool, nil)
	rules := domain.DefaultLoyalty
	rules.ExpireAfter = time.Second
	a, err := app.New(repo, nopGateway{}, app.Config{Loyalty: rules, Split: domain.Split{PlatformFeeBps: 1500, DriverBps: 1000}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	topUp(t, a, "u1", 10_000, "UZS", "pi-1")
	grantPoints(t, a, "u1", 500, "g-1")
	if _, err := a.PayOrder(ctx, payWithPoints("o1", "u1", 1_000, 300)); err != nil {
		t.Fatal(err)
	}
	time.Sleep(1100 * time.Millisecond) // the granted points pass their expiry
	if _, err := a.Refund(ctx, app.RefundCommand{OrderID: "o1", Reason: "restaurant rejected", IdempotencyKey: "r-1", Actor: "t"}); err != nil {
		t.Fatal(err)
	}
	if p := balance(t, pool, "loyalty_points:u1:PTS"); p != 500 {
		t.Fatalf("points after the refund = %d, want 500", p)
	}
	run, err := a.ExpireDuePoints(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if run.Points != 500 || balance(t, pool, "loyalty_points:u1:PTS") != 0 {
		t.Errorf("expiry run %+v left %d points; want all 500 expired (the refunded 300 are the granted ones, past their date)",
			run, balance(t, pool, "loyalty_points:u1:PTS"))
	}
	checkInvariants(t, pool)
}

// TestLedger_concurrentRefundsOfOrdersPaidWithPointsNeverReturnMoreOfEitherCurrencyThanWasPaid
// pays orders partly with points, then fires partial refunds, full refunds and saga
// cancellations at them from many goroutines at once, each retried under its key.
func TestLedger_concurrentRefundsOfOrdersPaidWithPointsNeverReturnMoreOfEitherCurrencyThanWasPaid(t *testing.T) {
	a, repo, pool := newWallet(t, 16)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	const users, orders = 4, 24
	for u := range users {
		topUp(t, a, fmt.Sprintf("u%d", u), 1_000_000, "UZS", fmt.Sprintf("pi-%d", u))
		grantPoints(t, a, fmt.Sprintf("u%d", u), 100_000, fmt.Sprintf("g-%d", u))
	}
	for o := range orders {
		total := int64(1_001 + 37*o)
		if _, err := a.PayOrder(ctx, payWithPoints(fmt.Sprintf("o%d", o), fmt.Sprintf("u%d", o%users), total, int64(1+o*11)%(total/2))); err != nil {
			t.Fatal(err)
		}
	}
	errs := make(chan error, orders*12)
	for o := range orders {
		order := fmt.Sprintf("o%d", o)
		for i := range 12 {
			go func() {
				var err error
				for range 2 { // a client retrying under the same key
					switch i % 4 {
					case 0, 1:
						amt := domain.MustMoney(int64(97+i*31), "UZS")
						_, err = a.Refund(ctx, app.RefundCommand{OrderID: order, Amount: &amt, Reason: "partial", IdempotencyKey: fmt.Sprintf("r-%s-%d", order, i), Actor: "t"})
					case 2:
						_, err = a.Refund(ctx, app.RefundCommand{OrderID: order, Reason: "all", IdempotencyKey: fmt.Sprintf("r-%s-%d", order, i), Actor: "t"})
					case 3:
						err = repo.InTx(ctx, func(ctx context.Context, tx app.Tx) error {
							return a.OnOrderStatusChanged(ctx, tx, contracts.OrderStatusChangedV2{OrderID: order, To: contracts.OrderCancelled})
						})
					}
					if domain.IsInputError(err) || errors.Is(err, domain.ErrConflict) {
						err = nil // over-refund or nothing left: refused, as it must be
					}
				}
				errs <- err
			}()
		}
	}
	for range orders * 12 {
		if err := <-errs; err != nil {
			t.Errorf("refund: %v", err)
		}
	}
	// Every order ends fully refunded (the cancellations refund what is left): each
	// customer has exactly their money and points back.
	for u := range users {
		if w, p := balance(t, pool, fmt.Sprintf("customer_wallet:u%d:UZS", u)), balance(t, pool, fmt.Sprintf("loyalty_points:u%d:PTS", u)); w != 1_000_000 || p != 100_000 {
			t.Errorf("u%d: wallet %d, points %d after every order was refunded; want 1000000 and 100000", u, w, p)
		}
	}
	checkInvariants(t, pool)
}
