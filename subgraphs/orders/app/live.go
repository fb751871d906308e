package app

import (
	"context"
	"sync"
	"time"

	"github.com/dizhtime/dizhtime/platform/authz"
	"github.com/dizhtime/dizhtime/subgraphs/orders/domain"
)

// Hub fans "order X changed" doorbells out to this process's subscribers. What rings it
// is a feed every replica reads (adapters.LiveFeed: order events from Kafka), so a
// subscriber on any replica hears about transitions made on any other. A doorbell
// carries no state: subscribers read the order's timeline from the database after their
// last seen sequence number, so they see every transition exactly once and in order even
// when doorbells are coalesced or lost (a slow poll covers the latter).
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

// livePoll is how often a subscriber re-reads without a doorbell.
const livePoll = 3 * time.Second

// OrderUpdates streams the order's transitions to its customer or an admin: those after
// sequence number since (-1: only what happens from now on, starting with the current
// status). The channel closes when ctx ends.
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
	out := make(chan OrderUpdate, 16)
	go func() {
		defer close(out)
		defer stop()
		poll := time.NewTicker(livePoll)
		defer poll.Stop()
		last := since
		for {
			var ok bool
			if last, ok = a.sendNew(ctx, orderID, last, out); !ok {
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

// sendNew sends the order's transitions after seq last and returns the new last.
func (a *Application) sendNew(ctx context.Context, orderID string, last int, out chan<- OrderUpdate) (int, bool) {
	ts, err := a.repo.TimelineAfter(ctx, orderID, last)
	if err != nil {
		if ctx.Err() == nil {
			a.log.WarnContext(ctx, "live order update: read timeline", "order_id", orderID, "error", err)
		}
		return last, ctx.Err() == nil
	}
	if len(ts) == 0 {
		return last, true
	}
	o, err := a.repo.Get(ctx, orderID)
	if err != nil {
		return last, ctx.Err() == nil
	}
	for _, t := range ts {
		select {
		case out <- OrderUpdate{Transition: t, Order: o}:
			last = t.Seq
		case <-ctx.Done():
			return last, false
		}
	}
	return last, true
}

// RestaurantOrderUpdates streams new orders and the transitions of the restaurant's
// orders that happen from now on, for its staff or an admin.
func (a *Application) RestaurantOrderUpdates(ctx context.Context, restaurantID string) (<-chan OrderUpdate, error) {
	if _, err := authz.RequireRelation(ctx, a.checker, "restaurant", restaurantID, "staff"); err != nil {
		return nil, err
	}
	bell, stop := a.hub.watchRestaurant(restaurantID)
	started := a.now()
	out := make(chan OrderUpdate, 16)
	go func() {
		defer close(out)
		defer stop()
		last := map[string]int{}
		for {
			var orderID string
			select {
			case <-ctx.Done():
				return
			case orderID = <-bell:
			}
			seq, seen := last[orderID]
			if !seen {
				// First news of this order: skip what happened before we subscribed.
				ts, err := a.repo.TimelineAfter(ctx, orderID, 0)
				if err != nil {
					continue
				}
				for _, t := range ts {
					if t.At.Before(started) {
						seq = t.Seq
					}
				}
			}
			n, ok := a.sendNew(ctx, orderID, seq, out)
			if !ok {
				return
			}
			last[orderID] = n
		}
	}()
	return out, nil
}
