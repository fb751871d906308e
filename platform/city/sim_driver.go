package city

import (
	"context"
	"sync"
	"time"

	"github.com/dizhtime/dizhtime/platform/routertest"
)

// driver is a courier's shift: wander while waiting, take offers, drive to the restaurant,
// wait at the counter for the food, drive to the customer, deliver.
func (s *Sim) driver(ctx context.Context, d *Session) {
	var wg sync.WaitGroup
	defer wg.Wait()
	offers := make(chan Offer, 4)
	listening := make(chan struct{})
	var once sync.Once
	wg.Go(func() {
		err := s.follow(ctx, d, "driverOffers", OffersSubscription, func() map[string]any { return nil },
			func() { once.Do(func() { close(listening) }) },
			func(r *routertest.Response) bool {
				var o struct{ DriverOffers Offer }
				if err := r.Decode(&o); err != nil {
					s.fail(ctx, "driverOffers decode", err)
					return false
				}
				select {
				case offers <- o.DriverOffers:
				case <-ctx.Done():
				}
				return false
			})
		if err != nil && ctx.Err() == nil {
			s.log.Warn("sim: courier stopped listening for offers", "driver", d.UserID, "err", err)
		}
	})
	// Listen before going online: an offer made before the subscription is up is lost,
	// and the order waits for it to lapse before matching moves on.
	select {
	case <-listening:
	case <-ctx.Done():
		return
	}

	at := scatter(s.cfg.Centre, s.cfg.RadiusM)
	if err := s.retry(ctx, "goOnline", 5, func(ctx context.Context) error { return d.GoOnline(ctx, at) }); err != nil {
		s.log.Warn("sim: courier could not go online", "driver", d.UserID, "err", err)
		return
	}
	defer func() {
		stop, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if err := d.GoOffline(stop); err != nil {
			s.log.Warn("sim: courier could not go offline", "driver", d.UserID, "codes", ErrorCodes(err), "err", err)
		}
	}()
	// Orders this courier gave up waiting for: offered again, it declines them.
	refused := map[string]bool{}
	wander := scatter(at, 500)
	t := time.NewTicker(s.cfg.Tick)
	defer t.Stop()
	last := time.Now()
	for {
		select {
		case <-ctx.Done():
			return
		case o := <-offers:
			s.Stats.Offers.Add(1)
			if refused[o.OrderID] {
				if err := d.DeclineOffer(ctx, o.OrderID); err != nil {
					s.fail(ctx, "declineOffer", err, "order", o.OrderID)
				}
				s.Stats.Declined.Add(1)
				continue
			}
			del, err := d.AcceptOffer(ctx, o.OrderID)
			if err != nil {
				s.fail(ctx, "acceptOffer", err, "order", o.OrderID)
				continue
			}
			s.Stats.Taken.Add(1)
			at = s.deliver(ctx, d, o.OrderID, del, at, refused)
			last = time.Now()
		case now := <-t.C:
			var arrived bool
			if at, arrived = Toward(at, wander, s.cfg.SpeedMPS/3*s.elapsed(now, last).Seconds()); arrived {
				wander = scatter(at, 500)
			}
			last = now
			status, err := d.ReportPosition(ctx, at)
			if err != nil {
				s.fail(ctx, "updateLocation", err)
				continue
			}
			if status == "OFFLINE" {
				// Dispatch drops an available courier it has not heard from for a while
				// (the router was down, the machine stalled), and pings do not bring
				// them back: going online does.
				s.log.Info("sim: courier was dropped as silent; going online again", "driver", d.UserID)
				if err := d.GoOnline(ctx, at); err != nil {
					s.fail(ctx, "goOnline", err)
				}
			}
		}
	}
}

// deliver takes an accepted delivery to the door and returns where the courier ends up.
//
// A pickup is accepted at any time (it means the food changed hands), but a courier
// cannot take food that is not cooked yet: like a real one, ours waits at the counter
// until the kitchen marks the order ready.
func (s *Sim) deliver(ctx context.Context, d *Session, orderID string, del Delivery, at Point, refused map[string]bool) Point {
	at = s.driveTo(ctx, d, at, del.Pickup)
	switch awaitHandover(ctx, func(ctx context.Context) (string, error) { return s.admin.OrderStatus(ctx, orderID) },
		s.cfg.Tick, s.cfg.PickupPatience, func(err error) { s.fail(ctx, "order status", err, "order", orderID) }) {
	case handoverReady:
	case handoverGone:
		// Cancelled or failed meanwhile: dispatch cancelled the delivery and freed us.
		return at
	case handoverGivenUp:
		if ctx.Err() == nil {
			refused[orderID] = true
			s.log.Info("sim: courier waited too long at the counter; handing the delivery back", "order", orderID, "waited", s.cfg.PickupPatience)
		}
		s.handBack(ctx, d, del)
		return at
	}
	err := s.retry(ctx, "markPickedUp", 4, func(ctx context.Context) error {
		_, err := d.MoveDelivery(ctx, "markPickedUp", del.ID)
		return err
	})
	if err != nil {
		s.handBack(ctx, d, del)
		return at
	}
	at = s.driveTo(ctx, d, at, del.Dropoff)
	if ctx.Err() != nil {
		s.log.Info("sim: shift ended with an order on board", "order", orderID, "delivery", del.ID)
		return at
	}
	err = s.retry(ctx, "markDelivered", 5, func(ctx context.Context) error {
		_, err := d.MoveDelivery(ctx, "markDelivered", del.ID)
		return err
	})
	if err != nil {
		// Dispatch still has the courier on this delivery and will offer them nothing.
		s.log.Warn("sim: courier could not mark the delivery delivered", "order", orderID, "delivery", del.ID, "codes", ErrorCodes(err), "err", err)
	}
	return at
}

// handBack gives a delivery not picked up back to dispatch, which matches it afresh; it
// also runs when the shift ends, so no order waits for a courier who went home.
func (s *Sim) handBack(ctx context.Context, d *Session, del Delivery) {
	stop, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if _, err := d.MoveDelivery(stop, "unassignDelivery", del.ID); err != nil {
		s.fail(stop, "unassignDelivery", err, "delivery", del.ID)
		return
	}
	s.Stats.HandedBack.Add(1)
}

// handover is how a courier's wait at the counter ended.
type handover int

const (
	handoverReady   handover = iota // the order is ready: pick it up
	handoverGone                    // the order went past the counter or ended without us
	handoverGivenUp                 // patience (or the shift) ran out first
)

// awaitHandover asks status every poll until the order is READY_FOR_PICKUP, has gone past
// the counter (picked up or ended), or patience or ctx runs out; failed asks go to onErr
// and the wait goes on.
func awaitHandover(ctx context.Context, status func(context.Context) (string, error), poll, patience time.Duration, onErr func(error)) handover {
	deadline := time.Now().Add(patience)
	for ctx.Err() == nil {
		st, err := status(ctx)
		if err != nil {
			onErr(err)
		}
		if ended, _ := orderEnded(st); ended || st == "PICKED_UP" {
			return handoverGone
		}
		if st == "READY_FOR_PICKUP" {
			return handoverReady
		}
		wait := time.Until(deadline)
		if wait <= 0 {
			break
		}
		sleep(ctx, min(poll, wait))
	}
	return handoverGivenUp
}

// driveTo drives to dest at SpeedMPS, reporting the position every tick, and returns where
// it stopped: dest, unless ctx ended first. The step is the time since the last one, so a
// slow router slows the reports, not the courier.
func (s *Sim) driveTo(ctx context.Context, d *Session, at, dest Point) Point {
	t := time.NewTicker(s.cfg.Tick)
	defer t.Stop()
	last := time.Now()
	for arrived := false; !arrived; {
		select {
		case <-ctx.Done():
			return at
		case now := <-t.C:
			at, arrived = Toward(at, dest, s.cfg.SpeedMPS*s.elapsed(now, last).Seconds())
			last = now
			if err := d.UpdateLocation(ctx, at); err != nil {
				s.fail(ctx, "updateLocation", err)
			}
		}
	}
	return at
}

// elapsed is the time a step covers, at most five ticks: after a long stall the courier
// resumes rather than jumping ahead.
func (s *Sim) elapsed(now, last time.Time) time.Duration {
	return min(now.Sub(last), 5*s.cfg.Tick)
}
