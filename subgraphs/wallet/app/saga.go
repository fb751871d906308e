package app

import (
	"context"
	"errors"
	"fmt"

	"github.com/dizhtime/dizhtime/events"
	"github.com/dizhtime/dizhtime/events/contracts"
	"github.com/dizhtime/dizhtime/subgraphs/wallet/domain"
)

// Source is the wallet's name on the events it produces.
const Source = "wallet"

// Order statuses that end an order before delivery and give the money back: the customer
// cancelled, the restaurant rejected it, or the delivery failed. delivery_failed is only
// ever raised by dispatch giving up on an accepted order (no driver, the delivery
// abandoned), never by the customer, so, as DoorDash and Uber Eats do when a delivery
// fails through no fault of the customer's, the customer gets everything back: the money
// to the wallet and the redeemed points to the loyalty account. payment_failed needs
// nothing (nothing was paid).
var refundingStatuses = map[string]bool{contracts.OrderCancelled: true, contracts.OrderRejected: true,
	contracts.OrderDeliveryFailed: true}

// OnOrderCreated is the saga's payment step: charge the order (spending the points the
// customer redeemed at checkout) and publish payment.success or payment.failed, in tx
// (the consumer's transaction, which also records the event id). v1 events arrive here
// as v2 without points.
func (a *Application) OnOrderCreated(ctx context.Context, tx Tx, p contracts.OrderCreatedV2) error {
	total, err := domain.NewMoney(p.Total.AmountMinor, p.Total.Currency)
	if err != nil {
		return fmt.Errorf("order.created %s: %w", p.OrderID, err)
	}
	r, err := a.PayOrderIn(ctx, tx, PayOrderCommand{
		PayOrder: domain.PayOrder{OrderID: p.OrderID, CustomerID: p.CustomerID, Total: total,
			RedeemPoints: p.PointsRedeemed},
		RestaurantID: p.RestaurantID, IdempotencyKey: "pay:" + p.OrderID, Actor: "saga:order.created",
	})
	var payload events.Payload
	switch {
	case err != nil && domain.IsInputError(err):
		payload = contracts.PaymentFailedV1{OrderID: p.OrderID, CustomerID: p.CustomerID, Amount: p.Total,
			Code: contracts.PaymentDeclined, Message: err.Error(), FailedAt: a.now().UTC()}
	case err != nil:
		return err
	case r.Status == StatusInsufficientFunds:
		payload = contracts.PaymentFailedV1{OrderID: p.OrderID, CustomerID: p.CustomerID, Amount: p.Total,
			Code: contracts.PaymentInsufficientFunds, Message: shortMessage(p.PointsRedeemed), FailedAt: a.now().UTC()}
	default:
		payload = contracts.PaymentSucceededV1{PaymentID: r.TxID, OrderID: p.OrderID, CustomerID: p.CustomerID,
			Amount: p.Total, Method: "wallet", PaidAt: a.now().UTC()}
	}
	return a.publish(ctx, tx, p.OrderID, payload)
}

func shortMessage(points int64) string {
	if points > 0 {
		return "wallet balance or loyalty points are too low"
	}
	return "wallet balance is too low"
}

// OnOrderStatusChanged refunds cancelled, rejected and failed-delivery orders (money as
// money, points as points) and settles delivered ones. payment.refunded's amount is the
// order value refunded, as payment.success's amount is the order's total.
// v1 events arrive here as v2 without customer, restaurant and actor.
func (a *Application) OnOrderStatusChanged(ctx context.Context, tx Tx, p contracts.OrderStatusChangedV2) error {
	switch {
	case refundingStatuses[p.To]:
		reason := p.Reason
		if reason == "" {
			reason = "order " + p.To
		}
		op, _, err := tx.OrderPayment(ctx, p.OrderID)
		if errors.Is(err, domain.ErrNotFound) {
			return nil // never paid (the payment failed): nothing to give back
		}
		if err != nil {
			return err
		}
		if op.Refundable() == 0 {
			return nil
		}
		amount := domain.MustMoneyOf(op.Refundable(), op.Paid.Currency())
		r, err := a.RefundIn(ctx, tx, RefundCommand{OrderID: p.OrderID, Amount: &amount, Reason: reason,
			IdempotencyKey: "refund:" + p.OrderID + ":" + p.To, Actor: sagaActor(p)})
		if err != nil || r.Replayed {
			return err
		}
		return a.publish(ctx, tx, p.OrderID, contracts.PaymentRefundedV1{RefundID: r.TxID, PaymentID: op.PaymentTxID,
			OrderID: p.OrderID, CustomerID: op.CustomerID,
			Amount: contracts.Money{AmountMinor: amount.Minor(), Currency: string(amount.Currency())},
			Reason: reason, RefundedAt: a.now().UTC()})
	case p.To == contracts.OrderDelivered:
		_, err := a.SettleIn(ctx, tx, p.OrderID, sagaActor(p))
		if errors.Is(err, domain.ErrNotFound) || errors.Is(err, domain.ErrConflict) {
			return nil
		}
		return err
	}
	return nil
}

// sagaActor names who moved money in the audit log: the saga step, and the order's own
// actor when v2 says who changed the status.
func sagaActor(p contracts.OrderStatusChangedV2) string {
	if p.Actor != "" {
		return "saga:order." + p.To + " by " + p.Actor
	}
	return "saga:order." + p.To
}

// OnDispatchAssigned remembers who delivers an order, for settlement.
func (a *Application) OnDispatchAssigned(ctx context.Context, tx Tx, p contracts.DispatchAssignedV1) error {
	if p.OrderID == "" || p.DriverID == "" {
		return &domain.InputError{Field: "driver_id", Reason: "order and driver ids are required"}
	}
	return tx.SetDriver(ctx, p.OrderID, p.DriverID)
}

func (a *Application) publish(ctx context.Context, tx Tx, subject string, p events.Payload) error {
	e, err := events.New(ctx, Source, subject, p)
	if err != nil {
		return err
	}
	return tx.Publish(ctx, e)
}
