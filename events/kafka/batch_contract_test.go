package kafka_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	"github.com/dizhtime/dizhtime/events/kafka"
	"github.com/dizhtime/dizhtime/platform/endpoints"
)

func TestKafkaBatchContract_realBroker(t *testing.T) {
	runBatchContract(t, endpoints.Kafka())
}

func TestKafkaBatchContract_embeddedKfake(t *testing.T) {
	e, err := kafka.StartEmbedded(kafka.EmbeddedOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Close)
	runBatchContract(t, e.Brokers())
}

// RunBatches hands over several messages at once, commits a batch only after its handler
// succeeded (asynchronously here), and a failed batch is delivered again to the next
// member, in per-key order.
func runBatchContract(t *testing.T, brokers []string) {
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	topic := fmt.Sprintf("contract.batch.%d", rand.Int64N(1<<40))
	group := topic + ".group"
	if err := kafka.EnsureTopics(ctx, brokers, kafka.TopicSpec{Name: topic, Partitions: 3}); err != nil {
		t.Fatalf("Kafka at %v not usable: %v", brokers, err)
	}
	p := kafka.NewProducer(brokers)
	t.Cleanup(func() { _ = p.Close() })
	const n = 60
	var msgs []kafka.Message
	for i := range n {
		msgs = append(msgs, kafka.Message{Topic: topic, Key: []byte("order-" + strconv.Itoa(i%3)), Value: []byte(strconv.Itoa(i))})
	}
	if err := p.Publish(ctx, msgs...); err != nil {
		t.Fatal(err)
	}
	poison := errors.New("batch failed")
	first, firstErr, largest := consumeBatches(t, ctx, brokers, topic, group, 2, poison)
	if !errors.Is(firstErr, poison) {
		t.Fatalf("RunBatches returned %v, want the handler's error", firstErr)
	}
	if largest < 2 {
		t.Errorf("the largest batch held %d message(s): nothing was batched", largest)
	}
	failedBatch := first[len(first)-1]
	second, _, _ := consumeBatches(t, ctx, brokers, topic, group, 0, nil)
	again := map[string]bool{}
	for _, b := range second {
		for _, m := range b {
			again[fmt.Sprintf("%d@%d", m.Partition, m.Offset)] = true
		}
	}
	for _, m := range failedBatch {
		if !again[fmt.Sprintf("%d@%d", m.Partition, m.Offset)] {
			t.Errorf("%d@%d of the failed batch was not delivered again", m.Partition, m.Offset)
		}
	}
	handled := map[string]bool{}
	for _, b := range append(first[:len(first)-1], second...) {
		for _, m := range b {
			handled[string(m.Value)] = true
		}
	}
	if len(handled) != n {
		t.Errorf("handled %d distinct messages, want %d", len(handled), n)
	}
	last := map[string]int{}
	for _, b := range second {
		for _, m := range b {
			v, _ := strconv.Atoi(string(m.Value))
			if prev, ok := last[string(m.Key)]; ok && v < prev {
				t.Errorf("key %s: %d after %d", m.Key, v, prev)
			}
			last[string(m.Key)] = v
		}
	}
}

// consumeBatches joins group and takes batches until failAt batches were seen (the last one
// failing with failErr) or, with failAt 0, until nothing new arrives for two seconds.
func consumeBatches(t *testing.T, ctx context.Context, brokers []string, topic, group string, failAt int, failErr error) (batches [][]kafka.Message, err error, largest int) {
	t.Helper()
	c, err := kafka.NewConsumer(kafka.ConsumerConfig{Brokers: brokers, GroupID: group, Topic: topic, StartAtBeginning: true,
		CommitInterval: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	got := make(chan struct{}, 100)
	done := make(chan error, 1)
	go func() {
		done <- c.RunBatches(runCtx, 16, 50*time.Millisecond, func(_ context.Context, msgs []kafka.Message) error {
			batches = append(batches, append([]kafka.Message(nil), msgs...))
			largest = max(largest, len(msgs))
			got <- struct{}{}
			if failAt > 0 && len(batches) == failAt {
				return failErr
			}
			return nil
		})
	}()
	idle := time.NewTimer(30 * time.Second)
	for {
		select {
		case err := <-done:
			_ = c.Close()
			return batches, err, largest
		case <-got:
			idle.Reset(2 * time.Second)
		case <-idle.C:
			stop()
			err := <-done
			_ = c.Close() // leaving the group sends the offsets still pending
			return batches, err, largest
		}
	}
}
