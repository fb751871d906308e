package app

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/dizhtime/dizhtime/events/contracts"
	"github.com/dizhtime/dizhtime/subgraphs/orders/domain"
)

// The saga's reactions to other services' events. Each runs with repo bound to the
// consumer's transaction (which also records the event id), so applying an event, its
// order.status.changed and the dedupe record commit together.
//
// Ordering model: see the package doc. No reaction assumes that events about one order
// arrive in order across topics; each checks the order's recorded status.
//
// An event the order's status no longer allows (a repeated payment result, a delivery
// update for a cancelled order) is ignored with a log line: retrying cannot make it
// legal, and the order's own events tell the other services what happened. Money is the
// exception: a payment that reaches an order which can no longer be paid is never just
// ignored (see OnPaymentSucceeded).

// OnPaymentSucceeded moves a PLACED order to PAID and starts the acceptance deadline. A
// payment for an order that ended unpaid (cancelled while PLACED, payment deadline
// passed) is compensated: the order records a refund request for paymentID in its
// timeline and publishes payment.refund.requested, once per payment, in the same
// transaction.
func (a *Application) OnPaymentSucceeded(ctx context.Context, repo Repository, orderID, paymentID string) error {
	return a.react(ctx, repo, "payment.success", orderID, func(o *domain.Order) error {
		refund, err := o.PaymentReceived(paymentID, a.now(), a.cfg.AcceptanceTimeout)
		if refund {
			a.log.WarnContext(ctx, "payment for an order that can no longer be paid: refund requested",
				"order_id", orderID, "payment_id", paymentID, "status", o.Status)
		}
		return err
	})
}

// OnPaymentFailed moves a PLACED order to PAYMENT_FAILED.
func (a *Application) OnPaymentFailed(ctx context.Context, repo Repository, orderID, code string) error {
	return a.react(ctx, repo, "payment.failed", orderID, func(o *domain.Order) error {
		return o.MarkPaymentFailed(code, a.now())
	})
}

// OnDispatchAssigned records the order's driver.
func (a *Application) OnDispatchAssigned(ctx context.Context, repo Repository, orderID, driverID string) error {
	return a.react(ctx, repo, "dispatch.assigned", orderID, func(o *domain.Order) error {
		return o.AssignDriver(driverID)
	})
}

// OnDeliveryStatusChanged follows the delivery: picked up, delivered, or cancelled by
// dispatch (the order's delivery failed). to is a delivery status of
// delivery.status.changed v1 (DoorDash Drive's states); driverID is the delivery's
// courier ("" if the event does not say).
//
// A pickup moves the order on from whichever kitchen status it is in (the handover is the
// fact; see domain.transitions), a delivery that overtook its pickup implies it, and a
// repeated or late pickup or delivery changes nothing: no order of these events leaves
// the order short of DELIVERED.
func (a *Application) OnDeliveryStatusChanged(ctx context.Context, repo Repository, orderID, to, driverID, reason string) error {
	var change func(o *domain.Order) error
	// The contract spells delivery statuses in lower case (contracts.Delivery*); dispatch
	// published them in upper case ("PICKED_UP") before it moved to the contract types.
	// Accept both while old events may still be on the topic and old dispatch replicas
	// may still run; drop the ToLower when dispatch's switch has been out a retention
	// period.
	switch strings.ToLower(to) {
	case contracts.DeliveryPickedUp:
		change = func(o *domain.Order) error { return o.MarkPickedUp(driverID, a.now()) }
	case contracts.DeliveryDelivered:
		change = func(o *domain.Order) error { return o.MarkDelivered(driverID, a.now()) }
	case contracts.DeliveryCancelled:
		if reason == "" {
			reason = "delivery cancelled"
		}
		change = func(o *domain.Order) error { return o.FailDelivery(reason, a.now()) }
	default:
		return nil // intermediate delivery steps (and unknown future ones) do not move the order
	}
	return a.react(ctx, repo, contracts.TypeDeliveryStatusChanged, orderID, change)
}

// OnDispatchEscalated fails the delivery of an order no driver took.
func (a *Application) OnDispatchEscalated(ctx context.Context, repo Repository, orderID, reason string) error {
	if reason == "" {
		reason = "no driver"
	}
	return a.react(ctx, repo, "dispatch.escalated", orderID, func(o *domain.Order) error {
		return o.FailDelivery(reason, a.now())
	})
}

func (a *Application) react(ctx context.Context, repo Repository, event, orderID string, change func(o *domain.Order) error) error {
	if repo == nil {
		repo = a.repo
	}
	_, err := repo.Update(ctx, orderID, change)
	switch {
	case errors.Is(err, domain.ErrNotFound):
		// Topics are shared: an event about an order another orders deployment owns.
		a.log.DebugContext(ctx, "event about an unknown order ignored", "event", event, "order_id", orderID)
		return nil
	case domain.IsIllegalTransition(err):
		a.log.WarnContext(ctx, "event ignored: the order's status does not allow it", "event", event,
			"order_id", orderID, "error", err)
		return nil
	}
	return err
}

// ExpireAcceptances rejects, with reason "timeout", paid orders their restaurant did not
// accept in time; it returns how many it rejected. Any number of processes may run it.
func (a *Application) ExpireAcceptances(ctx context.Context, limit int) (int, error) {
	now := a.now()
	return a.repo.UpdateAcceptanceDue(ctx, now, limit, func(o *domain.Order) error { return o.ExpireAcceptance(now) })
}

// ExpirePayments fails, with reason payment_timeout, PLACED orders the wallet did not
// answer in time; it returns how many it failed. Any number of processes may run it. A
// payment that arrives afterwards is refunded (OnPaymentSucceeded; the wallet also
// refunds a charge it made for an order whose payment failed).
func (a *Application) ExpirePayments(ctx context.Context, limit int) (int, error) {
	now := a.now()
	return a.repo.UpdatePaymentDue(ctx, now, limit, func(o *domain.Order) error { return o.ExpirePayment(now) })
}

// RunAcceptanceDeadlines calls ExpirePayments and ExpireAcceptances every interval until
// ctx ends. The deadlines live in the database, so a restarted process picks up where
// one stopped.
func (a *Application) RunAcceptanceDeadlines(ctx context.Context, interval time.Duration) error {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		for _, round := range []struct {
			name   string
			expire func(context.Context, int) (int, error)
		}{{"payment", a.ExpirePayments}, {"acceptance", a.ExpireAcceptances}} {
			for {
				n, err := round.expire(ctx, 50)
				if err != nil && ctx.Err() == nil {
					a.log.WarnContext(ctx, round.name+" deadlines round failed", "error", err)
				}
				if n < 50 || err != nil {
					break
				}
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}
