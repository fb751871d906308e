package app

import (
	"context"
	"errors"
	"time"

	"github.com/dizhtime/dizhtime/platform/authz"
	"github.com/dizhtime/dizhtime/subgraphs/restaurants/domain"
)

// Repository stores restaurants. UpdateRestaurant is the only way to change one: it loads
// the restaurant, runs update, and writes the result (with the events describing the
// change) only if nobody changed the restaurant meanwhile. expectedVersion 0 means "the
// version I just loaded" (a concurrent writer makes the repository retry update on fresh
// state); a positive expectedVersion that is not current fails with a
// *domain.StaleVersionError without calling update.
type Repository interface {
	AddRestaurant(ctx context.Context, r *domain.Restaurant) error
	GetRestaurant(ctx context.Context, id string) (*domain.Restaurant, error)
	RestaurantByMenuItem(ctx context.Context, menuItemID string) (*domain.Restaurant, error)
	ListRestaurants(ctx context.Context, f ListFilter) ([]*domain.Restaurant, error)
	UpdateRestaurant(ctx context.Context, id string, expectedVersion int64, update func(*domain.Restaurant) error) (*domain.Restaurant, error)
}

// ErrAlreadyExists: AddRestaurant found a restaurant with that id.
var ErrAlreadyExists = errors.New("restaurant already exists")

// ListFilter selects restaurants in id order, after the id After, at most Limit.
type ListFilter struct {
	Cuisine string
	After   string
	Limit   int
}

// RelationWriter records relation tuples in identity (POST /internal/relations).
type RelationWriter interface {
	WriteRelation(ctx context.Context, t authz.Tuple) error
}

// Clock is the time source (tests move it).
type Clock func() time.Time
