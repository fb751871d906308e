package graph

import (
	"context"
	"errors"
	"time"

	"github.com/dizhtime/dizhtime/platform/authz"
	"github.com/dizhtime/dizhtime/platform/graphqlerr"
	"github.com/dizhtime/dizhtime/subgraphs/dispatch/adapters"
	"github.com/dizhtime/dizhtime/subgraphs/dispatch/app"
	"github.com/dizhtime/dizhtime/subgraphs/dispatch/domain"
	"github.com/dizhtime/dizhtime/subgraphs/dispatch/graph/model"
)

const (
	// trackingWait is how often a tracker looks for a delivery that does not exist yet.
	trackingWait = time.Second
	// trackingBackstop is how often a tracker re-reads an existing delivery on its own,
	// in case a status announcement was lost (announcements bring changes at once).
	trackingBackstop = 5 * time.Second
	// trackingBuffer is how many status announcements wait for a busy tracker; more are
	// dropped for it, and it re-reads the delivery instead (the store is the truth).
	trackingBuffer = 64
)

// deliveryTracking follows an order's courier for its customer (or an admin). It may be
// opened as soon as the order exists, before any courier accepted: it waits for the
// delivery. Each subscriber starts with where the courier is now (when one is assigned),
// then gets every position fix of the courier as this replica's index reads it from
// driver.location (whichever replica took the fix), and every status change (announced
// by the application on the order's Redis tracking channel, so deliveryStatus and the
// ETA's next stop are never stale); the stream completes after the delivery ends
// (DELIVERED or CANCELLED).
func (r *Resolver) deliveryTracking(ctx context.Context, orderID string) (<-chan *model.TrackingUpdate, error) {
	id, err := authz.RequireAuthenticated(ctx)
	if err != nil {
		return nil, err
	}
	customer, err := r.trackedCustomer(ctx, orderID)
	if err != nil {
		return nil, clientError(err)
	}
	if id.UserID != customer && !id.HasRole(authz.RoleAdmin) {
		return nil, graphqlerr.Forbidden("only the order's customer may track it")
	}
	// Listen before the first read, so nothing announced in between is missed.
	// All trackers of this process share one pub/sub connection (adapters.ChannelHub).
	sub, err := r.Live.Listen(ctx, r.Live.TrackingChannel(orderID), trackingBuffer)
	if err != nil {
		return nil, graphqlerr.Internal(err)
	}
	t := &tracker{r: r, orderID: orderID, vehicles: map[string]domain.Vehicle{}}
	out := make(chan *model.TrackingUpdate, 16)
	go func() {
		defer close(out)
		defer sub.Close()
		defer t.unfollow()
		t.run(ctx, sub, out)
	}()
	return out, nil
}

// trackedCustomer is the customer of the order: from its delivery, or, before a courier
// accepted, from order.created as dispatch recorded it.
func (r *Resolver) trackedCustomer(ctx context.Context, orderID string) (string, error) {
	d, err := r.App.Store().DeliveryByOrder(ctx, orderID)
	if err == nil {
		return d.CustomerID, nil
	}
	if !errors.Is(err, app.ErrNotFound) {
		return "", err
	}
	ref, err := r.App.Store().OrderRef(ctx, orderID)
	if err != nil {
		return "", err
	}
	return ref.CustomerID, nil
}

// tracker is one deliveryTracking subscriber's state.
type tracker struct {
	r        *Resolver
	orderID  string
	d        *domain.Delivery // nil until the delivery exists
	readAt   time.Time
	fix      *adapters.Location
	vehicles map[string]domain.Vehicle
	followed string
	sent     *model.TrackingUpdate
	// follow delivers the assigned courier's fixes (nil while there is none).
	follow *adapters.FixSubscription
}

// followCourier follows the delivery's courier's fixes once one is assigned (again when
// another courier takes the delivery over).
func (t *tracker) followCourier() {
	if t.d == nil || t.d.DriverID == "" {
		return
	}
	if t.follow != nil && t.followed == t.d.DriverID {
		return
	}
	t.unfollow()
	t.follow, t.followed = t.r.Live.Drivers.Follow(t.d.DriverID, 64), t.d.DriverID
}

func (t *tracker) unfollow() {
	if t.follow != nil {
		t.follow.Close()
		t.follow, t.followed = nil, ""
	}
}

func (t *tracker) fixes() <-chan adapters.Location {
	if t.follow == nil {
		return nil
	}
	return t.follow.C
}

func (t *tracker) run(ctx context.Context, sub *adapters.Listener, out chan<- *model.TrackingUpdate) {
	send := func() bool {
		u := t.update(ctx)
		if u == nil || sameUpdate(u, t.sent) {
			return true
		}
		select {
		case out <- u:
			t.sent = u
			return true
		case <-ctx.Done():
			return false
		}
	}
	t.refresh(ctx, "")
	if !send() || t.ended() {
		return
	}
	tick := time.NewTicker(trackingWait)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			if t.d != nil && time.Since(t.readAt) < trackingBackstop {
				continue
			}
			t.refresh(ctx, "")
		case m := <-sub.Messages():
			if status, ok := adapters.ParseStatusAnnouncement(m); ok {
				t.refresh(ctx, status)
				if t.d == nil && status.Terminal() {
					return // the order ended before any courier took it
				}
			}
		case <-sub.Gaps():
			// Announcements were lost (this tracker fell behind, or the connection
			// broke): the store says what they said.
			t.refresh(ctx, "")
		case fix := <-t.fixes():
			if t.fix == nil || !fix.Time.Before(t.fix.Time) || fix.DriverID != t.fix.DriverID {
				t.fix = &fix
			}
		}
		if !send() || t.ended() {
			return
		}
	}
}

// refresh re-reads the delivery. announced is a status just announced ("" if none): the
// announcement can overtake the commit it describes (a consumer announces before its
// transaction ends), so an announced end wins over an older read.
func (t *tracker) refresh(ctx context.Context, announced domain.DeliveryStatus) {
	if d, err := t.r.App.Store().DeliveryByOrder(ctx, t.orderID); err == nil {
		t.d, t.readAt = d, time.Now()
	}
	if t.d != nil && announced.Terminal() && !t.d.Status.Terminal() {
		t.d.Status = announced
	}
	t.followCourier()
	if t.d != nil && t.d.DriverID != "" && (t.fix == nil || t.fix.DriverID != t.d.DriverID) {
		// A subscriber that arrives mid-delivery, or a courier just assigned: start from
		// where the courier is now rather than waiting for the next fix.
		if _, live, err := t.r.App.Driver(ctx, t.d.DriverID); err == nil && !live.LastSeen.IsZero() {
			t.fix = &adapters.Location{DriverID: t.d.DriverID, At: live.At, Time: live.LastSeen, Status: live.Status}
		}
	}
}

func (t *tracker) ended() bool { return t.d != nil && t.d.Status.Terminal() }

// update is what the subscriber should see now; nil while there is no courier to show.
func (t *tracker) update(ctx context.Context) *model.TrackingUpdate {
	if t.d == nil || t.d.DriverID == "" || t.fix == nil || t.fix.DriverID != t.d.DriverID {
		return nil
	}
	v, ok := t.vehicles[t.fix.DriverID]
	if !ok {
		v = domain.VehicleScooter
		if drv, err := t.r.App.Store().Driver(ctx, t.fix.DriverID); err == nil {
			v = drv.Vehicle
		}
		t.vehicles[t.fix.DriverID] = v
	}
	next := t.d.Pickup
	if t.d.Status == domain.DeliveryPickedUp || t.d.Status == domain.DeliveryEnrouteToDropoff ||
		t.d.Status == domain.DeliveryArrivedAtDropoff || t.d.Status == domain.DeliveryDelivered {
		next = t.d.Dropoff
	}
	eta := int(domain.TravelTime(t.fix.At, next, v).Seconds())
	if t.d.Status == domain.DeliveryDelivered {
		eta = 0
	}
	return &model.TrackingUpdate{
		OrderID: t.orderID, DriverID: t.fix.DriverID, Location: location(t.fix.At),
		DeliveryStatus: model.DeliveryStatus(t.d.Status), EtaSeconds: eta, At: rfc3339(t.fix.Time),
	}
}

// sameUpdate: nothing the subscriber sees changed but the fix's time (a courier
// standing still, or a fix taken before the courier was assigned and read after).
func sameUpdate(a, b *model.TrackingUpdate) bool {
	return b != nil && a.DriverID == b.DriverID && *a.Location == *b.Location &&
		a.DeliveryStatus == b.DeliveryStatus && a.EtaSeconds == b.EtaSeconds
}
