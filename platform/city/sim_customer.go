package city

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/dizhtime/dizhtime/platform/routertest"
)

var cravings = []string{"piza", "pizza", "plov", "burger", "sushi", "lagman", "shashlik", "coffee"}

// order is one customer's order: search near home, pick a dish, order it, then watch it
// to the door.
func (s *Sim) order(ctx context.Context, c *Session, kitchens []simRestaurant) {
	k := kitchens[rand.IntN(len(kitchens))]
	home := scatter(k.at, s.cfg.RadiusM)
	// Customers search like people do; they order from a kitchen the simulator runs.
	if _, err := c.SearchRestaurants(ctx, cravings[rand.IntN(len(cravings))], home, 10); err != nil {
		s.fail(ctx, "searchRestaurants", err)
	}
	dish := k.dishes[rand.IntN(len(k.dishes))]
	o, err := c.PlaceOrder(ctx, k.id, dish.ID, 1+rand.IntN(2), home, fmt.Sprintf("%s-%d", c.UserID, time.Now().UnixNano()))
	if err != nil {
		s.fail(ctx, "placeOrder", err, "restaurant", k.id)
		return
	}
	s.Stats.Placed.Add(1)
	s.Stats.InFlight.Add(1)
	if s.track(ctx, c, o.ID, time.Now()) {
		s.Stats.InFlight.Add(-1)
	}
}

// orderTrack is what a customer's tracking screen has seen of one order.
type orderTrack struct {
	placed time.Time
	last   int // sequence number of the last transition seen
	ended  bool
	stats  *SimStats
}

// saw takes one transition; it reports whether the order has ended. A transition seen
// before (a subscription resumed from an earlier sequence number) is not counted again.
func (t *orderTrack) saw(sequence int, to string, at time.Time) bool {
	if sequence <= t.last {
		return t.ended
	}
	t.last = sequence
	t.stats.reached(to, at.Sub(t.placed))
	t.ended, _ = orderEnded(to)
	return t.ended
}

// track follows the order until it ends, like the app's tracking screen, counts each
// status it reaches, and reports whether it saw the order end. Its subscription may end
// before the order does (a dropped connection, the router reloading its supergraph, the
// 15-minute token running out): it resumes after the last transition it saw.
func (s *Sim) track(ctx context.Context, c *Session, orderID string, placed time.Time) (ended bool) {
	t := &orderTrack{placed: placed, stats: &s.Stats}
	err := s.follow(ctx, c, "orderUpdated",
		`subscription OrderUpdated($id: ID!, $since: Int) { orderUpdated(id: $id, since: $since) { transition { sequence to } } }`,
		func() map[string]any { return map[string]any{"id": orderID, "since": t.last} },
		nil,
		func(r *routertest.Response) bool {
			var d struct {
				OrderUpdated struct {
					Transition struct {
						Sequence int
						To       string
					}
				}
			}
			if err := r.Decode(&d); err != nil {
				s.fail(ctx, "orderUpdated decode", err)
				return false
			}
			return t.saw(d.OrderUpdated.Transition.Sequence, d.OrderUpdated.Transition.To, time.Now())
		})
	if err != nil && ctx.Err() == nil {
		s.log.Warn("sim: stopped tracking an order", "order", orderID, "err", err)
	}
	return t.ended
}
