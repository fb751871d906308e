package app

import (
	"context"
	"errors"

	"github.com/dizhtime/dizhtime/subgraphs/dispatch/domain"
)

// DeliveryHistory lists a courier's deliveries. Apart from Store because only the
// PostgreSQL store keeps them all (the saga simulator's in-memory store does not list).
type DeliveryHistory interface {
	// DeliveriesOf lists the deliveries assigned to driverID, the most recently changed
	// first, at most limit, with their timelines.
	DeliveriesOf(ctx context.Context, driverID string, limit int) ([]*domain.Delivery, error)
}

// WithDeliveryHistory lets couriers and admins list a courier's past deliveries.
func WithDeliveryHistory(h DeliveryHistory) Option {
	return func(a *Application) { a.history = h }
}

// MaxHistory bounds one read of a courier's deliveries.
const MaxHistory = 100

// DeliveriesOf is the courier's deliveries, newest first (limit 1..MaxHistory).
func (a *Application) DeliveriesOf(ctx context.Context, driverID string, limit int) ([]*domain.Delivery, error) {
	if a.history == nil {
		return nil, errors.New("dispatch app: no delivery history wired")
	}
	return a.history.DeliveriesOf(ctx, driverID, min(max(limit, 1), MaxHistory))
}
