package sagasim

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/dizhtime/dizhtime/events"
	"github.com/dizhtime/dizhtime/events/contracts"
	"github.com/dizhtime/dizhtime/subgraphs/orders/adapters"
	"github.com/dizhtime/dizhtime/subgraphs/orders/app"
	"github.com/dizhtime/dizhtime/subgraphs/orders/domain"
)

// OrdersStore is the orders database in memory: the orders, their idempotency keys, the
// consumers' processed event ids and the outbox. It implements app.Repository with the
// PostgreSQL adapter's semantics (every write and its events in one transaction).
type OrdersStore struct {
	orders    map[string]*domain.Order
	byKey     map[string]string
	ids       []string
	processed map[string]bool
	outbox    *Outbox
}

// NewOrdersStore is an empty orders database publishing through ob.
func NewOrdersStore(ob *Outbox) *OrdersStore {
	return &OrdersStore{orders: map[string]*domain.Order{}, byKey: map[string]string{}, processed: map[string]bool{}, outbox: ob}
}

// ordersTx is the repository inside one transaction (j nil: each call is its own).
type ordersTx struct {
	s *OrdersStore
	j *journal
}

// Repository is the store outside any transaction (each call commits on its own).
func (s *OrdersStore) Repository() app.Repository { return ordersTx{s: s} }

// in runs fn in the caller's transaction, or in its own one.
func (r ordersTx) in(fn func(j *journal) error) error {
	if r.j != nil {
		return fn(r.j)
	}
	j := &journal{}
	if err := fn(j); err != nil {
		j.rollback()
		return err
	}
	return nil
}

func cloneOrder(o *domain.Order) *domain.Order {
	c := *o
	c.Lines = slices.Clone(o.Lines)
	for i := range c.Lines {
		c.Lines[i].Options = slices.Clone(c.Lines[i].Options)
	}
	c.Timeline = slices.Clone(o.Timeline)
	if o.AcceptBy != nil {
		t := *o.AcceptBy
		c.AcceptBy = &t
	}
	if o.PayBy != nil {
		t := *o.PayBy
		c.PayBy = &t
	}
	return &c
}

func (r ordersTx) Create(ctx context.Context, o *domain.Order) (*domain.Order, bool, error) {
	var (
		stored  *domain.Order
		existed bool
	)
	err := r.in(func(j *journal) error {
		key := o.CustomerID + "\x00" + o.IdempotencyKey
		if id, ok := r.s.byKey[key]; ok {
			existed, stored = true, cloneOrder(r.s.orders[id])
			return nil
		}
		created := cloneOrder(o)
		created.Version = 1
		setKey(j, r.s.byKey, key, o.ID)
		setKey(j, r.s.orders, o.ID, created)
		appendTo(j, &r.s.ids, o.ID)
		ev, err := events.New(ctx, adapters.Source, o.ID, orderCreated(o))
		if err != nil {
			return err
		}
		r.s.outbox.add(j, ev)
		stored = cloneOrder(created)
		return nil
	})
	return stored, existed, err
}

func (r ordersTx) Get(_ context.Context, id string) (*domain.Order, error) {
	o, ok := r.s.orders[id]
	if !ok {
		return nil, domain.ErrNotFound
	}
	return cloneOrder(o), nil
}

func (r ordersTx) Update(ctx context.Context, id string, fn func(o *domain.Order) error) (*domain.Order, error) {
	var out *domain.Order
	err := r.in(func(j *journal) error {
		o, err := r.lockedUpdate(ctx, j, id, fn)
		out = o
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (r ordersTx) lockedUpdate(ctx context.Context, j *journal, id string, fn func(o *domain.Order) error) (*domain.Order, error) {
	stored, ok := r.s.orders[id]
	if !ok {
		return nil, domain.ErrNotFound
	}
	o := cloneOrder(stored)
	before := len(o.Timeline)
	if err := fn(o); err != nil {
		return nil, err
	}
	o.Version = stored.Version + 1
	setKey(j, r.s.orders, id, cloneOrder(o))
	for _, t := range o.Timeline[before:] {
		if t.From == "" {
			continue
		}
		var payload events.Payload = orderStatusChanged(o, t)
		if t.IsRefundRequest() {
			payload = refundRequested(o, t)
		}
		ev, err := events.New(ctx, adapters.Source, o.ID, payload)
		if err != nil {
			return nil, err
		}
		r.s.outbox.add(j, ev)
	}
	return o, nil
}

func (r ordersTx) UpdateAcceptanceDue(ctx context.Context, now time.Time, limit int, fn func(o *domain.Order) error) (int, error) {
	return r.updateDue(ctx, limit, fn, func(o *domain.Order) *time.Time {
		if o.Status == domain.StatusPaid && o.AcceptBy != nil && !o.AcceptBy.After(now) {
			return o.AcceptBy
		}
		return nil
	})
}

func (r ordersTx) UpdatePaymentDue(ctx context.Context, now time.Time, limit int, fn func(o *domain.Order) error) (int, error) {
	return r.updateDue(ctx, limit, fn, func(o *domain.Order) *time.Time {
		if o.Status == domain.StatusPlaced && o.PayBy != nil && !o.PayBy.After(now) {
			return o.PayBy
		}
		return nil
	})
}

// updateDue applies fn, in one transaction, to up to limit orders whose deadline (due
// returns it, nil when not due) passed, earliest first.
func (r ordersTx) updateDue(ctx context.Context, limit int, fn func(o *domain.Order) error, due func(o *domain.Order) *time.Time) (int, error) {
	n := 0
	err := r.in(func(j *journal) error {
		type dueOrder struct {
			id string
			at time.Time
		}
		var ds []dueOrder
		for _, id := range r.s.ids {
			if at := due(r.s.orders[id]); at != nil {
				ds = append(ds, dueOrder{id, *at})
			}
		}
		slices.SortStableFunc(ds, func(a, b dueOrder) int { return a.at.Compare(b.at) })
		for _, d := range ds {
			if n >= limit {
				break
			}
			if _, err := r.lockedUpdate(ctx, j, d.id, fn); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	return n, err
}

func (r ordersTx) List(_ context.Context, f app.ListFilter) ([]*domain.Order, bool, error) {
	if f.After != "" {
		return nil, false, errors.New("sagasim orders store: cursors are not simulated")
	}
	var out []*domain.Order
	for i := len(r.s.ids) - 1; i >= 0; i-- {
		o := r.s.orders[r.s.ids[i]]
		if (f.CustomerID != "" && o.CustomerID != f.CustomerID) || (f.RestaurantID != "" && o.RestaurantID != f.RestaurantID) {
			continue
		}
		if len(f.Statuses) > 0 && !slices.Contains(f.Statuses, o.Status) {
			continue
		}
		if len(out) == f.First {
			return out, true, nil
		}
		out = append(out, cloneOrder(o))
	}
	return out, false, nil
}

func (r ordersTx) TimelineAfter(_ context.Context, orderID string, afterSeq int) ([]domain.Transition, error) {
	o, ok := r.s.orders[orderID]
	if !ok {
		return nil, nil
	}
	var out []domain.Transition
	for _, t := range o.Timeline {
		if t.Seq > afterSeq {
			out = append(out, t)
		}
	}
	return out, nil
}

func (r ordersTx) RestaurantOrderHeads(context.Context, string, time.Time, bool, int) ([]app.OrderHead, error) {
	return nil, errors.New("sagasim orders store: live restaurant feeds are not simulated")
}

// The payloads below are copied from adapters/order_events.go (unexported there): the
// order.created v2, order.status.changed v2 and payment.refund.requested v1 the
// PostgreSQL repository publishes.

func orderCreated(o *domain.Order) contracts.OrderCreatedV2 {
	items := make([]contracts.OrderItem, len(o.Lines))
	for i, l := range o.Lines {
		items[i] = contracts.OrderItem{MenuItemID: l.MenuItemID, Name: l.Name, Quantity: l.Quantity,
			UnitPrice: contractMoney(l.UnitPrice)}
	}
	a := o.DeliveryAddress
	return contracts.OrderCreatedV2{
		OrderID: o.ID, CustomerID: o.CustomerID, RestaurantID: o.RestaurantID, Items: items,
		Subtotal: contractMoney(o.Subtotal), DeliveryFee: contractMoney(o.DeliveryFee), Total: contractMoney(o.Total),
		PointsRedeemed:  o.PointsRedeemed,
		DeliveryAddress: contracts.Address{Line1: a.Line1, City: a.City, Lat: o.DeliveryAt.Lat, Lng: o.DeliveryAt.Lng},
		PlacedAt:        o.PlacedAt,
	}
}

func orderStatusChanged(o *domain.Order, t domain.Transition) contracts.OrderStatusChangedV2 {
	return contracts.OrderStatusChangedV2{
		OrderID: o.ID, CustomerID: o.CustomerID, RestaurantID: o.RestaurantID,
		From: t.From.EventName(), To: t.To.EventName(), Actor: adapters.ContractActor(t.Actor), Reason: t.Reason,
		ChangedAt: t.At,
	}
}

func refundRequested(o *domain.Order, t domain.Transition) contracts.PaymentRefundRequestedV1 {
	return contracts.PaymentRefundRequestedV1{
		OrderID: o.ID, PaymentID: t.RefundOf, CustomerID: o.CustomerID, Amount: contractMoney(o.Total),
		Reason: contracts.RefundLatePayment, Message: t.Reason, RequestedAt: t.At,
	}
}

func contractMoney(m domain.Money) contracts.Money {
	return contracts.Money{AmountMinor: m.Minor, Currency: m.Currency}
}
