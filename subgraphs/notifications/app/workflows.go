package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/dizhtime/dizhtime/events"
	"github.com/dizhtime/dizhtime/events/contracts"
	"github.com/dizhtime/dizhtime/subgraphs/notifications/domain"
)

// Topics are the event types the workflows consume.
var Topics = []string{contracts.TypeOrderCreated, contracts.TypeOrderStatusChanged, contracts.TypePaymentRefunded,
	contracts.TypeDispatchAssigned, contracts.TypeDeliveryStatusChanged, contracts.TypeNotificationRequested}

// ErrBadEvent wraps an event no retry can handle (undecodable, unknown template, missing
// parameter): the consumer dead-letters it at once.
var ErrBadEvent = errors.New("bad event")

// WorkflowConfig tunes the workflows.
type WorkflowConfig struct {
	// DigestWindow collects a restaurant's new-order pushes to each staff member into one
	// summary per window (0: a push per order).
	DigestWindow time.Duration
}

// Workflows turn domain events into notifications: one workflow per event type, each
// naming the template it fills and the typed parameters it supplies, checked against the
// catalog when Workflows is built.
type Workflows struct {
	catalog *domain.Catalog
	staff   StaffDirectory
	cfg     WorkflowConfig
	now     func() time.Time
	log     *slog.Logger
}

// supplies lists, per template kind, the parameters the workflows below put in it.
var supplies = map[string]map[string]domain.ParamType{
	"restaurant.order.new":       {"OrderRef": domain.ParamText, "Total": domain.ParamMoney},
	"restaurant.order.cancelled": {"OrderRef": domain.ParamText, "Reason": domain.ParamText},
	"restaurant.orders.digest":   {"Count": domain.ParamInt},
	"driver.assigned":            {"OrderRef": domain.ParamText, "PickupETA": domain.ParamTime},
	"driver.unassigned":          {"OrderRef": domain.ParamText},
	"wallet.refunded":            {"Amount": domain.ParamMoney, "OrderRef": domain.ParamText, "Reason": domain.ParamText},
}

func init() {
	for _, s := range []string{contracts.OrderPlaced, contracts.OrderPaid, contracts.OrderAccepted, contracts.OrderPreparing,
		contracts.OrderReadyForPickup, contracts.OrderPickedUp, contracts.OrderDelivered} {
		supplies["order."+s] = map[string]domain.ParamType{"OrderRef": domain.ParamText}
	}
	supplies["order."+contracts.OrderPlaced]["Total"] = domain.ParamMoney
	for _, s := range []string{contracts.OrderPaymentFailed, contracts.OrderRejected, contracts.OrderCancelled, contracts.OrderDeliveryFailed} {
		supplies["order."+s] = map[string]domain.ParamType{"OrderRef": domain.ParamText, "Reason": domain.ParamText}
	}
}

// NewWorkflows checks that the catalog has every template a workflow fills, with exactly
// the parameters it supplies: a mismatch is an error at start.
func NewWorkflows(catalog *domain.Catalog, staff StaffDirectory, cfg WorkflowConfig, log *slog.Logger) (*Workflows, error) {
	if catalog == nil || staff == nil || log == nil {
		return nil, errors.New("workflows: catalog, staff directory and logger are required")
	}
	var errs []error
	for kind, params := range supplies {
		errs = append(errs, catalog.Require(kind, params))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("workflows: %w", err)
	}
	return &Workflows{catalog: catalog, staff: staff, cfg: cfg, now: time.Now, log: log}, nil
}

// intent is one notification a workflow wants: a template for a recipient.
type intent struct {
	recipient string
	kind      string
	params    domain.Params
	orderID   string
	// digest: group pushes into the restaurant's digest window.
	digest string
}

// Handle runs the workflow of e's type, recording its notifications through rec (inside
// the consumer's transaction, so they commit with the event's processed mark).
func (w *Workflows) Handle(ctx context.Context, rec Recorder, e events.Envelope) error {
	intents, err := w.intents(ctx, e)
	if err != nil {
		return err
	}
	for _, in := range intents {
		if err := w.record(ctx, rec, e.ID, in); err != nil {
			return err
		}
	}
	return nil
}

func (w *Workflows) intents(ctx context.Context, e events.Envelope) ([]intent, error) {
	bad := func(err error) error { return fmt.Errorf("%w: %s %s: %v", ErrBadEvent, e.Type, e.ID, err) }
	switch e.Type {
	case contracts.TypeOrderCreated:
		var p contracts.OrderCreatedV2
		if err := e.Decode(&p); err != nil {
			return nil, bad(err)
		}
		total := domain.Money{AmountMinor: p.Total.AmountMinor, Currency: p.Total.Currency}
		out := []intent{{recipient: p.CustomerID, kind: "order.placed", orderID: p.OrderID,
			params: domain.Params{"OrderRef": orderRef(p.OrderID), "Total": total}}}
		if p.RestaurantID == "" {
			return out, nil
		}
		staff, err := w.staff.Staff(ctx, p.RestaurantID)
		if err != nil {
			return nil, fmt.Errorf("staff of restaurant %s: %w", p.RestaurantID, err)
		}
		for _, s := range staff {
			out = append(out, intent{recipient: s, kind: "restaurant.order.new", orderID: p.OrderID,
				params: domain.Params{"OrderRef": orderRef(p.OrderID), "Total": total}, digest: p.RestaurantID})
		}
		return out, nil
	case contracts.TypeOrderStatusChanged:
		var p contracts.OrderStatusChangedV2
		if err := e.Decode(&p); err != nil {
			return nil, bad(err)
		}
		if p.CustomerID == "" {
			// v1 events do not name the customer; orders has published v2 since wave 1.
			w.log.WarnContext(ctx, "order.status.changed without customer_id: no notification", "event_id", e.ID, "order_id", p.OrderID)
			return nil, nil
		}
		kind := "order." + p.To
		if _, ok := supplies[kind]; !ok || p.To == contracts.OrderPlaced {
			return nil, nil // order.created tells the customer about placing
		}
		params := domain.Params{"OrderRef": orderRef(p.OrderID)}
		if _, wantsReason := supplies[kind]["Reason"]; wantsReason {
			params["Reason"] = reasonOr(p.Reason, p.To)
		}
		out := []intent{{recipient: p.CustomerID, kind: kind, orderID: p.OrderID, params: params}}
		if p.To == contracts.OrderCancelled && p.RestaurantID != "" && p.From != contracts.OrderPlaced {
			staff, err := w.staff.Staff(ctx, p.RestaurantID)
			if err != nil {
				return nil, fmt.Errorf("staff of restaurant %s: %w", p.RestaurantID, err)
			}
			for _, s := range staff {
				out = append(out, intent{recipient: s, kind: "restaurant.order.cancelled", orderID: p.OrderID,
					params: domain.Params{"OrderRef": orderRef(p.OrderID), "Reason": reasonOr(p.Reason, p.To)}})
			}
		}
		return out, nil
	case contracts.TypePaymentRefunded:
		var p contracts.PaymentRefundedV1
		if err := e.Decode(&p); err != nil {
			return nil, bad(err)
		}
		return []intent{{recipient: p.CustomerID, kind: "wallet.refunded", orderID: p.OrderID, params: domain.Params{
			"Amount":   domain.Money{AmountMinor: p.Amount.AmountMinor, Currency: p.Amount.Currency},
			"OrderRef": orderRef(p.OrderID), "Reason": reasonOr(p.Reason, "refund")}}}, nil
	case contracts.TypeDispatchAssigned:
		var p contracts.DispatchAssignedV1
		if err := e.Decode(&p); err != nil {
			return nil, bad(err)
		}
		return []intent{{recipient: p.DriverID, kind: "driver.assigned", orderID: p.OrderID,
			params: domain.Params{"OrderRef": orderRef(p.OrderID), "PickupETA": p.PickupETA}}}, nil
	case contracts.TypeDeliveryStatusChanged:
		var p contracts.DeliveryStatusChangedV1
		if err := e.Decode(&p); err != nil {
			return nil, bad(err)
		}
		// A courier handing an order back sends the delivery to created again (or it is
		// cancelled under them): the driver it named is told.
		unassigned := p.DriverID != "" && p.From != "" && (p.To == contracts.DeliveryCreated || p.To == contracts.DeliveryCancelled)
		if !unassigned {
			return nil, nil
		}
		return []intent{{recipient: p.DriverID, kind: "driver.unassigned", orderID: p.OrderID,
			params: domain.Params{"OrderRef": orderRef(p.OrderID)}}}, nil
	case contracts.TypeNotificationRequested:
		var p contracts.NotificationRequestedV1
		if err := e.Decode(&p); err != nil {
			return nil, bad(err)
		}
		t, ok := w.catalog.Get(p.Template)
		if !ok {
			return nil, bad(fmt.Errorf("unknown template %q", p.Template))
		}
		params := domain.Params{}
		for name, typ := range t.Params {
			v, ok := p.Params[name]
			if !ok {
				return nil, bad(fmt.Errorf("template %s: parameter %s is missing", p.Template, name))
			}
			if typ != domain.ParamText {
				return nil, bad(fmt.Errorf("template %s: parameter %s is %s; notification.requested carries text only", p.Template, name, typ))
			}
			params[name] = v
		}
		if p.RecipientID == "" {
			return nil, bad(errors.New("no recipient_id"))
		}
		return []intent{{recipient: p.RecipientID, kind: p.Template, orderID: p.OrderID, params: params}}, nil
	}
	return nil, nil
}

// record renders the intent in the recipient's locale and records the inbox entry and a
// delivery per other channel, each decided by the recipient's settings.
func (w *Workflows) record(ctx context.Context, rec Recorder, eventID string, in intent) error {
	t, _ := w.catalog.Get(in.kind)
	settings, err := rec.Settings(ctx, in.recipient)
	if err != nil {
		return err
	}
	r, err := t.Render(settings.Locale, in.params)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrBadEvent, err)
	}
	now := w.now().UTC()
	n := &domain.Notification{ID: uuid.NewString(), UserID: in.recipient, EventID: eventID, Category: t.Category,
		Kind: t.Kind, Title: r.Title, Body: r.Body, Locale: r.Locale, OrderID: in.orderID, CreatedAt: now}
	var ds []domain.Delivery
	for _, ch := range t.Channels {
		if ch == domain.ChannelInApp {
			continue
		}
		d := domain.Delivery{ID: uuid.NewString(), NotificationID: n.ID, UserID: in.recipient, EventID: eventID, Channel: ch,
			Status: domain.DeliveryQueued, IdempotencyKey: domain.IdempotencyKey(eventID, in.recipient, ch),
			To: settings.Address(ch), Locale: r.Locale, Subject: r.Title, Text: r.Body, HTML: r.HTML, NextAttemptAt: now}
		dec := settings.Decide(t.Category, ch, t.Transactional, now)
		switch {
		case !dec.Send:
			d.Status, d.Reason = domain.DeliverySuppressed, dec.Reason
		case !dec.NotBefore.IsZero():
			d.NextAttemptAt, d.Reason = dec.NotBefore.UTC(), "held for quiet hours"
		}
		if in.digest != "" && ch == domain.ChannelPush && w.cfg.DigestWindow > 0 && d.Status == domain.DeliveryQueued {
			bucket := now.Truncate(w.cfg.DigestWindow)
			d.DigestKey = fmt.Sprintf("%s:%s:%d", in.digest, in.recipient, bucket.Unix())
			d.NextAttemptAt = maxTime(d.NextAttemptAt, bucket.Add(w.cfg.DigestWindow))
		}
		ds = append(ds, d)
	}
	_, err = rec.Record(ctx, n, ds)
	return err
}

// Digest renders the summary of n digested messages in the first one's locale.
func (w *Workflows) Digest(first domain.Delivery, n int) (domain.Delivery, error) {
	if n <= 1 {
		return first, nil
	}
	t, _ := w.catalog.Get("restaurant.orders.digest")
	r, err := t.Render(first.Locale, domain.Params{"Count": n})
	if err != nil {
		return first, err
	}
	first.Subject, first.Text, first.HTML = r.Title, r.Body, r.HTML
	return first, nil
}

// orderRef is the short order reference people read: the id's first eight characters.
func orderRef(id string) string {
	id = strings.ReplaceAll(id, "-", "")
	if len(id) > 8 {
		id = id[:8]
	}
	return "#" + strings.ToUpper(id)
}

func reasonOr(reason, fallback string) string {
	if strings.TrimSpace(reason) != "" {
		return reason
	}
	return strings.ReplaceAll(fallback, "_", " ")
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
