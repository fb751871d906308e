package kafka_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/dizhtime/dizhtime/events/kafka"
	"github.com/dizhtime/dizhtime/platform/endpoints"
)

// BenchmarkProducer_Publish publishes batches of 100 keyed 256-byte events; ns/op is per batch.
func BenchmarkProducer_Publish(b *testing.B) {
	b.Run("real", func(b *testing.B) { benchPublish(b, endpoints.Kafka()) })
	b.Run("kfake", func(b *testing.B) {
		e, err := kafka.StartEmbedded(kafka.EmbeddedOptions{})
		if err != nil {
			b.Fatal(err)
		}
		defer e.Close()
		benchPublish(b, e.Brokers())
	})
}

func benchPublish(b *testing.B, brokers []string) {
	ctx := context.Background()
	topic := fmt.Sprintf("bench.%d", rand.Int64N(1<<40))
	if err := kafka.EnsureTopics(ctx, brokers, kafka.TopicSpec{Name: topic, Partitions: 3}); err != nil {
		b.Fatal(err)
	}
	p := kafka.NewProducer(brokers)
	defer p.Close()
	value := make([]byte, 256)
	batch := make([]kafka.Message, 100)
	for i := range batch {
		batch[i] = kafka.Message{Topic: topic, Key: []byte("order-" + strconv.Itoa(i)), Value: value}
	}
	b.SetBytes(int64(len(batch) * len(value)))
	b.ResetTimer()
	for b.Loop() {
		if err := p.Publish(ctx, batch...); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*len(batch))/b.Elapsed().Seconds(), "msgs/s")
}
