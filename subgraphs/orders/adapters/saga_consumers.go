package adapters

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/dizhtime/dizhtime/events"
	"github.com/dizhtime/dizhtime/events/consumer"
	"github.com/dizhtime/dizhtime/events/contracts"
	"github.com/dizhtime/dizhtime/subgraphs/orders/app"
)

// SagaTopics are the topics the orders saga consumes.
var SagaTopics = []string{contracts.TypePaymentSucceeded, contracts.TypePaymentFailed,
	contracts.TypeDispatchAssigned, contracts.TypeDeliveryStatusChanged, contracts.TypeDispatchEscalated}

// ConsumerSettings are what the saga's consumers share.
type ConsumerSettings struct {
	// GroupPrefix names the consumer groups: <prefix>.<topic>.
	GroupPrefix      string
	Brokers          []string
	StartAtBeginning bool
	Metrics          *consumer.Metrics
	Logger           *slog.Logger
}

// SagaConsumers returns one idempotent consumer per saga topic, each applying its event
// to the order inside the consumer's transaction.
func SagaConsumers(pool *pgxpool.Pool, repo *OrdersRepository, dlq consumer.Publisher, a *app.Application, s ConsumerSettings) ([]*consumer.Consumer, error) {
	handlers := map[string]consumer.Handler{
		contracts.TypePaymentSucceeded: func(ctx context.Context, tx pgx.Tx, e events.Envelope) error {
			var p contracts.PaymentSucceededV1
			if err := e.Decode(&p); err != nil {
				return consumer.Permanent(err)
			}
			return a.OnPaymentSucceeded(ctx, repo.InTx(tx), orderOf(p.OrderID, e), p.PaymentID)
		},
		contracts.TypePaymentFailed: func(ctx context.Context, tx pgx.Tx, e events.Envelope) error {
			var p contracts.PaymentFailedV1
			if err := e.Decode(&p); err != nil {
				return consumer.Permanent(err)
			}
			return a.OnPaymentFailed(ctx, repo.InTx(tx), orderOf(p.OrderID, e), p.Code)
		},
		contracts.TypeDispatchAssigned: func(ctx context.Context, tx pgx.Tx, e events.Envelope) error {
			var p contracts.DispatchAssignedV1
			if err := e.Decode(&p); err != nil {
				return consumer.Permanent(err)
			}
			return a.OnDispatchAssigned(ctx, repo.InTx(tx), orderOf(p.OrderID, e), p.DriverID)
		},
		contracts.TypeDeliveryStatusChanged: func(ctx context.Context, tx pgx.Tx, e events.Envelope) error {
			var p contracts.DeliveryStatusChangedV1
			if err := e.Decode(&p); err != nil {
				return consumer.Permanent(err)
			}
			return a.OnDeliveryStatusChanged(ctx, repo.InTx(tx), orderOf(p.OrderID, e), p.To, p.DriverID, "")
		},
		contracts.TypeDispatchEscalated: func(ctx context.Context, tx pgx.Tx, e events.Envelope) error {
			var p contracts.DispatchEscalatedV1
			if err := e.Decode(&p); err != nil {
				return consumer.Permanent(err)
			}
			return a.OnDispatchEscalated(ctx, repo.InTx(tx), orderOf(p.OrderID, e), p.Reason)
		},
	}
	var out []*consumer.Consumer
	for _, topic := range SagaTopics {
		c, err := consumer.New(pool, dlq, consumer.Config{
			Name: s.GroupPrefix + "." + topic, Brokers: s.Brokers, Topic: topic,
			StartAtBeginning: s.StartAtBeginning, Metrics: s.Metrics, Logger: s.Logger,
		}, handlers[topic])
		if err != nil {
			return nil, fmt.Errorf("consumer of %s: %w", topic, err)
		}
		out = append(out, c)
	}
	return out, nil
}

func orderOf(id string, e events.Envelope) string {
	if id != "" {
		return id
	}
	return e.Subject
}
