package app

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/dizhtime/dizhtime/platform/authz"
	"github.com/dizhtime/dizhtime/subgraphs/orders/domain"
)

// Hub fans "order X changed" doorbells out to this process's subscribers. What rings it
// is a feed every replica reads (adapters.LiveFeed: order events from Kafka), so a
// subscriber on any replica hears about transitions made on any other. A doorbell
// carries no state: subscribers read the order's timeline from the database after their
// last sent sequence number, so they see every transition exactly once and in order even
// when doorbells are coalesced or lost. Lost ones (a Kafka reader reconnecting from the
// tail, a full buffer, a feed that is down) are covered by each subscription re-reading
// the database every Config.LivePollInterval without a doorbell.
type Hub struct {
	mu          sync.Mutex
	byOrder     map[string]map[chan struct{}]struct{}
	byRest      map[string]map[chan string]struct{}
	restaurants map[string]string // order id -> restaurant id (immutable, bounded cache)
}

// NewHub returns an empty hub.
func NewHub() *Hub {
	return &Hub{byOrder: map[string]map[chan struct{}]struct{}{}, byRest: map[string]map[chan string]struct{}{},
		restaurants: map[string]string{}}
}

// Ring tells the subscribers of orderID, and of its restaurant when known ("" when the
// feed does not know it), that the order changed.
func (h *Hub) Ring(orderID, restaurantID string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if restaurantID != "" {
		if len(h.restaurants) > 100_000 {
			clear(h.restaurants)
		}
		h.restaurants[orderID] = restaurantID
	} else {
		restaurantID = h.restaurants[orderID]
	}
	for ch := range h.byOrder[orderID] {
		select {
		case ch <- struct{}{}:
		default: // already rung; the subscriber reads everything new at once
		}
	}
	for ch := range h.byRest[restaurantID] {
		select {
		case ch <- orderID:
		default:
			// A full buffer: the subscriber falls back to its poll for this order.
		}
	}
}

// WantsRestaurantOf reports whether anyone listens per restaurant and the order's
// restaurant is unknown, so the feed should look it up before ringing.
func (h *Hub) WantsRestaurantOf(orderID string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	_, known := h.restaurants[orderID]
	return len(h.byRest) > 0 && !known
}

func (h *Hub) watchOrder(id string) (<-chan struct{}, func()) {
	ch := make(chan struct{}, 1)
	h.mu.Lock()
	if h.byOrder[id] == nil {
		h.byOrder[id] = map[chan struct{}]struct{}{}
	}
	h.byOrder[id][ch] = struct{}{}
	h.mu.Unlock()
	return ch, func() {
		h.mu.Lock()
		delete(h.byOrder[id], ch)
		if len(h.byOrder[id]) == 0 {
			delete(h.byOrder, id)
		}
		h.mu.Unlock()
	}
}

func (h *Hub) watchRestaurant(id string) (<-chan string, func()) {
	ch := make(chan string, 256)
	h.mu.Lock()
	if h.byRest[id] == nil {
		h.byRest[id] = map[chan string]struct{}{}
	}
	h.byRest[id][ch] = struct{}{}
	h.mu.Unlock()
	return ch, func() {
		h.mu.Lock()
		delete(h.byRest[id], ch)
		if len(h.byRest[id]) == 0 {
			delete(h.byRest, id)
		}
		h.mu.Unlock()
	}
}

// OrderUpdate is one transition of an order, with the order as it is when sent.
type OrderUpdate struct {
	Transition domain.Transition
	Order      *domain.Order
}

// DefaultLivePollInterval is how often a live subscription re-reads the database without
// a doorbell, unless Config.LivePollInterval says otherwise.
const DefaultLivePollInterval = 3 * time.Second

const (
	// liveLookBack widens each poll of a restaurant's orders to those written up to this
	// long before the previous poll started: an order's updated_at is its transaction's
	// start (or the placing replica's clock), so a write may commit after a poll that
	// began later than it. Sequence numbers make the overlap harmless.
	liveLookBack = time.Minute
	// liveHeadsLimit bounds one read of a restaurant's orders.
	liveHeadsLimit = 500
)

// OrderUpdates streams the order's transitions to its customer or an admin: those after
// sequence number since (-1: only what happens from now on, starting with the current
// status). The channel closes when ctx ends, and after the transition into a terminal
// status (DELIVERED, CANCELLED, ...) is sent: nothing can follow it, so the client's
// stream completes instead of idling forever.
func (a *Application) OrderUpdates(ctx context.Context, orderID string, since int) (<-chan OrderUpdate, error) {
	if _, err := authz.RequireAuthenticated(ctx); err != nil {
		return nil, err
	}
	// Watch before reading, so nothing between the read and the watch is missed.
	bell, stop := a.hub.watchOrder(orderID)
	o, err := a.repo.Get(ctx, orderID)
	if err != nil {
		stop()
		return nil, clientError(err)
	}
	if _, err := authz.RequireSelfOrRole(ctx, o.CustomerID, authz.RoleAdmin); err != nil {
		stop()
		return nil, notFoundUnlessAllowed(err)
	}
	if since < 0 {
		since = len(o.Timeline) - 1
	}
	if o.Status.Terminal() && since >= o.LastTransition().Seq {
		// Resumed after the terminal transition: nothing more will ever come.
		stop()
		out := make(chan OrderUpdate)
		close(out)
		return out, nil
	}
	out := make(chan OrderUpdate, 16)
	go func() {
		defer close(out)
		defer stop()
		poll := time.NewTicker(a.cfg.LivePollInterval)
		defer poll.Stop()
		last := since
		for {
			var ok bool
			var reached domain.Status
			if last, reached, ok = a.sendNew(ctx, orderID, last, out); !ok || (reached != "" && reached.Terminal()) {
				return
			}
			select {
			case <-ctx.Done():
				return
			case <-bell:
			case <-poll.C:
			}
		}
	}()
	return out, nil
}

// sendNew sends the order's transitions after seq last and returns the new last and the
// status it reached (or "" when nothing was sent). A failed read keeps last: the next
// doorbell or poll tries again.
func (a *Application) sendNew(ctx context.Context, orderID string, last int, out chan<- OrderUpdate) (int, domain.Status, bool) {
	ts, err := a.repo.TimelineAfter(ctx, orderID, last)
	if err != nil {
		if ctx.Err() == nil {
			a.log.WarnContext(ctx, "live order update: read timeline", "order_id", orderID, "error", err)
		}
		return last, "", ctx.Err() == nil
	}
	if len(ts) == 0 {
		return last, "", true
	}
	o, err := a.repo.Get(ctx, orderID)
	if err != nil {
		if ctx.Err() == nil {
			a.log.WarnContext(ctx, "live order update: read order", "order_id", orderID, "error", err)
		}
		return last, "", ctx.Err() == nil
	}
	var reached domain.Status
	for _, t := range ts {
		select {
		case out <- OrderUpdate{Transition: t, Order: o}:
			last, reached = t.Seq, t.To
		case <-ctx.Done():
			return last, reached, false
		}
	}
	return last, reached, true
}

// RestaurantOrderUpdates streams, for the restaurant's staff or an admin, where each of
// its open or just-changed orders stands (its newest transition), then new orders and
// every transition of its orders from now on. Starting with the current state, as
// orderUpdated without since does, is what lets a dashboard that reconnects learn of an
// order paid while it was away. Doorbells bring news at once; a poll of the restaurant's
// recently written orders every Config.LivePollInterval brings what a lost doorbell would
// have. Per order, transitions go out once each, in sequence order.
func (a *Application) RestaurantOrderUpdates(ctx context.Context, restaurantID string) (<-chan OrderUpdate, error) {
	if _, err := authz.RequireRelation(ctx, a.checker, "restaurant", restaurantID, "staff"); err != nil {
		return nil, err
	}
	// Watch before reading, so nothing between the read and the watch is missed.
	bell, stop := a.hub.watchRestaurant(restaurantID)
	polledAt := a.now()
	heads, err := a.repo.RestaurantOrderHeads(ctx, restaurantID, polledAt.Add(-liveLookBack), true, liveHeadsLimit)
	if err != nil {
		stop()
		return nil, clientError(fmt.Errorf("restaurant %s live orders: %w", restaurantID, err))
	}
	out := make(chan OrderUpdate, 16)
	go func() {
		defer close(out)
		defer stop()
		f := restaurantFeed{app: a, out: out, sent: map[string]sentHead{}}
		for _, h := range heads {
			if !f.sendFrom(ctx, h.OrderID, h.Seq-1) {
				return
			}
		}
		poll := time.NewTicker(a.cfg.LivePollInterval)
		defer poll.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case orderID := <-bell:
				if !f.sendFrom(ctx, orderID, f.sent[orderID].seq) {
					return
				}
			case <-poll.C:
				at := a.now()
				heads, err := a.repo.RestaurantOrderHeads(ctx, restaurantID, polledAt.Add(-liveLookBack), false, liveHeadsLimit)
				if err != nil {
					if ctx.Err() != nil {
						return
					}
					a.log.WarnContext(ctx, "live restaurant orders: poll", "restaurant_id", restaurantID, "error", err)
					continue // the next poll looks back to the last one that worked
				}
				polledAt = at
				for _, h := range heads {
					if h.Seq > f.sent[h.OrderID].seq && !f.sendFrom(ctx, h.OrderID, f.sent[h.OrderID].seq) {
						return
					}
				}
				f.forgetFinished(at.Add(-3 * liveLookBack))
			}
		}
	}()
	return out, nil
}

// restaurantFeed is one restaurantOrders subscription's memory of what it sent.
type restaurantFeed struct {
	app  *Application
	out  chan<- OrderUpdate
	sent map[string]sentHead
}

// sentHead is the last transition sent of an order.
type sentHead struct {
	seq      int
	terminal bool
	at       time.Time
}

// sendFrom sends the order's transitions after seq after (0: all of them, for an order
// this subscription has not heard of) and nothing at or below what it already sent.
func (f *restaurantFeed) sendFrom(ctx context.Context, orderID string, after int) bool {
	prev := f.sent[orderID]
	after = max(after, prev.seq)
	last, reached, ok := f.app.sendNew(ctx, orderID, after, f.out)
	// A failed read still records after: what the subscriber already has from a start
	// at the order's newest transition, so a retry does not replay the whole timeline.
	if last > prev.seq {
		f.sent[orderID] = sentHead{seq: last, terminal: reached != "" && reached.Terminal(), at: f.app.now()}
	}
	return ok
}

// forgetFinished drops orders in a terminal status last sent before cutoff: they change
// no more, and they are too old for a poll's look-back to return them again.
func (f *restaurantFeed) forgetFinished(cutoff time.Time) {
	for id, h := range f.sent {
		if h.terminal && h.at.Before(cutoff) {
			delete(f.sent, id)
		}
	}
}
