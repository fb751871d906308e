package app

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/dizhtime/dizhtime/events"
	"github.com/dizhtime/dizhtime/events/contracts"
	"github.com/dizhtime/dizhtime/subgraphs/dispatch/domain"
)

// HandleEvent applies one consumed event through store (bound to the consumer's
// transaction, so the event's effects and its dedupe record commit together).
//
// order.status.changed to "accepted" is dispatch's trigger (the dispatch.requested of
// the saga): it creates the delivery in CREATED, which queues it for the dispatcher.
// An order that ends without reaching its customer (cancelled, rejected, payment_failed,
// delivery_failed) cancels its delivery, if any, and frees its driver. Other statuses
// need nothing.
//
// Order events are decoded into their v2 structs whatever the envelope's version: v2 only
// adds optional fields, so a v1 payload decodes into v2 with those fields empty.
func (a *Application) HandleEvent(ctx context.Context, store Store, e events.Envelope) error {
	switch e.Type {
	case contracts.TypeOrderCreated:
		var p contracts.OrderCreatedV2
		if err := e.Decode(&p); err != nil {
			return err
		}
		if err := store.SaveOrderRef(ctx, OrderRef{OrderID: p.OrderID, CustomerID: p.CustomerID, RestaurantID: p.RestaurantID,
			Dropoff: domain.Point{Lat: p.DeliveryAddress.Lat, Lng: p.DeliveryAddress.Lng}}); err != nil {
			return err
		}
		// The order may have been accepted already (its status change overtook this event).
		requested, err := store.TakeDeliveryRequest(ctx, p.OrderID)
		if err != nil || !requested {
			return err
		}
		return a.requestDelivery(ctx, store, p.OrderID)
	case contracts.TypeRestaurantUpdated:
		var p contracts.RestaurantUpdatedV1
		if err := e.Decode(&p); err != nil {
			return err
		}
		if err := store.SaveRestaurantLocation(ctx, p.RestaurantID, domain.Point{Lat: p.Lat, Lng: p.Lng}, p.UpdatedAt); err != nil {
			return err
		}
		// Orders of this restaurant accepted before dispatch knew where it is.
		waiting, err := store.TakeDeliveryRequestsOfRestaurant(ctx, p.RestaurantID)
		if err != nil {
			return err
		}
		for _, orderID := range waiting {
			if err := a.requestDelivery(ctx, store, orderID); err != nil {
				return err
			}
		}
		return nil
	case contracts.TypeOrderStatusChanged:
		var p contracts.OrderStatusChangedV2
		if err := e.Decode(&p); err != nil {
			return err
		}
		switch p.To {
		case contracts.OrderAccepted:
			return a.requestDelivery(ctx, store, p.OrderID)
		case contracts.OrderCancelled, contracts.OrderRejected, contracts.OrderPaymentFailed, contracts.OrderDeliveryFailed:
			err := a.cancelDelivery(ctx, store, p.OrderID, "order:"+p.OrderID)
			if errors.Is(err, domain.ErrIllegalTransition) {
				// The food is already with the courier: redelivering the event cannot
				// change that, so record it for operations instead of retrying forever.
				a.logger.WarnContext(ctx, "order ended after pickup; delivery left running", "order", p.OrderID, "status", p.To)
				return nil
			}
			return err
		}
	}
	return nil
}

// DeliveryIDFor is the delivery id of an order: one delivery per order, and a redelivered
// trigger finds the same one.
func DeliveryIDFor(orderID string) string { return "dlv-" + orderID }

func (a *Application) requestDelivery(ctx context.Context, store Store, orderID string) error {
	// order.created travels on another topic and may arrive minutes later (a lagging
	// partition, a rebalance): the request waits in the store and order.created creates
	// the delivery. Retrying instead would dead-letter the acceptance after a few seconds
	// and leave the order waiting for an operator. A restaurant dispatch has no location
	// for yet is the same race on a third topic (restaurant.updated of a new restaurant
	// still in flight, seen under load): the request waits and restaurant.updated creates
	// the delivery.
	ref, err := store.OrderRef(ctx, orderID)
	if errors.Is(err, ErrNotFound) {
		return store.SaveDeliveryRequest(ctx, orderID)
	}
	if err != nil {
		return fmt.Errorf("delivery for order %s: %w", orderID, err)
	}
	pickup, err := store.RestaurantLocation(ctx, ref.RestaurantID)
	if errors.Is(err, ErrNotFound) {
		a.logger.InfoContext(ctx, "delivery waits for its restaurant's location", "order", orderID, "restaurant", ref.RestaurantID)
		return store.SaveDeliveryRequest(ctx, orderID)
	}
	if err != nil {
		return fmt.Errorf("delivery for order %s: restaurant %s: %w", orderID, ref.RestaurantID, err)
	}
	d, err := domain.NewDelivery(DeliveryIDFor(orderID), orderID, ref.CustomerID, ref.RestaurantID, pickup, ref.Dropoff, a.now())
	if err != nil {
		return err
	}
	created, err := statusEvent(ctx, d)
	if err != nil {
		return err
	}
	_, err = store.CreateDelivery(ctx, d, created...)
	return err
}

func (a *Application) cancelDelivery(ctx context.Context, store Store, orderID, actor string) error {
	d, err := store.DeliveryByOrder(ctx, orderID)
	if errors.Is(err, ErrNotFound) {
		// Cancelled before it was accepted, or accepted before order.created arrived: a
		// waiting request must not create the delivery of an ended order later.
		// Trackers waiting for the delivery learn there will be none.
		_, err := store.TakeDeliveryRequest(ctx, orderID)
		if err == nil {
			a.announce(ctx, orderID, domain.DeliveryCancelled)
		}
		return err
	}
	if err != nil {
		return err
	}
	ended, err := store.UpdateDelivery(ctx, d.ID, func(d *domain.Delivery) ([]events.Envelope, error) {
		if d.Status.Terminal() {
			return nil, nil
		}
		if err := d.Cancel(a.now(), actor); err != nil {
			return nil, err
		}
		return statusEvent(ctx, d)
	})
	if err != nil {
		return err
	}
	a.announce(ctx, orderID, ended.Status)
	// Free whoever the order holds (idempotent: a retry finds nothing to free).
	holder, _, err := a.live.OrderHolder(ctx, orderID)
	if err != nil || holder == "" {
		return err
	}
	if err := a.live.Release(ctx, orderID, holder); err == nil || !errors.Is(err, domain.ErrNoOffer) {
		return err
	}
	if err := a.live.Finish(ctx, orderID, holder); err != nil && !errors.Is(err, domain.ErrNotYourDelivery) {
		return err
	}
	return nil
}

// RunDispatcher runs matching rounds every interval, and at once when a courier frees up
// in this process (courierFreed), until ctx ends.
func (a *Application) RunDispatcher(ctx context.Context, interval time.Duration, batch int) error {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if _, err := a.DispatchRound(ctx, batch); err != nil && ctx.Err() == nil {
			a.logger.ErrorContext(ctx, "dispatch round", "error", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		case <-a.wake:
		}
	}
}

// courierFreed is called once a courier is available for offers (online, delivered,
// handed an order back). Orders waiting out a retry backoff would otherwise not be
// tried until it passes, so the waiting orders the courier could be offered (pickup
// within matching reach) are made due now and the dispatcher is nudged: its next round
// claims them, oldest first, with any older order they pull forward. The nudge reaches
// this process only; other replicas' dispatchers see the orders due on their next tick.
// Failing here fails nothing: the bounded backoff still brings the orders round.
// Declines do not wake: the declining order's own round moves on to the next courier,
// and a wake would pull that order (the oldest) straight back to the courier who said no.
func (a *Application) courierFreed(ctx context.Context, driverID string, at domain.Point) {
	if !at.Valid() {
		live, err := a.live.Driver(ctx, driverID)
		if err != nil || live.Status != domain.DriverAvailable || !live.At.Valid() {
			if err != nil {
				a.logger.WarnContext(ctx, "courier freed: position unknown", "driver", driverID, "error", err)
			}
			return
		}
		at = live.At
	}
	n, err := a.store.WakeWaiting(ctx, domain.BBoxAround(at, domain.MatchReachMeters()), a.now())
	if err != nil {
		a.logger.WarnContext(ctx, "courier freed: wake waiting orders", "driver", driverID, "error", err)
		return
	}
	// Nudge even when nothing was woken: an order already due may be waiting for the tick.
	a.logger.DebugContext(ctx, "courier freed", "driver", driverID, "woken", n)
	select {
	case a.wake <- struct{}{}:
	default: // a round is already pending
	}
}

// DispatchRound claims up to batch deliveries for matching and matches them
// concurrently, oldest first: each order's match starts only once the order before it has
// made its first offer (or found nobody), so when drivers are scarce the order that has
// waited longest gets the first pick. It returns once every claimed delivery's round has
// ended.
func (a *Application) DispatchRound(ctx context.Context, batch int) (int, error) {
	claims, err := a.store.ClaimForMatching(ctx, a.now(), a.cfg.MatchLease, batch)
	if err != nil {
		return 0, err
	}
	var wg sync.WaitGroup
	for _, c := range claims {
		picked := make(chan struct{})
		var once sync.Once
		firstPick := func() { once.Do(func() { close(picked) }) }
		wg.Go(func() {
			defer firstPick()
			a.matchOne(ctx, c, firstPick)
		})
		select {
		case <-picked:
		case <-ctx.Done():
		}
	}
	wg.Wait()
	return len(claims), nil
}

func (a *Application) matchOne(ctx context.Context, c MatchClaim, firstPick func()) {
	d := c.Delivery
	log := a.logger.With("order", d.OrderID, "delivery", d.ID, "round", c.Rounds+1)
	start, offers := a.now(), 0
	asg, err := a.matcher.Match(ctx, MatchRequest{OrderID: d.OrderID, Pickup: d.Pickup, FirstPick: firstPick,
		Offered: func(ctx context.Context, driverID string, pickupIn time.Duration, expires time.Time) error {
			now := a.now()
			if offers++; offers == 1 {
				a.metrics.Offered(now.Sub(start))
			}
			e, err := events.New(ctx, Source, d.OrderID, contracts.DispatchOfferedV1{DeliveryID: d.ID, OrderID: d.OrderID,
				DriverID: driverID, RestaurantID: d.RestaurantID, PickupETA: now.Add(pickupIn).UTC(),
				ExpiresAt: expires.UTC(), OfferedAt: now.UTC()})
			if err != nil {
				return err
			}
			return a.store.Publish(ctx, e)
		}})
	switch {
	case err == nil:
		if _, err := a.confirm(ctx, d.OrderID, asg.DriverID, a.now()); err != nil {
			log.ErrorContext(ctx, "record assignment", "driver", asg.DriverID, "error", err)
		}
		return
	case errors.Is(err, domain.ErrOrderHasOffer):
		// Another round (an earlier dispatcher that lost its lease) holds the order. If
		// the live index says a driver accepted, record it; otherwise look again later.
		holder, state, herr := a.live.OrderHolder(ctx, d.OrderID)
		if herr == nil && state == "ASSIGNED" {
			if _, err := a.confirm(ctx, d.OrderID, holder, a.now()); err != nil {
				log.ErrorContext(ctx, "record assignment", "driver", holder, "error", err)
			}
			return
		}
		a.reschedule(ctx, c, c.Rounds, a.cfg.Match.OfferTimeout, false, "")
	case errors.Is(err, ErrNoDriver):
		// Escalate on time waited, not rounds: a waiting order also gets a round whenever
		// a younger one does, so its round count says little about how long it waited.
		rounds := c.Rounds + 1
		escalate := !c.WaitingSince.IsZero() && a.now().Sub(c.WaitingSince) >= a.cfg.MatchPatience
		a.reschedule(ctx, c, rounds, a.cfg.RetryAfter(rounds), escalate, err.Error())
	default:
		if ctx.Err() == nil {
			log.ErrorContext(ctx, "match", "error", err)
		}
		// End the lease now (even when shutting down) so the order is looked at again
		// soon rather than when the lease runs out; if this fails too, the lease is the
		// fallback.
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
		defer cancel()
		a.reschedule(rctx, c, c.Rounds, a.cfg.RoundBackoff, false, "")
	}
}

func (a *Application) reschedule(ctx context.Context, c MatchClaim, rounds int, after time.Duration, escalate bool, reason string) {
	var evs []events.Envelope
	now := a.now()
	if escalate {
		ev, err := events.New(ctx, Source, c.Delivery.OrderID, contracts.DispatchEscalatedV1{
			DeliveryID: c.Delivery.ID, OrderID: c.Delivery.OrderID, Rounds: rounds, Reason: reason, EscalatedAt: now,
		})
		if err == nil {
			evs = append(evs, ev)
		}
		a.logger.WarnContext(ctx, "dispatch escalated", "order", c.Delivery.OrderID, "rounds", rounds)
	}
	if err := a.store.RescheduleMatching(ctx, c.Delivery.ID, rounds, now.Add(after), escalate, evs...); err != nil {
		a.logger.ErrorContext(ctx, "reschedule matching", "order", c.Delivery.OrderID, "error", err)
	}
}
