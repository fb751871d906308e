package adapters_test

import (
	"context"
	"testing"

	"github.com/dizhtime/dizhtime/events/contracts"
	"github.com/dizhtime/dizhtime/subgraphs/wallet/app"
	"github.com/dizhtime/dizhtime/subgraphs/wallet/domain"
)

func TestRefundOrder_partialThenFull_neverMoreThanPaid_pointsInProportion_andPublishesEachRefundOnce(t *testing.T) {
	a, _, pool := newWallet(t, 4)
	ctx := context.Background()
	topUp(t, a, "u1", 100_000, "UZS", "pi-1")
	grantPoints(t, a, "u1", 1_000, "grant-1")
	// 20000: 1000 points pay 1000, the wallet 19000.
	if _, err := a.PayOrder(ctx, payWithPoints("o1", "u1", 20_000, 1_000)); err != nil {
		t.Fatal(err)
	}
	half := domain.MustMoney(10_000, "UZS")
	r, v, err := a.RefundOrder(ctx, "admin-1", "o1", &half, "cold food", "refund-1")
	if err != nil || r.Replayed {
		t.Fatalf("partial refund: %+v, %v", r, err)
	}
	if v.Refunded != 10_000 || len(v.Refunds) != 1 || v.RefundedPoints != 500 || v.RefundedCash != 9_500 {
		t.Errorf("after half: %+v; want 9500 money and 500 points back", v)
	}
	if again, _, err := a.RefundOrder(ctx, "admin-1", "o1", &half, "cold food", "refund-1"); err != nil || !again.Replayed || again.TxID != r.TxID {
		t.Errorf("the same refund again: %+v, %v; want the replay", again, err)
	}
	tooMuch := domain.MustMoney(10_001, "UZS")
	if _, _, err := a.RefundOrder(ctx, "admin-1", "o1", &tooMuch, "more", "refund-2"); !domain.IsInputError(err) {
		t.Errorf("refunding past what was paid: %v, want an input error", err)
	}
	if _, v, err = a.RefundOrder(ctx, "admin-1", "o1", nil, "the rest", "refund-3"); err != nil || v.Refundable() != 0 {
		t.Fatalf("refund of the rest: %+v, %v", v, err)
	}
	if b := balance(t, pool, "customer_wallet:u1:UZS"); b != 100_000 {
		t.Errorf("wallet = %d, want 100000", b)
	}
	if p := balance(t, pool, "loyalty_points:u1:PTS"); p != 1_000 {
		t.Errorf("points = %d, want 1000", p)
	}
	refunds := 0
	for _, e := range outboxEvents(t, pool) {
		if e.Type == contracts.TypePaymentRefunded {
			refunds++
		}
	}
	if refunds != 2 {
		t.Errorf("%d payment.refunded events, want 2 (one per refund, none for the replay)", refunds)
	}
	if _, _, err := a.RefundOrder(ctx, "admin-1", "never-paid", nil, "x", "refund-4"); err == nil {
		t.Error("refunding an order the wallet never charged succeeded")
	}
	checkInvariants(t, pool)
}

func TestRefundOrder_afterSettlementClawsBackFromTheRestaurantsPayable(t *testing.T) {
	a, repo, pool := newWallet(t, 4)
	ctx := context.Background()
	topUp(t, a, "u1", 100_000, "UZS", "pi-1")
	if _, err := a.PayOrder(ctx, pay("o1", "u1", 10_000)); err != nil {
		t.Fatal(err)
	}
	inConsumerTx(t, pool, repo, func(ctx context.Context, tx app.Tx) error {
		_, err := a.SettleIn(ctx, tx, "o1", "test")
		return err
	})
	payable := balance(t, pool, "restaurant_payable:r1:UZS")
	part := domain.MustMoney(2_000, "UZS")
	if _, v, err := a.RefundOrder(ctx, "admin-1", "o1", &part, "missing item", "refund-1"); err != nil || !v.Settled {
		t.Fatalf("refund after settlement: %+v, %v", v, err)
	}
	if got := balance(t, pool, "restaurant_payable:r1:UZS"); got != payable-2_000 {
		t.Errorf("restaurant payable %d -> %d, want clawed back by 2000", payable, got)
	}
	if b := balance(t, pool, "customer_wallet:u1:UZS"); b != 92_000 {
		t.Errorf("wallet = %d, want 92000", b)
	}
	checkInvariants(t, pool)
}
