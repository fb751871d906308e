package app

import (
	"context"
	"time"

	"github.com/dizhtime/dizhtime/subgraphs/orders/domain"
)

// Repository stores orders. Every write also stores, in the same transaction, the events
// describing it (order.created, order.status.changed) through the outbox.
type Repository interface {
	// Create stores o. When the customer already placed an order with o's idempotency
	// key, it stores nothing and returns that order with existed = true.
	Create(ctx context.Context, o *domain.Order) (stored *domain.Order, existed bool, err error)
	Get(ctx context.Context, id string) (*domain.Order, error)
	// Update loads the order locked, applies fn and writes the result with its new
	// timeline entries and their events. An error from fn writes nothing.
	Update(ctx context.Context, id string, fn func(o *domain.Order) error) (*domain.Order, error)
	// UpdateAcceptanceDue applies fn to up to limit PAID orders whose acceptance deadline
	// is at or before now, skipping orders another process holds; it returns how many it
	// wrote.
	UpdateAcceptanceDue(ctx context.Context, now time.Time, limit int, fn func(o *domain.Order) error) (int, error)
	// UpdatePaymentDue applies fn to up to limit PLACED orders whose payment deadline is
	// at or before now, skipping orders another process holds; it returns how many it
	// wrote.
	UpdatePaymentDue(ctx context.Context, now time.Time, limit int, fn func(o *domain.Order) error) (int, error)
	// List pages through orders matching f, newest first.
	List(ctx context.Context, f ListFilter) (orders []*domain.Order, hasNext bool, err error)
	// TimelineAfter returns the order's transitions with Seq > afterSeq, in order.
	TimelineAfter(ctx context.Context, orderID string, afterSeq int) ([]domain.Transition, error)
	// RestaurantOrderHeads returns the newest timeline entry of the restaurant's orders
	// written at or after changedSince and, when open, of those not in a terminal status:
	// at most limit, the most recently written, oldest write first.
	RestaurantOrderHeads(ctx context.Context, restaurantID string, changedSince time.Time, open bool, limit int) ([]OrderHead, error)
}

// OrderHead names an order's newest timeline entry.
type OrderHead struct {
	OrderID string
	Seq     int
}

// ListFilter selects orders; exactly one of CustomerID and RestaurantID is set.
type ListFilter struct {
	CustomerID, RestaurantID string
	Statuses                 []domain.Status
	// After is an opaque cursor from a previous page ("" for the first page).
	After string
	First int
}

// QuoteLine is one line of a cart to price.
type QuoteLine struct {
	MenuItemID string
	Quantity   int
	OptionIDs  []string
}

// Quote is the restaurants subgraph's authoritative price of a cart.
type Quote struct {
	RestaurantID   string
	Currency       string
	Lines          []domain.Line
	Subtotal       domain.Money
	Available      bool
	RestaurantOpen bool
	// Unavailable explains, per line, why it cannot be ordered (empty when available).
	Unavailable []string
}

// PriceQuoter prices a cart (the restaurants subgraph's quote).
type PriceQuoter interface {
	Quote(ctx context.Context, restaurantID string, lines []QuoteLine) (Quote, error)
}

// QuoteInputError is a cart the quoter refuses as invalid (unknown item, bad options).
type QuoteInputError struct {
	Field, Message string
}

func (e *QuoteInputError) Error() string { return e.Field + ": " + e.Message }
