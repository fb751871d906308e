package city

import (
	"context"
	"sync"
	"time"

	"github.com/dizhtime/dizhtime/platform/routertest"
)

// kitchenReload is how often a kitchen reloads its list of open orders. restaurantOrders
// streams only what happens while it is open, so an order paid while it was reconnecting
// (or whose doorbell was lost) is found by the reload instead of being rejected for want
// of an answer.
const kitchenReload = 30 * time.Second

// kitchenRail is the orders a kitchen has taken, so the subscription and the reloads do
// not cook one order twice. An order stays on it for railMemory, after which a reload may
// take it again (one still open then was dropped: its cooking failed).
type kitchenRail struct {
	mu    sync.Mutex
	taken map[string]time.Time
}

const railMemory = 10 * time.Minute

// take reports whether the order is new to the rail, and puts it there.
func (k *kitchenRail) take(orderID string, now time.Time) bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	for id, at := range k.taken {
		if now.Sub(at) > railMemory {
			delete(k.taken, id)
		}
	}
	if _, ok := k.taken[orderID]; ok {
		return false
	}
	k.taken[orderID] = now
	return true
}

// kitchen is a restaurant's tablet: it accepts every paid order, cooks, and marks it ready.
// It also finishes orders of its restaurant left accepted or cooking (by an earlier run, or
// a cook cut short), so no order waits at the counter for a kitchen that is not coming.
func (s *Sim) kitchen(ctx context.Context, staff *Session, restaurantID string) {
	rail := &kitchenRail{taken: map[string]time.Time{}}
	var wg sync.WaitGroup
	defer wg.Wait()
	take := func(orderID, status string) {
		if rail.take(orderID, time.Now()) {
			wg.Go(func() { s.cook(ctx, staff, orderID, status) })
		}
	}
	reload := make(chan struct{}, 1)
	wg.Go(func() {
		t := time.NewTicker(kitchenReload)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-reload:
			case <-t.C:
			}
			open, err := staff.RestaurantOrders(ctx, restaurantID, []string{"PAID", "ACCEPTED", "PREPARING"}, 50)
			if err != nil {
				s.fail(ctx, "restaurant orders", err, "restaurant", restaurantID)
				continue
			}
			for _, o := range open {
				take(o.ID, o.Status)
			}
		}
	})
	err := s.follow(ctx, staff, "restaurantOrders",
		`subscription RestaurantOrders($id: ID!) { restaurantOrders(restaurantId: $id) { transition { to } order { id } } }`,
		func() map[string]any { return map[string]any{"id": restaurantID} },
		func() {
			select {
			case reload <- struct{}{}:
			default:
			}
		},
		func(r *routertest.Response) bool {
			var d struct {
				RestaurantOrders struct {
					Transition struct{ To string }
					Order      struct{ ID string }
				}
			}
			if err := r.Decode(&d); err != nil {
				s.fail(ctx, "restaurantOrders decode", err)
			} else if d.RestaurantOrders.Transition.To == "PAID" {
				take(d.RestaurantOrders.Order.ID, "PAID")
			}
			return false
		})
	if err != nil && ctx.Err() == nil {
		s.log.Warn("sim: kitchen stopped listening; it still reloads its orders", "restaurant", restaurantID, "err", err)
	}
}

// cook takes one order from status (PAID, ACCEPTED or PREPARING) to ready for pickup.
func (s *Sim) cook(ctx context.Context, staff *Session, orderID, status string) {
	move := func(mutation string) bool {
		err := s.retry(ctx, mutation, 4, func(ctx context.Context) error {
			_, err := staff.MoveOrder(ctx, mutation, orderID)
			return err
		})
		return err == nil
	}
	switch status {
	case "PAID":
		sleep(ctx, 2*time.Second) // someone reads the ticket
		if !move("acceptOrder") {
			return
		}
		fallthrough
	case "ACCEPTED":
		if !move("markPreparing") {
			return
		}
		fallthrough
	case "PREPARING":
		sleep(ctx, s.cfg.PrepTime)
		move("markReady")
	}
}
