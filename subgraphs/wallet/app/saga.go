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

// Order statuses that end an order before delivery. The wallet records each ending
// durably (even with nothing to refund: the charge may not have arrived yet) and gives
// back whatever the order's payment still holds: the customer cancelled, the restaurant
// rejected it, the delivery failed, or the orders service gave up waiting for the
// payment (payment_failed, reason payment_timeout) while the charge was in flight.
// delivery_failed is only ever raised by dispatch giving up on an accepted order (no
// driver, the delivery abandoned), never by the customer, so, as DoorDash and Uber Eats
// do when a delivery fails through no fault of the customer's, the customer gets
// everything back: the money to the wallet and the redeemed points to the loyalty
// account. A payment_failed the wallet itself caused finds no payment and refunds
// nothing.
var endingStatuses = map[string]bool{contracts.OrderCancelled: true, contracts.OrderRejected: true,
	contracts.OrderDeliveryFailed: true, contracts.OrderPaymentFailed: true}

// OnOrderCreated is the saga's payment step: charge the order (spending the points the
// customer redeemed at checkout) and publish payment.success or payment.failed, in tx
// (the consumer's transaction, which also records the event id). v1 events arrive here
// as v2 without points.
//
// An order the wallet has already seen end (its order.status.changed overtook its
// order.created) is never charged: the step answers payment.failed (declined) and moves
// no money.
func (a *Application) OnOrderCreated(ctx context.Context, tx Tx, p contracts.OrderCreatedV2) error {
	total, err := domain.NewMoney(p.Total.AmountMinor, p.Total.Currency)
	if err != nil {
		return fmt.Errorf("order.created %s: %w", p.OrderID, err)
	}
	ending, ended, err := tx.LockOrder(ctx, p.OrderID)
	if err != nil {
		return err
	}
	if ended {
		return a.publish(ctx, tx, p.OrderID, contracts.PaymentFailedV1{OrderID: p.OrderID, CustomerID: p.CustomerID,
			Amount: p.Total, Code: contracts.PaymentDeclined, FailedAt: a.now().UTC(),
			Message: "the order ended (" + ending.Status + ") before it was charged"})
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

// OnOrdersCreated is OnOrderCreated for a batch of events handled in one transaction
// (the consumer's batch mode): the orders locked in one statement, their endings read in
// one, every charge posted in one wallet_post_batch call and every payment event added to
// the outbox at once, with the same outcomes OnOrderCreated gives each order one by one.
// An error leaves the whole batch to be rolled back (the consumer then runs the events
// one by one).
func (a *Application) OnOrdersCreated(ctx context.Context, tx Tx, orders []OrderCreated) error {
	ps := make([]contracts.OrderCreatedV2, len(orders))
	for i, o := range orders {
		ps[i] = o.OrderCreatedV2
	}
	ids := make([]string, len(ps))
	for i, p := range ps {
		ids[i] = p.OrderID
	}
	endings, err := tx.LockOrders(ctx, ids)
	if err != nil {
		return err
	}
	payloads := make([]events.Payload, len(ps))
	var (
		reqs []PostRequest
		at   []int // reqs[j] charges ps[at[j]]
	)
	for i, p := range ps {
		total, err := domain.NewMoney(p.Total.AmountMinor, p.Total.Currency)
		if err != nil {
			return fmt.Errorf("order.created %s: %w", p.OrderID, err)
		}
		if ending, ended := endings[p.OrderID]; ended {
			payloads[i] = contracts.PaymentFailedV1{OrderID: p.OrderID, CustomerID: p.CustomerID,
				Amount: p.Total, Code: contracts.PaymentDeclined, FailedAt: a.now().UTC(),
				Message: "the order ended (" + ending.Status + ") before it was charged"}
			continue
		}
		req, err := a.payRequest(orders[i].traced(ctx), PayOrderCommand{
			PayOrder: domain.PayOrder{OrderID: p.OrderID, CustomerID: p.CustomerID, Total: total,
				RedeemPoints: p.PointsRedeemed},
			RestaurantID: p.RestaurantID, IdempotencyKey: "pay:" + p.OrderID, Actor: "saga:order.created",
		})
		if err != nil {
			if !domain.IsInputError(err) {
				return err
			}
			payloads[i] = contracts.PaymentFailedV1{OrderID: p.OrderID, CustomerID: p.CustomerID, Amount: p.Total,
				Code: contracts.PaymentDeclined, Message: err.Error(), FailedAt: a.now().UTC()}
			continue
		}
		reqs, at = append(reqs, req), append(at, i)
	}
	if len(reqs) > 0 {
		res, errs, err := tx.PostBatch(ctx, reqs)
		if err != nil {
			return err
		}
		for j, i := range at {
			p := ps[i]
			switch {
			case errs[j] != nil:
				return fmt.Errorf("order.created %s: %w", p.OrderID, errs[j])
			case res[j].Status == StatusInsufficientFunds:
				payloads[i] = contracts.PaymentFailedV1{OrderID: p.OrderID, CustomerID: p.CustomerID, Amount: p.Total,
					Code: contracts.PaymentInsufficientFunds, Message: shortMessage(p.PointsRedeemed), FailedAt: a.now().UTC()}
			default:
				payloads[i] = contracts.PaymentSucceededV1{PaymentID: res[j].TxID, OrderID: p.OrderID, CustomerID: p.CustomerID,
					Amount: p.Total, Method: "wallet", PaidAt: a.now().UTC()}
			}
		}
	}
	evs := make([]events.Envelope, len(ps))
	for i, p := range ps {
		e, err := events.New(orders[i].traced(ctx), Source, p.OrderID, payloads[i])
		if err != nil {
			return err
		}
		evs[i] = e
	}
	return tx.Publish(ctx, evs...)
}

// OrderCreated is one order.created of a batch with the context carrying its event's
// trace: the audit rows and the payment event it causes continue that trace.
type OrderCreated struct {
	contracts.OrderCreatedV2
	Trace context.Context
}

func (o OrderCreated) traced(ctx context.Context) context.Context {
	if o.Trace != nil {
		return o.Trace
	}
	return ctx
}

func shortMessage(points int64) string {
	if points > 0 {
		return "wallet balance or loyalty points are too low"
	}
	return "wallet balance is too low"
}

// OnOrderStatusChanged records the endings of orders that end before delivery and
// refunds what their payment still holds (money as money, points as points), and
// settles delivered ones. payment.refunded's amount is the order value refunded, as
// payment.success's amount is the order's total. v1 events arrive here as v2 without
// customer, restaurant and actor.
func (a *Application) OnOrderStatusChanged(ctx context.Context, tx Tx, p contracts.OrderStatusChangedV2) error {
	switch {
	case endingStatuses[p.To]:
		reason := p.Reason
		if reason == "" {
			reason = "order " + p.To
		}
		if _, _, err := tx.LockOrder(ctx, p.OrderID); err != nil {
			return err
		}
		if err := tx.RecordOrderEnded(ctx, OrderEnding{OrderID: p.OrderID, Status: p.To, Reason: p.Reason}); err != nil {
			return err
		}
		return a.refundRest(ctx, tx, p.OrderID, "refund:"+p.OrderID+":"+p.To, reason, sagaActor(p))
	case p.To == contracts.OrderDelivered:
		_, err := a.SettleIn(ctx, tx, p.OrderID, sagaActor(p))
		if errors.Is(err, domain.ErrNotFound) || errors.Is(err, domain.ErrConflict) {
			return nil
		}
		return err
	}
	return nil
}

// OrderStatusChanged is one order.status.changed event of a batch, with its trace's
// context.
type OrderStatusChanged struct {
	contracts.OrderStatusChangedV2
	Trace context.Context
}

// OnOrdersStatusChanged is OnOrderStatusChanged for a batch of events in one transaction
// (the consumer's batch mode). The orders whose ending or delivery the batch handles are
// locked first, all at once in LockOrders' fixed order, as OnOrdersCreated locks its
// orders: handled one by one they were locked in arrival order, and a batch of each
// kind over the same orders could each hold a lock the other waited for (a deadlock,
// then the whole batch again message by message). Then each event runs as
// OnOrderStatusChanged would (its own locks are held already).
func (a *Application) OnOrdersStatusChanged(ctx context.Context, tx Tx, changes []OrderStatusChanged) error {
	var ids []string
	for _, c := range changes {
		if endingStatuses[c.To] || c.To == contracts.OrderDelivered {
			ids = append(ids, c.OrderID)
		}
	}
	if len(ids) > 0 {
		if _, err := tx.LockOrders(ctx, ids); err != nil {
			return err
		}
	}
	for _, c := range changes {
		ectx := ctx
		if c.Trace != nil {
			ectx = c.Trace
		}
		if err := a.OnOrderStatusChanged(ectx, tx, c.OrderStatusChangedV2); err != nil {
			return fmt.Errorf("order %s %s: %w", c.OrderID, c.To, err)
		}
	}
	return nil
}

// OnPaymentRefundRequested is the compensation the orders service asks for when a
// payment reached an order that could no longer be paid: give back what the payment
// still holds, once per payment (a refund the wallet already made when it saw the order
// end leaves nothing, and nothing more happens).
func (a *Application) OnPaymentRefundRequested(ctx context.Context, tx Tx, p contracts.PaymentRefundRequestedV1) error {
	if p.OrderID == "" || p.PaymentID == "" {
		return &domain.InputError{Field: "order_id", Reason: "order and payment ids are required"}
	}
	if _, _, err := tx.LockOrder(ctx, p.OrderID); err != nil {
		return err
	}
	reason := "refund requested by orders: " + p.Reason
	if p.Message != "" {
		reason += " (" + p.Message + ")"
	}
	return a.refundRest(ctx, tx, p.OrderID, "refund:"+p.OrderID+":requested:"+p.PaymentID, reason, "saga:payment.refund.requested")
}

// refundRest refunds everything the order's payment still holds under key and publishes
// payment.refunded; an order never paid, or paid back already, needs nothing.
func (a *Application) refundRest(ctx context.Context, tx Tx, orderID, key, reason, actor string) error {
	op, _, err := tx.OrderPayment(ctx, orderID)
	if errors.Is(err, domain.ErrNotFound) {
		return nil // never paid (the payment failed or has not arrived): nothing to give back
	}
	if err != nil {
		return err
	}
	if op.Refundable() == 0 {
		return nil
	}
	amount := domain.MustMoneyOf(op.Refundable(), op.Paid.Currency())
	r, err := a.RefundIn(ctx, tx, RefundCommand{OrderID: orderID, Amount: &amount, Reason: reason,
		IdempotencyKey: key, Actor: actor})
	if err != nil || r.Replayed {
		return err
	}
	return a.publish(ctx, tx, orderID, contracts.PaymentRefundedV1{RefundID: r.TxID, PaymentID: op.PaymentTxID,
		OrderID: orderID, CustomerID: op.CustomerID,
		Amount: contracts.Money{AmountMinor: amount.Minor(), Currency: string(amount.Currency())},
		Reason: reason, RefundedAt: a.now().UTC()})
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
