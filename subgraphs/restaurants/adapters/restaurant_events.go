package adapters

import (
	"context"
	"strings"
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
		e, err := events.New(ctx, EventSource, r.ID(), RestaurantUpdated(r, now))
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

// RestaurantUpdated is restaurant.updated v2 for r's current state, every field filled:
// the address as one line, the rating (absent until the first one), the dietary and
// promotion tags, and the weekly hours Monday first in the restaurant's zone. isOpen is
// judged at now.
func RestaurantUpdated(r *domain.Restaurant, now time.Time) contracts.RestaurantUpdatedV2 {
	p := r.Profile()
	var rating float64
	if r.Rating().Count > 0 {
		rating = r.Rating().Average
	}
	return contracts.RestaurantUpdatedV2{
		RestaurantID: r.ID(), Name: p.Name, Description: p.Description, Address: addressLine(p.Address),
		Cuisines: p.Cuisines, IsOpen: r.IsOpenAt(now), Paused: r.Paused(),
		Lat: p.Location.Lat, Lng: p.Location.Lng, PriceLevel: p.PriceLevel, Rating: rating,
		PrepMinutes: p.PrepTimeMinutes, DietaryTags: p.DietaryTags, Tags: p.Tags,
		TimeZone: p.Hours.Zone(), OpeningHours: openingSpans(p.Hours), UpdatedAt: r.UpdatedAt(),
	}
}

func addressLine(a domain.Address) string {
	var parts []string
	for _, s := range []string{a.Line1, a.Line2, a.City, a.PostalCode, a.Country} {
		if s = strings.TrimSpace(s); s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, ", ")
}

// weekdays are Monday first, as the contract's day names.
var weekdays = []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday}

func openingSpans(h domain.OpeningHours) []contracts.OpeningSpan {
	spans := []contracts.OpeningSpan{}
	for _, d := range weekdays {
		for _, rg := range h.Day(d) {
			spans = append(spans, contracts.OpeningSpan{Day: strings.ToUpper(d.String()), Open: rg.OpenClock(), Close: rg.CloseClock()})
		}
	}
	return spans
}
