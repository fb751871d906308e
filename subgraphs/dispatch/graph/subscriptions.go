package graph

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/dizhtime/dizhtime/platform/authz"
	"github.com/dizhtime/dizhtime/platform/graphqlerr"
	"github.com/dizhtime/dizhtime/subgraphs/dispatch/adapters"
	"github.com/dizhtime/dizhtime/subgraphs/dispatch/domain"
	"github.com/dizhtime/dizhtime/subgraphs/dispatch/graph/model"
)

// Offers and delivery status announcements travel on Redis pub/sub, positions on
// driver.location into every replica's index, so any replica serves any subscriber. A
// Redis channel keeps publish order, and one driver's fixes share a partition, so a
// subscriber sees one order's updates in order.

// feedBuffer is how many messages wait for a busy feed; more are dropped for it and
// reported as a gap (see adapters.ChannelHub).
const feedBuffer = 256

// feed subscribes to channel (confirmed before returning, so nothing published after
// the subscription starts is missed) and turns each message into zero or one value.
func feed[T any](ctx context.Context, live *adapters.LiveIndex, channel string, convert func(payload string) (*T, bool)) (<-chan *T, error) {
	return feedAfter(ctx, live, channel, nil, convert)
}

// feedAfter is feed whose first values come from replay, read once the subscription is
// confirmed: state read then plus every later message, so nothing falls in between.
func feedAfter[T any](ctx context.Context, live *adapters.LiveIndex, channel string, replay func() ([]*T, error), convert func(payload string) (*T, bool)) (<-chan *T, error) {
	sub, err := live.Listen(ctx, channel, feedBuffer)
	if err != nil {
		return nil, graphqlerr.Internal(err)
	}
	var first []*T
	if replay != nil {
		if first, err = replay(); err != nil {
			sub.Close()
			return nil, err
		}
	}
	out := make(chan *T, 16+len(first))
	for _, v := range first {
		out <- v
	}
	go func() {
		defer close(out)
		defer sub.Close()
		emit := func(v *T) bool {
			select {
			case out <- v:
				return true
			case <-ctx.Done():
				return false
			}
		}
		for {
			select {
			case <-ctx.Done():
				return
			case m := <-sub.Messages():
				if v, ok := convert(m); ok && !emit(v) {
					return
				}
			case <-sub.Gaps():
				// Messages were lost for this feed: what replay reads now stands in for
				// them (a feed without replay has nothing to re-read).
				if replay == nil {
					continue
				}
				vs, err := replay()
				if err != nil {
					continue
				}
				for _, v := range vs {
					if !emit(v) {
						return
					}
				}
			}
		}
	}()
	return out, nil
}

func (r *Resolver) driverOffers(ctx context.Context) (<-chan *model.Offer, error) {
	id, err := authz.RequireRole(ctx, authz.RoleDriver)
	if err != nil {
		return nil, err
	}
	// A (re)subscribing courier first hears the offer it already holds: an app restarted
	// or reconnected while an offer was out does not lose it. The same offer arriving
	// on the channel just after (made between subscribing and reading) is not repeated.
	var replayed string
	replay := func() ([]*model.Offer, error) {
		o, err := r.App.CurrentOffer(ctx, id.UserID)
		if err != nil {
			return nil, clientError(err)
		}
		if o == nil {
			return nil, nil
		}
		replayed = o.OrderID + "|" + strconv.FormatInt(o.Until.UnixMilli(), 10)
		return []*model.Offer{toOffer(o)}, nil
	}
	return feedAfter(ctx, r.Live, r.Live.OffersChannel(id.UserID), replay, func(payload string) (*model.Offer, bool) {
		if payload == replayed {
			return nil, false
		}
		orderID, deadline, ok := strings.Cut(payload, "|")
		ms, err := strconv.ParseInt(deadline, 10, 64)
		if !ok || err != nil {
			return nil, false
		}
		o := &model.Offer{OrderID: orderID, ExpiresAt: rfc3339(time.UnixMilli(ms))}
		if d, err := r.App.Store().DeliveryByOrder(ctx, orderID); err == nil {
			o.Pickup, o.Dropoff = location(d.Pickup), location(d.Dropoff)
		}
		return o, true
	})
}

// driversInArea is the admin live map: every fix this replica's index reads from
// driver.location inside the box (a map that falls behind skips fixes: the next one
// supersedes them).
func (r *Resolver) driversInArea(ctx context.Context, in model.BBoxInput) (<-chan *model.DriverPosition, error) {
	if _, err := authz.RequireRole(ctx, authz.RoleAdmin); err != nil {
		return nil, err
	}
	box := domain.BBox{MinLat: in.MinLat, MinLng: in.MinLng, MaxLat: in.MaxLat, MaxLng: in.MaxLng}
	if !box.Valid() {
		return nil, graphqlerr.BadUserInput("bbox", "min must be below max, on the globe")
	}
	sub := r.Live.Drivers.Follow("", 1024)
	out := make(chan *model.DriverPosition, 16)
	go func() {
		defer close(out)
		defer sub.Close()
		for {
			select {
			case <-ctx.Done():
				return
			case loc := <-sub.C:
				if !box.Contains(loc.At) {
					continue
				}
				status := loc.Status
				if status == "" {
					status = domain.DriverAvailable
				}
				select {
				case out <- &model.DriverPosition{DriverID: loc.DriverID, Location: location(loc.At), Status: model.DriverStatus(status), At: rfc3339(loc.Time)}:
				case <-ctx.Done():
					return
				}
			}
		}
	}()
	return out, nil
}
