package testenv

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/dizhtime/dizhtime/events/kafka"
)

// Collector reads a topic from its beginning in a group of its own, in the background.
type Collector struct {
	mu   sync.Mutex
	msgs []kafka.Message
	more chan struct{}
}

// Collect starts reading topic; it stops when the test ends.
func Collect(t testing.TB, brokers []string, topic string) *Collector {
	t.Helper()
	c, err := kafka.NewConsumer(kafka.ConsumerConfig{Brokers: brokers, GroupID: Name("collector"), Topic: topic, StartAtBeginning: true})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	col := &Collector{more: make(chan struct{}, 1)}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = c.Run(ctx, func(_ context.Context, m kafka.Message) error {
			col.mu.Lock()
			col.msgs = append(col.msgs, m)
			col.mu.Unlock()
			select {
			case col.more <- struct{}{}:
			default:
			}
			return nil
		})
	}()
	t.Cleanup(func() { cancel(); <-done; _ = c.Close() })
	return col
}

// Messages is what arrived so far.
func (c *Collector) Messages() []kafka.Message {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]kafka.Message(nil), c.msgs...)
}

// WaitFor waits until at least n messages arrived, failing the test after timeout.
func (c *Collector) WaitFor(t testing.TB, n int, timeout time.Duration) []kafka.Message {
	t.Helper()
	deadline := time.After(timeout)
	for {
		if got := c.Messages(); len(got) >= n {
			return got
		}
		select {
		case <-c.more:
		case <-deadline:
			t.Fatalf("got %d messages within %v, want %d", len(c.Messages()), timeout, n)
		}
	}
}

// Settle waits until no message arrived for quiet, and returns all messages.
func (c *Collector) Settle(quiet time.Duration) []kafka.Message {
	for {
		select {
		case <-c.more:
		case <-time.After(quiet):
			return c.Messages()
		}
	}
}
