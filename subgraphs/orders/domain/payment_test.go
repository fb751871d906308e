package domain_test

import (
	"testing"
	"time"

	"github.com/dizhtime/dizhtime/subgraphs/orders/domain"
)

func TestPaymentReceived_paysAPlacedOrder_ignoresARepeat_andAsksOnceForARefundWhenTheOrderEndedUnpaid(t *testing.T) {
	cases := []struct {
		name       string
		before     func(o *domain.Order) error
		wantStatus domain.Status
		wantRefund bool
	}{
		{"placed", func(*domain.Order) error { return nil }, domain.StatusPaid, false},
		{"already paid", func(o *domain.Order) error { return o.MarkPaid(t0, time.Minute) }, domain.StatusPaid, false},
		{"paid then cancelled", func(o *domain.Order) error {
			if err := o.MarkPaid(t0, time.Minute); err != nil {
				return err
			}
			return o.Cancel("customer:c1", "", t0)
		}, domain.StatusCancelled, false},
		{"delivered", func(o *domain.Order) error {
			if err := o.MarkPaid(t0, time.Minute); err != nil {
				return err
			}
			if err := o.Accept("staff:s", t0); err != nil {
				return err
			}
			return o.MarkDelivered("d1", t0)
		}, domain.StatusDelivered, false},
		{"cancelled while placed", func(o *domain.Order) error { return o.Cancel("customer:c1", "", t0) }, domain.StatusCancelled, true},
		{"payment deadline passed", func(o *domain.Order) error { return o.ExpirePayment(t0.Add(time.Hour)) }, domain.StatusPaymentFailed, true},
		{"payment failed", func(o *domain.Order) error { return o.MarkPaymentFailed("insufficient_funds", t0) }, domain.StatusPaymentFailed, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o := placed(t)
			if err := c.before(o); err != nil {
				t.Fatal(err)
			}
			entries := len(o.Timeline)
			refund, err := o.PaymentReceived("pay-1", t0, time.Minute)
			if err != nil || refund != c.wantRefund || o.Status != c.wantStatus {
				t.Fatalf("PaymentReceived = %v, %v; status %s; want refund %v, status %s", refund, err, o.Status, c.wantRefund, c.wantStatus)
			}
			if c.wantRefund {
				last := o.LastTransition()
				if len(o.Timeline) != entries+1 || !last.IsRefundRequest() || last.RefundOf != "pay-1" || last.From != last.To {
					t.Fatalf("timeline %+v: want one refund request for pay-1", o.Timeline)
				}
			}
			again, err := o.PaymentReceived("pay-1", t0, time.Minute)
			if err != nil || again {
				t.Errorf("the same payment again: refund %v, %v; want nothing", again, err)
			}
		})
	}
}

func TestExpirePayment_failsOnlyAPlacedOrderPastItsDeadline(t *testing.T) {
	o, err := domain.NewOrder(domain.NewOrderParams{ID: "o", CustomerID: "c", RestaurantID: "r",
		Lines:           []domain.Line{{MenuItemID: "i", Quantity: 1, UnitPrice: eur(100), LineTotal: eur(100)}},
		DeliveryAddress: domain.Address{Line1: "x", City: "y"}, At: t0, PayWithin: 2 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	if o.PayBy == nil || !o.PayBy.Equal(t0.Add(2*time.Minute)) {
		t.Fatalf("PayBy = %v, want placing time + 2m", o.PayBy)
	}
	if err := o.ExpirePayment(t0.Add(time.Minute)); err == nil {
		t.Fatal("expired before the deadline")
	}
	if err := o.ExpirePayment(t0.Add(2 * time.Minute)); err != nil {
		t.Fatal(err)
	}
	if last := o.LastTransition(); o.Status != domain.StatusPaymentFailed || last.Reason != domain.PaymentTimeout || o.PayBy != nil {
		t.Errorf("status %s, last %+v, pay_by %v", o.Status, last, o.PayBy)
	}
	if err := o.ExpirePayment(t0.Add(time.Hour)); !domain.IsIllegalTransition(err) {
		t.Errorf("expiring a failed order again: %v, want an illegal transition", err)
	}
}
