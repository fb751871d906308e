package adapters

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	kafkago "github.com/segmentio/kafka-go"

	"github.com/dizhtime/dizhtime/events"
	"github.com/dizhtime/dizhtime/events/contracts"
	"github.com/dizhtime/dizhtime/events/kafka"
	"github.com/dizhtime/dizhtime/subgraphs/orders/app"
)

// LiveFeed rings app.Hub for every order event on Kafka. Each replica reads every
// partition of order.created and order.status.changed from the tail, without a consumer
// group (every replica must see every event), so a transition committed by any replica
// reaches subscribers on all of them. The outbox publishes an order's events in commit
// order on one partition, and subscribers re-read the timeline from the database, so
// nothing here needs to be durable: a doorbell lost here (a reader reconnecting from the
// tail, a broker that is down) only delays an update until the subscription's next poll
// of the database (app.Config.LivePollInterval).
type LiveFeed struct {
	brokers []string
	hub     *app.Hub
	repo    *OrdersRepository
	log     *slog.Logger
}

// NewLiveFeed returns the feed.
func NewLiveFeed(brokers []string, hub *app.Hub, repo *OrdersRepository, log *slog.Logger) *LiveFeed {
	return &LiveFeed{brokers: brokers, hub: hub, repo: repo, log: log.With("component", "orders.livefeed")}
}

var liveTopics = []string{contracts.TypeOrderCreated, contracts.TypeOrderStatusChanged}

// Run reads until ctx ends.
func (f *LiveFeed) Run(ctx context.Context) error {
	specs := make([]kafka.TopicSpec, len(liveTopics))
	for i, t := range liveTopics {
		specs[i] = kafka.TopicSpec{Name: t}
	}
	if err := kafka.EnsureTopics(ctx, f.brokers, specs...); err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return fmt.Errorf("live feed: %w", err)
	}
	client := &kafkago.Client{Addr: kafkago.TCP(f.brokers...), Timeout: 10 * time.Second}
	brokerTopics := make([]string, len(liveTopics))
	for i, t := range liveTopics {
		brokerTopics[i] = kafka.BrokerTopic(t)
	}
	md, err := client.Metadata(ctx, &kafkago.MetadataRequest{Topics: brokerTopics})
	if err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return fmt.Errorf("live feed: metadata: %w", err)
	}
	var wg sync.WaitGroup
	for _, t := range md.Topics {
		if t.Error != nil {
			return fmt.Errorf("live feed: %s: %w", t.Name, t.Error)
		}
		for _, p := range t.Partitions {
			wg.Add(1)
			go func() {
				defer wg.Done()
				f.readPartition(ctx, t.Name, p.ID)
			}()
		}
	}
	wg.Wait()
	return nil
}

func (f *LiveFeed) readPartition(ctx context.Context, topic string, partition int) {
	for attempt := 0; ctx.Err() == nil; attempt++ {
		r := kafkago.NewReader(kafkago.ReaderConfig{Brokers: f.brokers, Topic: topic, Partition: partition,
			MinBytes: 1, MaxBytes: 1 << 20, MaxWait: 100 * time.Millisecond})
		err := r.SetOffset(kafkago.LastOffset)
		for err == nil {
			var m kafkago.Message
			if m, err = r.FetchMessage(ctx); err == nil {
				attempt = 0
				f.ring(ctx, kafka.Message{Topic: kafka.LogicalTopic(m.Topic), Key: m.Key, Value: m.Value})
			}
		}
		_ = r.Close()
		if ctx.Err() != nil || errors.Is(err, context.Canceled) {
			return
		}
		wait := min(100*time.Millisecond<<min(attempt, 6), 5*time.Second)
		f.log.WarnContext(ctx, "live feed reader failed; reconnecting", "topic", topic, "partition", partition, "error", err, "backoff", wait)
		select {
		case <-ctx.Done():
		case <-time.After(wait):
		}
	}
}

func (f *LiveFeed) ring(ctx context.Context, m kafka.Message) {
	e, err := events.FromMessage(m)
	if err != nil {
		return
	}
	switch e.Type {
	case contracts.TypeOrderCreated:
		var p contracts.OrderCreatedV2 // v1 decodes too: versions only add fields
		if e.Decode(&p) == nil {
			f.hub.Ring(p.OrderID, p.RestaurantID)
		}
	case contracts.TypeOrderStatusChanged:
		var p contracts.OrderStatusChangedV2
		if e.Decode(&p) != nil {
			return
		}
		restaurant := p.RestaurantID
		// v1 (from a replica not yet upgraded) does not name the restaurant.
		if restaurant == "" && f.hub.WantsRestaurantOf(p.OrderID) {
			if o, err := f.repo.Get(ctx, p.OrderID); err == nil {
				restaurant = o.RestaurantID
			}
		}
		f.hub.Ring(p.OrderID, restaurant)
	}
}
