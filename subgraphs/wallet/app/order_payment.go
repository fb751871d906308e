package app

import (
	"context"
	"time"

	"github.com/dizhtime/dizhtime/events/contracts"
	"github.com/dizhtime/dizhtime/subgraphs/wallet/domain"
)

// RefundEntry is one refund of an order.
type RefundEntry struct {
	TxID      string
	Amount    domain.Money
	Reason    string
	CreatedAt time.Time
}

// OrderPaymentView is an order's payment as the ledger records it, with its refunds.
type OrderPaymentView struct {
	domain.OrderPayment
	Refunds []RefundEntry
}

// OrderPayment reads an order's payment and refunds; domain.ErrNotFound when the wallet
// never charged the order.
func (a *Application) OrderPayment(ctx context.Context, orderID string) (v OrderPaymentView, err error) {
	err = a.store.InTx(ctx, func(ctx context.Context, tx Tx) error {
		if v.OrderPayment, _, err = tx.OrderPayment(ctx, orderID); err != nil {
			return err
		}
		v.Refunds, err = tx.OrderRefunds(ctx, orderID)
		return err
	})
	return v, err
}

// RefundOrder is an admin's refund of amount (nil: everything still refundable) of an
// order's payment: never more than was paid across all refunds, points back in
// proportion, out of escrow before settlement and clawed back from the restaurant's
// payable after it (domain.OrderPayment.Refund). It publishes payment.refunded with the
// refund, in the same transaction; a replay of the same key publishes nothing again.
func (a *Application) RefundOrder(ctx context.Context, adminID, orderID string, amount *domain.Money, reason, key string) (r PostResult, v OrderPaymentView, err error) {
	if err := checkKey(key); err != nil {
		return r, v, err
	}
	if reason == "" {
		return r, v, &domain.InputError{Field: "reason", Reason: "a refund needs a reason"}
	}
	err = a.store.InTx(ctx, func(ctx context.Context, tx Tx) error {
		if _, _, err := tx.LockOrder(ctx, orderID); err != nil {
			return err
		}
		r, err = a.RefundIn(ctx, tx, RefundCommand{OrderID: orderID, Amount: amount, Reason: reason,
			IdempotencyKey: key, Actor: "admin:" + adminID})
		if err != nil {
			return err
		}
		if v.OrderPayment, _, err = tx.OrderPayment(ctx, orderID); err != nil {
			return err
		}
		if v.Refunds, err = tx.OrderRefunds(ctx, orderID); err != nil {
			return err
		}
		if r.Replayed || r.Status != StatusOK {
			return nil
		}
		refunded := v.Refunds[len(v.Refunds)-1].Amount
		for _, e := range v.Refunds {
			if e.TxID == r.TxID {
				refunded = e.Amount
			}
		}
		return a.publish(ctx, tx, orderID, contracts.PaymentRefundedV1{RefundID: r.TxID, PaymentID: v.PaymentTxID,
			OrderID: orderID, CustomerID: v.CustomerID,
			Amount: contracts.Money{AmountMinor: refunded.Minor(), Currency: string(refunded.Currency())},
			Reason: reason, RefundedAt: a.now().UTC()})
	})
	if err == nil {
		err = outcomeErr(r)
	}
	return r, v, err
}
