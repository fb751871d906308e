package service

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/dizhtime/dizhtime/events"
	"github.com/dizhtime/dizhtime/events/consumer"
	"github.com/dizhtime/dizhtime/events/contracts"
	"github.com/dizhtime/dizhtime/subgraphs/wallet/adapters"
	"github.com/dizhtime/dizhtime/subgraphs/wallet/app"
	"github.com/dizhtime/dizhtime/subgraphs/wallet/domain"
)

// Subscription is one topic the wallet consumes and its handler; Batch (optional)
// applies a batch of the topic's events at once in the consumer's batch mode (without
// it, Handler runs for each event of the batch in the batch's transaction).
type Subscription struct {
	Topic   string
	Handler consumer.Handler
	Batch   consumer.BatchHandler
	// ShardKey (optional) is the wallet a batch step's event locks, so that the
	// consumer's side-by-side transactions never wait on each other (consumer.Config).
	ShardKey func(events.Envelope) string
}

// Subscriptions are the saga steps as consumer handlers: decode by the envelope's version
// into the newest contract the step takes, then run the step in the consumer's
// transaction (which records the event id with the effect).
func Subscriptions(wallet *app.Application, repo *adapters.LedgerRepository) []Subscription {
	return []Subscription{
		{contracts.TypeOrderCreated, sagaStep(repo, decodeOrderCreated, wallet.OnOrderCreated),
			sagaBatch(repo, func(e events.Envelope, ctx context.Context) (app.OrderCreated, error) {
				if e.Type != contracts.TypeOrderCreated {
					return app.OrderCreated{}, fmt.Errorf("event %s is a %s, want %s", e.ID, e.Type, contracts.TypeOrderCreated)
				}
				p, err := decodeOrderCreated(e)
				return app.OrderCreated{OrderCreatedV2: p, Trace: ctx}, err
			}, wallet.OnOrdersCreated), customerOf},
		{contracts.TypeOrderStatusChanged, sagaStep(repo, decodeOrderStatusChanged, wallet.OnOrderStatusChanged),
			sagaBatch(repo, func(e events.Envelope, ctx context.Context) (app.OrderStatusChanged, error) {
				if e.Type != contracts.TypeOrderStatusChanged {
					return app.OrderStatusChanged{}, fmt.Errorf("event %s is a %s, want %s", e.ID, e.Type, contracts.TypeOrderStatusChanged)
				}
				p, err := decodeOrderStatusChanged(e)
				return app.OrderStatusChanged{OrderStatusChangedV2: p, Trace: ctx}, err
			}, wallet.OnOrdersStatusChanged), nil},
		{contracts.TypeDispatchAssigned, sagaStep(repo, decodeAs[contracts.DispatchAssignedV1], wallet.OnDispatchAssigned), nil, nil},
		{contracts.TypePaymentRefundRequested, sagaStep(repo, decodeAs[contracts.PaymentRefundRequestedV1], wallet.OnPaymentRefundRequested), nil, nil},
	}
}

// customerOf is the customer whose wallet an order.created charges (v1 and v2 carry it
// alike); "" when it does not decode (the batch step then fails and the consumer takes
// the events one by one, dead-lettering the bad one).
func customerOf(e events.Envelope) string {
	var p struct {
		CustomerID string `json:"customer_id"`
	}
	_ = json.Unmarshal(e.Data, &p)
	return p.CustomerID
}

// ProducedTopics are the topics the wallet publishes to through its outbox.
var ProducedTopics = []string{contracts.TypePaymentSucceeded, contracts.TypePaymentFailed, contracts.TypePaymentRefunded,
	contracts.TypeTopUpSucceeded, contracts.TypeTopUpFailed}

func sagaStep[P events.Payload](repo *adapters.LedgerRepository, decode func(events.Envelope) (P, error),
	step func(context.Context, app.Tx, P) error) consumer.Handler {
	return func(ctx context.Context, tx pgx.Tx, e events.Envelope) error {
		var want P
		if e.Type != want.EventType() {
			return consumer.Permanent(fmt.Errorf("event %s is a %s, want %s", e.ID, e.Type, want.EventType()))
		}
		p, err := decode(e)
		if err != nil {
			return consumer.Permanent(fmt.Errorf("decode %s v%d %s: %w", e.Type, e.Version, e.ID, err))
		}
		err = step(ctx, repo.Bound(tx), p)
		if domain.IsInputError(err) {
			return consumer.Permanent(fmt.Errorf("%s %s: %w", e.Type, e.ID, err))
		}
		return err
	}
}

// sagaBatch runs a batch step over every event of a batch; an event of another type or
// one that does not decode fails the batch, and the consumer then takes the events one by
// one through sagaStep (which dead-letters the bad one).
// decode gets each event with its trace's context (e.ContextWithTrace).
func sagaBatch[P any](repo *adapters.LedgerRepository, decode func(events.Envelope, context.Context) (P, error),
	step func(context.Context, app.Tx, []P) error) consumer.BatchHandler {
	return func(ctx context.Context, tx pgx.Tx, evs []events.Envelope) error {
		ps := make([]P, len(evs))
		for i, e := range evs {
			p, err := decode(e, e.ContextWithTrace(ctx))
			if err != nil {
				return fmt.Errorf("decode %s v%d %s: %w", e.Type, e.Version, e.ID, err)
			}
			ps[i] = p
		}
		return step(ctx, repo.Bound(tx), ps)
	}
}

// unsupported dead-letters a version this wallet does not know: guessing at a newer
// contract could move money wrongly, and the dead letter is replayable after an upgrade.
func unsupported(e events.Envelope) error {
	return fmt.Errorf("unsupported version %d", e.Version)
}

func decodeAs[P events.Payload](e events.Envelope) (P, error) {
	var p P
	if e.Version != p.EventVersion() {
		return p, unsupported(e)
	}
	err := json.Unmarshal(e.Data, &p)
	return p, err
}

// decodeOrderCreated reads v1 (no points) and v2 as v2.
func decodeOrderCreated(e events.Envelope) (contracts.OrderCreatedV2, error) {
	switch e.Version {
	case 1:
		var v1 contracts.OrderCreatedV1
		if err := json.Unmarshal(e.Data, &v1); err != nil {
			return contracts.OrderCreatedV2{}, err
		}
		return contracts.OrderCreatedV2{OrderID: v1.OrderID, CustomerID: v1.CustomerID, RestaurantID: v1.RestaurantID,
			Items: v1.Items, Subtotal: v1.Subtotal, DeliveryFee: v1.DeliveryFee, Total: v1.Total,
			DeliveryAddress: v1.DeliveryAddress, PlacedAt: v1.PlacedAt}, nil
	case 2:
		return decodeAs[contracts.OrderCreatedV2](e)
	}
	return contracts.OrderCreatedV2{}, unsupported(e)
}

// decodeOrderStatusChanged reads v1 (no customer, restaurant, actor) and v2 as v2.
func decodeOrderStatusChanged(e events.Envelope) (contracts.OrderStatusChangedV2, error) {
	switch e.Version {
	case 1:
		var v1 contracts.OrderStatusChangedV1
		if err := json.Unmarshal(e.Data, &v1); err != nil {
			return contracts.OrderStatusChangedV2{}, err
		}
		return contracts.OrderStatusChangedV2{OrderID: v1.OrderID, From: v1.From, To: v1.To, Reason: v1.Reason,
			ChangedAt: v1.ChangedAt}, nil
	case 2:
		return decodeAs[contracts.OrderStatusChangedV2](e)
	}
	return contracts.OrderStatusChangedV2{}, unsupported(e)
}
