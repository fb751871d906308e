package adapters

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/dizhtime/dizhtime/events"
	"github.com/dizhtime/dizhtime/events/outbox"
	"github.com/dizhtime/dizhtime/subgraphs/orders/app"
	"github.com/dizhtime/dizhtime/subgraphs/orders/domain"
)

// Source names the orders service on the events it produces.
const Source = "orders"

// OrdersRepository is app.Repository on PostgreSQL. Writes lock the order row (SELECT
// ... FOR UPDATE) and check its version, so concurrent transitions of one order
// serialize: the second sees the first's result and the transition table decides.
type OrdersRepository struct {
	pool   *pgxpool.Pool
	tx     pgx.Tx // set on a repository bound to a caller's transaction
	outbox *outbox.Outbox
}

// NewOrdersRepository returns the repository.
func NewOrdersRepository(pool *pgxpool.Pool, ob *outbox.Outbox) *OrdersRepository {
	return &OrdersRepository{pool: pool, outbox: ob}
}

// InTx returns the repository working inside tx (an event consumer's transaction): its
// writes commit or roll back with tx.
func (r *OrdersRepository) InTx(tx pgx.Tx) app.Repository {
	return &OrdersRepository{pool: r.pool, tx: tx, outbox: r.outbox}
}

var _ app.Repository = (*OrdersRepository)(nil)

func (r *OrdersRepository) inTx(ctx context.Context, fn func(tx pgx.Tx) error) error {
	if r.tx != nil {
		return fn(r.tx)
	}
	return pgx.BeginFunc(ctx, r.pool, fn)
}

func (r *OrdersRepository) querier() interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
} {
	if r.tx != nil {
		return r.tx
	}
	return r.pool
}

type lineJSON struct {
	MenuItemID string       `json:"menu_item_id"`
	Name       string       `json:"name"`
	Options    []optionJSON `json:"options,omitempty"`
	Quantity   int          `json:"quantity"`
	UnitMinor  int64        `json:"unit_minor"`
	LineMinor  int64        `json:"line_minor"`
}

type optionJSON struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	GroupID    string `json:"group_id"`
	DeltaMinor int64  `json:"delta_minor"`
}

type addressJSON struct {
	Line1      string `json:"line1"`
	Line2      string `json:"line2,omitempty"`
	City       string `json:"city"`
	PostalCode string `json:"postal_code,omitempty"`
	Country    string `json:"country,omitempty"`
}

const orderColumns = `id::text, customer_id, restaurant_id, idempotency_key, status, version, currency,
	subtotal_minor, delivery_fee_minor, points_redeemed, total_minor, lines, delivery_address,
	delivery_lat, delivery_lng, accept_by, driver_id, placed_at, pay_by`

func scanOrder(row pgx.Row) (*domain.Order, error) {
	var (
		o                 domain.Order
		status, currency  string
		sub, fee, total   int64
		linesRaw, addrRaw []byte
		acceptBy, payBy   *time.Time
		lines             []lineJSON
		addr              addressJSON
	)
	err := row.Scan(&o.ID, &o.CustomerID, &o.RestaurantID, &o.IdempotencyKey, &status, &o.Version, &currency,
		&sub, &fee, &o.PointsRedeemed, &total, &linesRaw, &addrRaw, &o.DeliveryAt.Lat, &o.DeliveryAt.Lng,
		&acceptBy, &o.DriverID, &o.PlacedAt, &payBy)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, domain.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(linesRaw, &lines); err != nil {
		return nil, fmt.Errorf("order %s lines: %w", o.ID, err)
	}
	if err := json.Unmarshal(addrRaw, &addr); err != nil {
		return nil, fmt.Errorf("order %s address: %w", o.ID, err)
	}
	money := func(m int64) domain.Money { return domain.Money{Minor: m, Currency: currency} }
	for _, l := range lines {
		dl := domain.Line{MenuItemID: l.MenuItemID, Name: l.Name, Quantity: l.Quantity,
			UnitPrice: money(l.UnitMinor), LineTotal: money(l.LineMinor)}
		for _, op := range l.Options {
			dl.Options = append(dl.Options, domain.ChosenOption{ID: op.ID, Name: op.Name, GroupID: op.GroupID, PriceDelta: money(op.DeltaMinor)})
		}
		o.Lines = append(o.Lines, dl)
	}
	o.Status = domain.Status(status)
	o.Subtotal, o.DeliveryFee, o.Total = money(sub), money(fee), money(total)
	o.DeliveryAddress = domain.Address{Line1: addr.Line1, Line2: addr.Line2, City: addr.City, PostalCode: addr.PostalCode, Country: addr.Country}
	if acceptBy != nil {
		t := acceptBy.UTC()
		o.AcceptBy = &t
	}
	if payBy != nil {
		t := payBy.UTC()
		o.PayBy = &t
	}
	o.PlacedAt = o.PlacedAt.UTC()
	return &o, nil
}

const selectTransitions = `SELECT seq, from_status, to_status, at, actor, reason, refund_of FROM order_transitions
	WHERE order_id = $1 AND seq > $2 ORDER BY seq`

func readTransitions(ctx context.Context, q interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}, orderID string, after int) ([]domain.Transition, error) {
	rows, _ := q.Query(ctx, selectTransitions, orderID, after)
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (domain.Transition, error) {
		var (
			t        domain.Transition
			from, to string
		)
		err := row.Scan(&t.Seq, &from, &to, &t.At, &t.Actor, &t.Reason, &t.RefundOf)
		t.From, t.To, t.At = domain.Status(from), domain.Status(to), t.At.UTC()
		return t, err
	})
}

func validID(id string) bool {
	_, err := uuid.Parse(id)
	return err == nil
}

// Get returns the order with its timeline.
func (r *OrdersRepository) Get(ctx context.Context, id string) (*domain.Order, error) {
	if !validID(id) {
		return nil, domain.ErrNotFound
	}
	q := r.querier()
	o, err := scanOrder(q.QueryRow(ctx, `SELECT `+orderColumns+` FROM orders WHERE id = $1`, id))
	if err != nil {
		return nil, err
	}
	if o.Timeline, err = readTransitions(ctx, q, id, 0); err != nil {
		return nil, fmt.Errorf("order %s timeline: %w", id, err)
	}
	return o, nil
}

// TimelineAfter returns the transitions after seq afterSeq.
func (r *OrdersRepository) TimelineAfter(ctx context.Context, orderID string, afterSeq int) ([]domain.Transition, error) {
	if !validID(orderID) {
		return nil, domain.ErrNotFound
	}
	return readTransitions(ctx, r.querier(), orderID, afterSeq)
}

// Create inserts a PLACED order with order.created, once per customer and key.
func (r *OrdersRepository) Create(ctx context.Context, o *domain.Order) (*domain.Order, bool, error) {
	lines := make([]lineJSON, len(o.Lines))
	for i, l := range o.Lines {
		lines[i] = lineJSON{MenuItemID: l.MenuItemID, Name: l.Name, Quantity: l.Quantity,
			UnitMinor: l.UnitPrice.Minor, LineMinor: l.LineTotal.Minor}
		for _, op := range l.Options {
			lines[i].Options = append(lines[i].Options, optionJSON{ID: op.ID, Name: op.Name, GroupID: op.GroupID, DeltaMinor: op.PriceDelta.Minor})
		}
	}
	a := o.DeliveryAddress
	addr := addressJSON{Line1: a.Line1, Line2: a.Line2, City: a.City, PostalCode: a.PostalCode, Country: a.Country}
	var (
		stored  *domain.Order
		existed bool
	)
	err := r.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `INSERT INTO orders (id, customer_id, restaurant_id, idempotency_key, status, version,
			currency, subtotal_minor, delivery_fee_minor, points_redeemed, total_minor, lines, delivery_address,
			delivery_lat, delivery_lng, accept_by, driver_id, placed_at, updated_at, pay_by)
			VALUES ($1,$2,$3,$4,$5,1,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$17,$18)
			ON CONFLICT (customer_id, idempotency_key) DO NOTHING`,
			o.ID, o.CustomerID, o.RestaurantID, o.IdempotencyKey, string(o.Status), o.Total.Currency,
			o.Subtotal.Minor, o.DeliveryFee.Minor, o.PointsRedeemed, o.Total.Minor, lines, addr,
			o.DeliveryAt.Lat, o.DeliveryAt.Lng, o.AcceptBy, o.DriverID, o.PlacedAt, o.PayBy)
		if err != nil {
			return fmt.Errorf("insert order: %w", err)
		}
		if tag.RowsAffected() == 0 {
			existed = true
			var id string
			if err := tx.QueryRow(ctx, `SELECT id::text FROM orders WHERE customer_id = $1 AND idempotency_key = $2`,
				o.CustomerID, o.IdempotencyKey).Scan(&id); err != nil {
				return fmt.Errorf("order of idempotency key: %w", err)
			}
			stored, err = (&OrdersRepository{pool: r.pool, tx: tx}).Get(ctx, id)
			return err
		}
		created := *o
		created.Version = 1
		if _, err := r.writeTransitions(ctx, tx, &created, 0); err != nil {
			return err
		}
		ev, err := events.New(ctx, Source, o.ID, orderCreated(o))
		if err != nil {
			return err
		}
		// order.created announces the order; its PLACED entry has no status event.
		if err := r.outbox.Add(ctx, tx, ev); err != nil {
			return err
		}
		stored = &created
		return nil
	})
	if err != nil {
		return nil, false, err
	}
	return stored, existed, nil
}

// writeTransitions inserts o's timeline entries after index from and returns their
// events: order.status.changed for a transition (not the PLACED entry), and
// payment.refund.requested for a refund request.
func (r *OrdersRepository) writeTransitions(ctx context.Context, tx pgx.Tx, o *domain.Order, from int) ([]events.Envelope, error) {
	fresh := o.Timeline[from:]
	if len(fresh) == 0 {
		return nil, nil
	}
	b := &pgx.Batch{}
	var evs []events.Envelope
	for _, t := range fresh {
		b.Queue(`INSERT INTO order_transitions (order_id, seq, from_status, to_status, at, actor, reason, refund_of)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$8)`, o.ID, t.Seq, string(t.From), string(t.To), t.At, t.Actor, t.Reason, t.RefundOf)
		if t.From == "" {
			continue
		}
		var payload events.Payload = orderStatusChanged(o, t)
		if t.IsRefundRequest() {
			payload = refundRequested(o, t)
		}
		ev, err := events.New(ctx, Source, o.ID, payload)
		if err != nil {
			return nil, err
		}
		evs = append(evs, ev)
	}
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return nil, fmt.Errorf("insert transitions of %s: %w", o.ID, err)
	}
	return evs, nil
}

// Update applies fn to the locked order and writes the result, its new transitions and
// their order.status.changed events in one transaction.
func (r *OrdersRepository) Update(ctx context.Context, id string, fn func(o *domain.Order) error) (*domain.Order, error) {
	if !validID(id) {
		return nil, domain.ErrNotFound
	}
	var out *domain.Order
	err := r.inTx(ctx, func(tx pgx.Tx) error {
		o, err := r.lockedUpdate(ctx, tx, id, fn)
		out = o
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (r *OrdersRepository) lockedUpdate(ctx context.Context, tx pgx.Tx, id string, fn func(o *domain.Order) error) (*domain.Order, error) {
	o, err := scanOrder(tx.QueryRow(ctx, `SELECT `+orderColumns+` FROM orders WHERE id = $1 FOR UPDATE`, id))
	if err != nil {
		return nil, err
	}
	if o.Timeline, err = readTransitions(ctx, tx, id, 0); err != nil {
		return nil, err
	}
	before, version := len(o.Timeline), o.Version
	if err := fn(o); err != nil {
		return nil, err
	}
	tag, err := tx.Exec(ctx, `UPDATE orders SET status = $3, version = version + 1, accept_by = $4, driver_id = $5,
		pay_by = $6, updated_at = now() WHERE id = $1 AND version = $2`, id, version, string(o.Status), o.AcceptBy, o.DriverID, o.PayBy)
	if err != nil {
		return nil, fmt.Errorf("update order %s: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return nil, app.ErrConcurrentUpdate
	}
	o.Version = version + 1
	evs, err := r.writeTransitions(ctx, tx, o, before)
	if err != nil {
		return nil, err
	}
	if err := r.outbox.Add(ctx, tx, evs...); err != nil {
		return nil, err
	}
	return o, nil
}

// UpdateAcceptanceDue applies fn to PAID orders past their acceptance deadline, skipping
// rows another process has locked, in one transaction.
func (r *OrdersRepository) UpdateAcceptanceDue(ctx context.Context, now time.Time, limit int, fn func(o *domain.Order) error) (int, error) {
	n := 0
	err := r.inTx(ctx, func(tx pgx.Tx) error {
		rows, _ := tx.Query(ctx, `SELECT id::text FROM orders WHERE status = 'PAID' AND accept_by <= $1
			ORDER BY accept_by LIMIT $2 FOR UPDATE SKIP LOCKED`, now, limit)
		ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return fmt.Errorf("due acceptance deadlines: %w", err)
		}
		for _, id := range ids {
			if _, err := r.lockedUpdate(ctx, tx, id, fn); err != nil {
				return fmt.Errorf("expire order %s: %w", id, err)
			}
			n++
		}
		return nil
	})
	return n, err
}

// UpdatePaymentDue applies fn to PLACED orders past their payment deadline, skipping
// rows another process has locked, in one transaction.
func (r *OrdersRepository) UpdatePaymentDue(ctx context.Context, now time.Time, limit int, fn func(o *domain.Order) error) (int, error) {
	n := 0
	err := r.inTx(ctx, func(tx pgx.Tx) error {
		rows, _ := tx.Query(ctx, `SELECT id::text FROM orders WHERE status = 'PLACED' AND pay_by <= $1
			ORDER BY pay_by LIMIT $2 FOR UPDATE SKIP LOCKED`, now, limit)
		ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return fmt.Errorf("due payment deadlines: %w", err)
		}
		for _, id := range ids {
			if _, err := r.lockedUpdate(ctx, tx, id, fn); err != nil {
				return fmt.Errorf("expire payment of order %s: %w", id, err)
			}
			n++
		}
		return nil
	})
	return n, err
}

// List pages through orders, newest first, with keyset cursors.
func (r *OrdersRepository) List(ctx context.Context, f app.ListFilter) ([]*domain.Order, bool, error) {
	where := []string{}
	args := []any{}
	arg := func(v any) string { args = append(args, v); return "$" + strconv.Itoa(len(args)) }
	switch {
	case f.CustomerID != "":
		where = append(where, "customer_id = "+arg(f.CustomerID))
	case f.RestaurantID != "":
		where = append(where, "restaurant_id = "+arg(f.RestaurantID))
	default:
		return nil, false, errors.New("list orders: a customer or a restaurant is required")
	}
	if len(f.Statuses) > 0 {
		ss := make([]string, len(f.Statuses))
		for i, s := range f.Statuses {
			ss[i] = string(s)
		}
		where = append(where, "status = ANY("+arg(ss)+")")
	}
	if f.After != "" {
		at, id, err := app.DecodeCursor(f.After)
		if err != nil || !validID(id) {
			return nil, false, &domain.InputError{Field: "after", Reason: "not a cursor from this connection"}
		}
		where = append(where, "(placed_at, id) < ("+arg(at)+", "+arg(id)+"::uuid)")
	}
	q := `SELECT ` + orderColumns + ` FROM orders WHERE ` + strings.Join(where, " AND ") +
		` ORDER BY placed_at DESC, id DESC LIMIT ` + arg(f.First+1)
	rows, err := r.querier().Query(ctx, q, args...)
	if err != nil {
		return nil, false, fmt.Errorf("list orders: %w", err)
	}
	var out []*domain.Order
	for rows.Next() {
		o, err := scanOrder(rows)
		if err != nil {
			rows.Close()
			return nil, false, err
		}
		out = append(out, o)
	}
	if err := rows.Err(); err != nil {
		return nil, false, fmt.Errorf("list orders: %w", err)
	}
	hasNext := len(out) > f.First
	if hasNext {
		out = out[:f.First]
	}
	for _, o := range out {
		if o.Timeline, err = readTransitions(ctx, r.querier(), o.ID, 0); err != nil {
			return nil, false, err
		}
	}
	return out, hasNext, nil
}
