package adapters

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/dizhtime/dizhtime/subgraphs/orders/app"
	"github.com/dizhtime/dizhtime/subgraphs/orders/domain"
)

// selectRestaurantHeads finds the restaurant's orders changed at or after $2 (and, when
// $3, those not in a terminal status $4), keeps the $5 most recently changed and returns
// them oldest change first with their newest timeline entry. updated_at is set by every
// write (orders_by_restaurant_updated serves the poll), so this is the live feed's look
// at what changed whether or not a doorbell rang.
const selectRestaurantHeads = `SELECT h.id::text, h.seq FROM (
	SELECT o.id, o.updated_at, (SELECT max(t.seq) FROM order_transitions t WHERE t.order_id = o.id) AS seq
	FROM orders o
	WHERE o.restaurant_id = $1 AND (o.updated_at >= $2 OR ($3 AND o.status <> ALL($4)))
	ORDER BY o.updated_at DESC, o.id DESC LIMIT $5
) h WHERE h.seq IS NOT NULL ORDER BY h.updated_at, h.id`

// terminalStatuses are the statuses no transition leaves, from the domain's table.
func terminalStatuses() []string {
	var out []string
	for _, s := range domain.Statuses {
		if s.Terminal() {
			out = append(out, string(s))
		}
	}
	return out
}

// RestaurantOrderHeads is app.Repository's look at a restaurant's recently changed (and
// optionally open) orders for the live feed.
func (r *OrdersRepository) RestaurantOrderHeads(ctx context.Context, restaurantID string, changedSince time.Time, open bool, limit int) ([]app.OrderHead, error) {
	rows, _ := r.querier().Query(ctx, selectRestaurantHeads, restaurantID, changedSince, open, terminalStatuses(), limit)
	heads, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (app.OrderHead, error) {
		var h app.OrderHead
		err := row.Scan(&h.OrderID, &h.Seq)
		return h, err
	})
	if err != nil {
		return nil, fmt.Errorf("orders of restaurant %s changed since %s: %w", restaurantID, changedSince.Format(time.RFC3339Nano), err)
	}
	return heads, nil
}
