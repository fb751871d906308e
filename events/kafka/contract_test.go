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

func TestKafkaContract_realBroker(t *testing.T) {
	runKafkaContract(t, endpoints.Kafka())
}

func TestKafkaContract_embeddedKfake(t *testing.T) {
	e, err := kafka.StartEmbedded(kafka.EmbeddedOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Close)
	runKafkaContract(t, e.Brokers())
}

func runKafkaContract(t *testing.T, brokers []string) {
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	topic := fmt.Sprintf("contract.%d", rand.Int64N(1<<40))
	group := topic + ".group"
	if err := kafka.EnsureTopics(ctx, brokers, kafka.TopicSpec{Name: topic, Partitions: 3}); err != nil {
		t.Fatalf("Kafka at %v not usable (start it with `deploy/local/services.sh up kafka`): %v", brokers, err)
	}
	// Creating twice is fine: services call this at every start.
	if err := kafka.EnsureTopics(ctx, brokers, kafka.TopicSpec{Name: topic, Partitions: 3}); err != nil {
		t.Fatalf("second EnsureTopics: %v", err)
	}

	p := kafka.NewProducer(brokers)
	t.Cleanup(func() { _ = p.Close() })
	var msgs []kafka.Message
	for i := range 20 {
		key := "order-" + strconv.Itoa(i%2)
		msgs = append(msgs, kafka.Message{Topic: topic, Key: []byte(key), Value: []byte(strconv.Itoa(i)),
			Headers: map[string]string{"traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"}})
	}
	if err := p.Publish(ctx, msgs...); err != nil {
		t.Fatal(err)
	}

	// First member: fails on the 5th message it sees, leaving it uncommitted.
	poison := errors.New("handler failed")
	first := consume(t, ctx, brokers, topic, group, 5, poison)
	if len(first.seen) != 5 {
		t.Fatalf("first member saw %d messages, want 5", len(first.seen))
	}
	if !errors.Is(first.err, poison) {
		t.Fatalf("Run returned %v, want the handler's error", first.err)
	}
	failed := first.seen[4]

	// Second member of the same group: gets the failed message again and everything not yet
	// committed, so across both members every message is handled at least once.
	second := consume(t, ctx, brokers, topic, group, 0, nil)
	redelivered := false
	for _, m := range second.seen {
		if m.Partition == failed.Partition && m.Offset == failed.Offset {
			redelivered = true
		}
		if m.Partition == failed.Partition && m.Offset < failed.Offset {
			t.Errorf("committed message %s/%d@%d delivered again", m.Topic, m.Partition, m.Offset)
		}
	}
	if !redelivered {
		t.Errorf("the message whose handler failed (%d@%d) was not delivered again", failed.Partition, failed.Offset)
	}
	handled := map[string]bool{}
	for _, m := range append(first.seen[:4], second.seen...) {
		handled[string(m.Value)] = true
		if m.Headers["traceparent"] == "" {
			t.Errorf("message %s lost its headers", m.Value)
		}
	}
	if len(handled) != 20 {
		t.Errorf("handled %d distinct messages, want 20", len(handled))
	}

	// Per key, values arrive in publish order.
	last := map[string]int{}
	for _, m := range second.seen {
		v, _ := strconv.Atoi(string(m.Value))
		if prev, ok := last[string(m.Key)]; ok && v < prev {
			t.Errorf("key %s: %d after %d", m.Key, v, prev)
		}
		last[string(m.Key)] = v
	}
}

type consumed struct {
	seen []kafka.Message
	err  error
}

// consume joins group and reads until failAt messages were seen (then fails with failErr) or,
// with failAt 0, until no new message arrives for two seconds after the first.
func consume(t *testing.T, ctx context.Context, brokers []string, topic, group string, failAt int, failErr error) consumed {
	t.Helper()
	c, err := kafka.NewConsumer(kafka.ConsumerConfig{Brokers: brokers, GroupID: group, Topic: topic, StartAtBeginning: true})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	var out consumed
	got := make(chan struct{}, 100)
	done := make(chan error, 1)
	go func() {
		done <- c.Run(runCtx, func(_ context.Context, m kafka.Message) error {
			out.seen = append(out.seen, m)
			got <- struct{}{}
			if failAt > 0 && len(out.seen) == failAt {
				return failErr
			}
			return nil
		})
	}()
	idle := time.NewTimer(30 * time.Second) // the first message may wait for the group join
	for {
		select {
		case err := <-done:
			out.err = err
			return out
		case <-got:
			idle.Reset(2 * time.Second)
		case <-idle.C:
			stop()
			out.err = <-done
			return out
		}
	}
}
