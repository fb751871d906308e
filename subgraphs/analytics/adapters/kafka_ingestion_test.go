package adapters_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/dizhtime/dizhtime/events"
	"github.com/dizhtime/dizhtime/events/consumer"
	"github.com/dizhtime/dizhtime/events/contracts"
	"github.com/dizhtime/dizhtime/events/kafka"
	"github.com/dizhtime/dizhtime/platform/endpoints"
	"github.com/dizhtime/dizhtime/subgraphs/analytics/adapters"
	"github.com/dizhtime/dizhtime/subgraphs/analytics/app"
	"github.com/dizhtime/dizhtime/subgraphs/analytics/domain"
	"github.com/prometheus/client_golang/prometheus"
)

// On the real Kafka, with topics of the test's own: readable events are written once even
// when the producer sends them twice; a message that is no event and an event whose payload
// cannot be read go to the dead-letter topic, with the reason, and do not stop the rest.
func TestIngestionConsumer_writesEventsOnceAndDeadLettersWhatItCannotRead(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	brokers := endpoints.Kafka()
	run := rand.Int64N(1 << 40)
	topic := fmt.Sprintf("analytics-test-%d", run)
	store := duckdbStore(t)
	in, err := app.NewIngestion(store)
	if err != nil {
		t.Fatal(err)
	}
	metrics, err := adapters.NewMetrics(prometheus.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	producer := kafka.NewProducer(brokers)
	defer producer.Close()
	c := &adapters.IngestionConsumer{Brokers: brokers, Group: topic + "-group", Topics: []string{topic}, Ingestion: in,
		DLQ: producer, Metrics: metrics, BatchSize: 100, BatchWait: 50 * time.Millisecond}
	done := make(chan error, 1)
	cctx, stop := context.WithCancel(ctx)
	go func() { done <- c.Run(cctx) }()
	defer func() { stop(); <-done }()

	now := time.Now().UTC().Truncate(time.Second)
	good, err := events.New(ctx, "test", "o1", contracts.OrderCreatedV2{OrderID: "o1", RestaurantID: "r1", Total: contracts.Money{AmountMinor: 700, Currency: "UZS"}, PlacedAt: now})
	if err != nil {
		t.Fatal(err)
	}
	msg, err := good.Message()
	if err != nil {
		t.Fatal(err)
	}
	msg.Topic = topic
	bad := events.Envelope{ID: "bad-payload", Type: contracts.TypeOrderCreated, Version: 2, Source: "test", Time: now, Subject: "o2", Data: []byte(`{"placed_at": 5}`)}
	badMsg, err := bad.Message()
	if err != nil {
		t.Fatal(err)
	}
	badMsg.Topic = topic
	if err := kafka.EnsureTopics(ctx, brokers, kafka.TopicSpec{Name: topic}); err != nil {
		t.Fatal(err)
	}
	if err := producer.Publish(ctx, msg, kafka.Message{Topic: topic, Key: []byte("x"), Value: []byte("not an event")}, badMsg, msg); err != nil {
		t.Fatal(err)
	}
	rng, _ := domain.NewRange(now.Add(-time.Hour), now.Add(time.Hour), "UTC")
	var dead []kafka.Message
	deadline := time.Now().Add(90 * time.Second)
	for {
		dead = dead[:0]
		_ = kafka.ReadToEnd(ctx, brokers, consumer.DLQTopic(topic), func(m kafka.Message) error {
			dead = append(dead, m)
			return nil
		})
		f, err := store.Funnel(ctx, rng, domain.Scope{RestaurantIDs: []string{"r1"}})
		if err == nil && f.Placed >= 1 && len(dead) >= 2 {
			if f.Placed != 1 {
				t.Errorf("placed = %d, want the event sent twice counted once", f.Placed)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 90 s: funnel %+v (%v), %d dead letters; want 1 order and 2 dead letters", f, err, len(dead))
		}
		time.Sleep(250 * time.Millisecond)
	}
	if len(dead) != 2 {
		t.Fatalf("dead letters = %d, want 2", len(dead))
	}
	for _, m := range dead {
		if m.Headers[consumer.HeaderDLQReason] == "" || m.Headers[consumer.HeaderDLQOriginalTopic] != topic {
			t.Errorf("dead letter headers = %v; want a reason and the original topic", m.Headers)
		}
	}
}
