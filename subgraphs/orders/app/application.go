package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/dizhtime/dizhtime/platform/authz"
	"github.com/dizhtime/dizhtime/platform/graphqlerr"
	"github.com/dizhtime/dizhtime/subgraphs/orders/domain"
)

// Config tunes the application.
type Config struct {
	// AcceptanceTimeout is how long a restaurant has to accept a paid order.
	AcceptanceTimeout time.Duration
	// PaymentTimeout is how long the wallet has to answer for a PLACED order before it
	// fails with reason payment_timeout; 0 means DefaultPaymentTimeout.
	PaymentTimeout time.Duration
	// DeliveryFee is the flat fee added to every order, in the order's currency.
	DeliveryFeeMinor int64
	// LivePollInterval is how often a live subscription re-reads the database without a
	// doorbell (what covers a lost one); 0 means DefaultLivePollInterval.
	LivePollInterval time.Duration
}

// DefaultPaymentTimeout is how long a PLACED order waits for the wallet by default.
const DefaultPaymentTimeout = 2 * time.Minute

// Application is the orders use cases.
type Application struct {
	repo    Repository
	quoter  PriceQuoter
	checker authz.Checker
	hub     *Hub
	cfg     Config
	log     *slog.Logger
	now     func() time.Time
}

// New returns the application; every dependency is required.
func New(repo Repository, quoter PriceQuoter, checker authz.Checker, hub *Hub, cfg Config, log *slog.Logger) (*Application, error) {
	if repo == nil || quoter == nil || checker == nil || hub == nil {
		return nil, errors.New("orders app: repository, quoter, relation checker and hub are required")
	}
	if cfg.AcceptanceTimeout <= 0 {
		return nil, errors.New("orders app: acceptance timeout must be positive")
	}
	if cfg.PaymentTimeout < 0 {
		return nil, errors.New("orders app: payment timeout must not be negative")
	}
	if cfg.PaymentTimeout == 0 {
		cfg.PaymentTimeout = DefaultPaymentTimeout
	}
	if cfg.LivePollInterval < 0 {
		return nil, errors.New("orders app: live poll interval must not be negative")
	}
	if cfg.LivePollInterval == 0 {
		cfg.LivePollInterval = DefaultLivePollInterval
	}
	if log == nil {
		log = slog.Default()
	}
	return &Application{repo: repo, quoter: quoter, checker: checker, hub: hub, cfg: cfg, log: log,
		now: func() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }}, nil
}

// Hub is the application's live-update fan-out.
func (a *Application) Hub() *Hub { return a.hub }

// PlaceOrderCommand is a customer's checkout.
type PlaceOrderCommand struct {
	RestaurantID    string
	Lines           []QuoteLine
	DeliveryAddress domain.Address
	DeliveryAt      domain.Location
	PointsToRedeem  int64
	IdempotencyKey  string
}

// PlaceOrder prices the cart with the restaurants quote and stores a PLACED order, which
// emits order.created (the wallet charges it). The same key from the same customer
// returns the first order; the same key for a different checkout is CONFLICT.
func (a *Application) PlaceOrder(ctx context.Context, cmd PlaceOrderCommand) (*domain.Order, error) {
	who, err := authz.RequireAuthenticated(ctx)
	if err != nil {
		return nil, err
	}
	key := strings.TrimSpace(cmd.IdempotencyKey)
	if key == "" || len(key) > 200 {
		return nil, graphqlerr.BadUserInput("idempotencyKey", "give 1 to 200 characters, the same for every retry of one checkout")
	}
	if cmd.RestaurantID == "" {
		return nil, graphqlerr.BadUserInput("restaurantId", "is required")
	}
	if len(cmd.Lines) == 0 || len(cmd.Lines) > domain.MaxLines {
		return nil, graphqlerr.BadUserInput("lines", fmt.Sprintf("list 1 to %d lines", domain.MaxLines))
	}
	q, err := a.quoter.Quote(ctx, cmd.RestaurantID, cmd.Lines)
	if qe := (*QuoteInputError)(nil); errors.As(err, &qe) {
		return nil, graphqlerr.BadUserInput(qe.Field, qe.Message)
	}
	if err != nil {
		return nil, graphqlerr.Internal(fmt.Errorf("quote: %w", err))
	}
	switch {
	case !q.RestaurantOpen:
		return nil, graphqlerr.Conflict("the restaurant is closed")
	case !q.Available:
		return nil, graphqlerr.Conflict("not everything in the cart is available: " + strings.Join(q.Unavailable, "; "))
	}
	id, err := uuid.NewV7()
	if err != nil {
		return nil, graphqlerr.Internal(err)
	}
	o, err := domain.NewOrder(domain.NewOrderParams{
		ID: id.String(), CustomerID: who.UserID, RestaurantID: cmd.RestaurantID, IdempotencyKey: key,
		Lines: q.Lines, DeliveryFee: domain.Money{Minor: a.cfg.DeliveryFeeMinor, Currency: q.Currency},
		PointsRedeemed: cmd.PointsToRedeem, DeliveryAddress: cmd.DeliveryAddress, DeliveryAt: cmd.DeliveryAt,
		At: a.now(), PayWithin: a.cfg.PaymentTimeout,
	})
	if err != nil {
		return nil, clientError(err)
	}
	stored, existed, err := a.repo.Create(ctx, o)
	if err != nil {
		return nil, clientError(err)
	}
	if existed && !sameCheckout(stored, o) {
		return nil, graphqlerr.Conflict("idempotencyKey was already used for another checkout (restaurant, lines, points or address differ); use a new key for a new order")
	}
	return stored, nil
}

// sameCheckout reports whether placed (the order stored under a key) and retry ask for
// the same thing: restaurant, items with their quantities and options, points and
// where to deliver. Prices are not compared: a retry after a price change is still the
// same checkout, and the customer pays what was quoted first.
func sameCheckout(placed, retry *domain.Order) bool {
	if placed.RestaurantID != retry.RestaurantID || placed.PointsRedeemed != retry.PointsRedeemed ||
		placed.DeliveryAddress != retry.DeliveryAddress || placed.DeliveryAt != retry.DeliveryAt ||
		len(placed.Lines) != len(retry.Lines) {
		return false
	}
	for i, l := range placed.Lines {
		r := retry.Lines[i]
		if l.MenuItemID != r.MenuItemID || l.Quantity != r.Quantity || len(l.Options) != len(r.Options) {
			return false
		}
		for j, op := range l.Options {
			if op.ID != r.Options[j].ID {
				return false
			}
		}
	}
	return true
}

// staffTransition authorizes restaurant staff (or an admin) of the order's restaurant and
// applies change.
func (a *Application) staffTransition(ctx context.Context, orderID string, change func(o *domain.Order, actor string, at time.Time) error) (*domain.Order, error) {
	if _, err := authz.RequireAuthenticated(ctx); err != nil {
		return nil, err
	}
	o, err := a.repo.Get(ctx, orderID)
	if err != nil {
		return nil, clientError(err)
	}
	who, err := authz.RequireRelation(ctx, a.checker, "restaurant", o.RestaurantID, "staff")
	if err != nil {
		return nil, err
	}
	actor := "staff:" + who.UserID
	if who.HasRole(authz.RoleAdmin) {
		actor = "admin:" + who.UserID
	}
	updated, err := a.repo.Update(ctx, orderID, func(o *domain.Order) error { return change(o, actor, a.now()) })
	if err != nil {
		return nil, clientError(err)
	}
	return updated, nil
}

// AcceptOrder is the restaurant taking a paid order.
func (a *Application) AcceptOrder(ctx context.Context, orderID string) (*domain.Order, error) {
	return a.staffTransition(ctx, orderID, func(o *domain.Order, actor string, at time.Time) error { return o.Accept(actor, at) })
}

// RejectOrder is the restaurant turning a paid order down (the wallet refunds it).
func (a *Application) RejectOrder(ctx context.Context, orderID, reason string) (*domain.Order, error) {
	if strings.TrimSpace(reason) == "" {
		return nil, graphqlerr.BadUserInput("reason", "say why the order is rejected")
	}
	return a.staffTransition(ctx, orderID, func(o *domain.Order, actor string, at time.Time) error {
		return o.Reject(actor, reason, at)
	})
}

// MarkPreparing: the kitchen started.
func (a *Application) MarkPreparing(ctx context.Context, orderID string) (*domain.Order, error) {
	return a.staffTransition(ctx, orderID, func(o *domain.Order, actor string, at time.Time) error { return o.StartPreparing(actor, at) })
}

// MarkReady: the food waits for its driver.
func (a *Application) MarkReady(ctx context.Context, orderID string) (*domain.Order, error) {
	return a.staffTransition(ctx, orderID, func(o *domain.Order, actor string, at time.Time) error { return o.MarkReady(actor, at) })
}

// CancelOrder is the customer (or an admin) withdrawing an order the restaurant has not
// accepted yet (the wallet refunds a paid one).
func (a *Application) CancelOrder(ctx context.Context, orderID, reason string) (*domain.Order, error) {
	if _, err := authz.RequireAuthenticated(ctx); err != nil {
		return nil, err
	}
	o, err := a.repo.Get(ctx, orderID)
	if err != nil {
		return nil, clientError(err)
	}
	who, err := authz.RequireSelfOrRole(ctx, o.CustomerID, authz.RoleAdmin)
	if err != nil {
		return nil, notFoundUnlessAllowed(err)
	}
	actor := "customer:" + who.UserID
	if who.UserID != o.CustomerID {
		actor = "admin:" + who.UserID
	}
	updated, err := a.repo.Update(ctx, orderID, func(o *domain.Order) error { return o.Cancel(actor, reason, a.now()) })
	if err != nil {
		return nil, clientError(err)
	}
	return updated, nil
}

// Order returns an order to its customer, the staff of its restaurant, or an admin.
func (a *Application) Order(ctx context.Context, id string) (*domain.Order, error) {
	if _, err := authz.RequireAuthenticated(ctx); err != nil {
		return nil, err
	}
	o, err := a.repo.Get(ctx, id)
	if err != nil {
		return nil, clientError(err)
	}
	if err := a.canRead(ctx, o); err != nil {
		return nil, err
	}
	return o, nil
}

func (a *Application) canRead(ctx context.Context, o *domain.Order) error {
	_, err := authz.RequireSelfOrRole(ctx, o.CustomerID, authz.RoleAdmin)
	if err == nil || graphqlerr.CodeOf(err) == graphqlerr.CodeUnauthenticated {
		return err
	}
	_, err = authz.RequireRelation(ctx, a.checker, "restaurant", o.RestaurantID, "staff")
	return notFoundUnlessAllowed(err)
}

// notFoundUnlessAllowed hides another customer's order: FORBIDDEN would confirm it exists.
func notFoundUnlessAllowed(err error) error {
	if graphqlerr.CodeOf(err) == graphqlerr.CodeForbidden {
		return graphqlerr.NotFound("no such order")
	}
	return err
}

// CustomerOrders pages through a user's orders: their own, or anyone's for an admin.
func (a *Application) CustomerOrders(ctx context.Context, userID string, f ListFilter) ([]*domain.Order, bool, error) {
	if _, err := authz.RequireSelfOrRole(ctx, userID, authz.RoleAdmin); err != nil {
		return nil, false, err
	}
	f.CustomerID, f.RestaurantID = userID, ""
	return a.list(ctx, f)
}

// RestaurantOrders pages through a restaurant's orders, for its staff or an admin.
func (a *Application) RestaurantOrders(ctx context.Context, restaurantID string, f ListFilter) ([]*domain.Order, bool, error) {
	if _, err := authz.RequireRelation(ctx, a.checker, "restaurant", restaurantID, "staff"); err != nil {
		return nil, false, err
	}
	f.RestaurantID, f.CustomerID = restaurantID, ""
	return a.list(ctx, f)
}

func (a *Application) list(ctx context.Context, f ListFilter) ([]*domain.Order, bool, error) {
	if f.First <= 0 {
		f.First = 20
	}
	if f.First > 100 {
		return nil, false, graphqlerr.BadUserInput("first", "at most 100")
	}
	out, next, err := a.repo.List(ctx, f)
	if err != nil {
		return nil, false, clientError(err)
	}
	return out, next, nil
}

// clientError maps domain errors to client codes; anything else is internal.
func clientError(err error) error {
	var (
		ie *domain.InputError
		te *domain.TransitionError
		ge *graphqlerr.Error
	)
	switch {
	case errors.As(err, &ge):
		return err
	case errors.As(err, &ie):
		return graphqlerr.BadUserInput(ie.Field, ie.Reason)
	case errors.As(err, &te):
		return &graphqlerr.Error{Code: graphqlerr.CodeConflict, Message: te.Error(), Cause: err}
	case errors.Is(err, domain.ErrNotFound):
		return graphqlerr.NotFound("no such order")
	case errors.Is(err, ErrConcurrentUpdate):
		return &graphqlerr.Error{Code: graphqlerr.CodeConflict, Message: "the order changed meanwhile; reload it", Cause: err}
	}
	return graphqlerr.Internal(err)
}

// ErrConcurrentUpdate: another writer changed the order between read and write.
var ErrConcurrentUpdate = errors.New("order changed concurrently")
