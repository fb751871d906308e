package adapters

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/dizhtime/dizhtime/events"
	"github.com/dizhtime/dizhtime/events/consumer"
	"github.com/dizhtime/dizhtime/subgraphs/notifications/app"
)

// ConsumerSettings are what the event consumers share.
type ConsumerSettings struct {
	// GroupPrefix names the consumer groups: <prefix>.<topic>.
	GroupPrefix      string
	Brokers          []string
	StartAtBeginning bool
	// PerTopic is how many group members this replica runs per topic: Kafka gives each a
	// share of the topic's partitions, so up to the partition count they work in parallel
	// (per-partition order is kept).
	PerTopic int
	Logger   *slog.Logger
}

// TopicConsumer is one group member on one topic.
type TopicConsumer struct {
	Topic string
	*consumer.Consumer
}

// EventConsumers returns one idempotent consumer per topic of app.Topics, each running
// the workflows inside the consumer's transaction: the inbox entries, their deliveries
// and the event's processed mark commit together, so a redelivered event writes nothing.
func EventConsumers(pool *pgxpool.Pool, inbox *InboxRepository, dlq consumer.Publisher, w *app.Workflows, s ConsumerSettings) ([]TopicConsumer, error) {
	handler := func(ctx context.Context, tx pgx.Tx, e events.Envelope) error {
		err := w.Handle(ctx, inbox.InTx(tx), e)
		if errors.Is(err, app.ErrBadEvent) {
			return consumer.Permanent(err)
		}
		return err
	}
	var out []TopicConsumer
	for _, topic := range app.Topics {
		for range max(1, s.PerTopic) {
			c, err := consumer.New(pool, dlq, consumer.Config{
				Name: s.GroupPrefix + "." + topic, Brokers: s.Brokers, Topic: topic,
				StartAtBeginning: s.StartAtBeginning, Logger: s.Logger,
			}, handler)
			if err != nil {
				return nil, fmt.Errorf("consumer of %s: %w", topic, err)
			}
			out = append(out, TopicConsumer{Topic: topic, Consumer: c})
		}
	}
	return out, nil
}
