package app

import (
	"context"
	"time"

	"github.com/dizhtime/dizhtime/subgraphs/restaurants/domain"
)

// Restaurant returns the restaurant with id (NOT_FOUND when there is none). Profiles and
// menus are public.
func (a *Application) Restaurant(ctx context.Context, id string) (*domain.Restaurant, error) {
	r, err := a.repo.GetRestaurant(ctx, id)
	return r, clientError("", err)
}

// MaxPageSize bounds one page of restaurants.
const MaxPageSize = 100

// Restaurants lists restaurants in id order (a Relay connection's page). A caller may
// ask for one more than MaxPageSize: the probe that tells a full page whether another
// follows.
func (a *Application) Restaurants(ctx context.Context, f ListFilter) ([]*domain.Restaurant, error) {
	if f.Limit <= 0 || f.Limit > MaxPageSize+1 {
		f.Limit = MaxPageSize + 1
	}
	rs, err := a.repo.ListRestaurants(ctx, f)
	return rs, clientError("", err)
}

// MenuItem returns the item with id and the restaurant serving it.
func (a *Application) MenuItem(ctx context.Context, id string) (domain.MenuItem, *domain.Restaurant, error) {
	r, err := a.repo.RestaurantByMenuItem(ctx, id)
	if err != nil {
		return domain.MenuItem{}, nil, clientError("", err)
	}
	it, ok := r.Menu().Item(id)
	if !ok { // the menu changed between the lookup and the read
		return domain.MenuItem{}, nil, clientError("", domain.ErrNotFound)
	}
	return it, r, nil
}

// Quote prices a cart against the restaurant's current menu: the price the orders
// subgraph charges. It needs no identity: menus and prices are public. The restaurant
// comes back too, as the quote was computed from it.
func (a *Application) Quote(ctx context.Context, restaurantID string, lines []domain.QuoteLine) (domain.Quote, *domain.Restaurant, error) {
	r, err := a.repo.GetRestaurant(ctx, restaurantID)
	if err != nil {
		return domain.Quote{}, nil, clientError("", err)
	}
	q, err := r.Quote(lines, a.now())
	if err != nil {
		return domain.Quote{}, nil, clientError("input", err)
	}
	return q, r, nil
}

// IsOpen tells whether the restaurant takes orders now.
func (a *Application) IsOpen(r *domain.Restaurant) bool { return r.IsOpenAt(a.now()) }

// Now is the application's clock.
func (a *Application) Now() time.Time { return a.now() }
