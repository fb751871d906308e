package adapters

import (
	"context"
	"time"

	"github.com/dizhtime/dizhtime/events"
	"github.com/dizhtime/dizhtime/events/contracts"
	"github.com/dizhtime/dizhtime/subgraphs/restaurants/domain"
)

// EventSource is the envelope's source for events this service emits.
const EventSource = "restaurants"

// RestaurantEvents returns the events describing what changed on r: restaurant.updated
// when its profile or opening state changed, restaurant.menu.update when its menu did.
// Both carry the whole current state (consumers upsert/replace, never patch), so search
// indexes without calling back. isOpen is judged at now.
func RestaurantEvents(ctx context.Context, r *domain.Restaurant, now time.Time) ([]events.Envelope, error) {
	var out []events.Envelope
	if r.ProfileChanged() {
		p := r.Profile()
		e, err := events.New(ctx, EventSource, r.ID(), contracts.RestaurantUpdatedV1{
			RestaurantID: r.ID(), Name: p.Name, Cuisines: p.Cuisines, IsOpen: r.IsOpenAt(now),
			Lat: p.Location.Lat, Lng: p.Location.Lng, UpdatedAt: r.UpdatedAt(),
		})
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	if r.MenuChanged() {
		m := r.Menu()
		items := []contracts.MenuItem{}
		for _, c := range m.Categories {
			for _, it := range c.Items {
				items = append(items, contracts.MenuItem{
					MenuItemID: it.ID, Name: it.Name, Description: it.Description,
					Price:     contracts.Money{AmountMinor: it.Price.AmountMinor, Currency: it.Price.Currency},
					Available: it.Available, Tags: it.Tags,
				})
			}
		}
		e, err := events.New(ctx, EventSource, r.ID(), contracts.RestaurantMenuUpdateV1{
			RestaurantID: r.ID(), MenuVersion: m.Version, Items: items, UpdatedAt: r.UpdatedAt(),
		})
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}
