package adapters

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"time"

	kafkago "github.com/segmentio/kafka-go"

	"github.com/dizhtime/dizhtime/events"
	"github.com/dizhtime/dizhtime/events/consumer"
	"github.com/dizhtime/dizhtime/events/kafka"
	"github.com/dizhtime/dizhtime/subgraphs/search/app"
)

// RestaurantTopics names the topics search projects (tests use unique names).
type RestaurantTopics struct {
	Updated    string
	MenuUpdate string
}

// DefaultRestaurantTopics are the production topic names.
func DefaultRestaurantTopics() RestaurantTopics {
	return RestaurantTopics{Updated: "restaurant.updated", MenuUpdate: "restaurant.menu.update"}
}

func (t RestaurantTopics) all() []string { return []string{t.Updated, t.MenuUpdate} }

// KafkaEventLog replays the restaurant topics (app.EventLog).
type KafkaEventLog struct {
	Brokers []string
	Topics  RestaurantTopics
	Logger  *slog.Logger
}

// ReadAll hands fn every decodable event on the topics, topic by topic: the profile and
// the menu are versioned apart, so their relative order does not matter.
func (l KafkaEventLog) ReadAll(ctx context.Context, fn func(events.Envelope) error) error {
	for _, topic := range l.Topics.all() {
		err := kafka.ReadToEnd(ctx, l.Brokers, topic, func(m kafka.Message) error {
			e, err := events.FromMessage(m)
			if err != nil {
				if l.Logger != nil {
					l.Logger.WarnContext(ctx, "rebuild skips an undecodable message", "topic", topic, "offset", m.Offset, "error", err)
				}
				return nil
			}
			return fn(e)
		})
		if err != nil {
			return fmt.Errorf("replay %s: %w", topic, err)
		}
	}
	return nil
}

// ProjectionConsumer feeds the restaurant topics to the projection as one consumer
// group, in batches: it reads what is there (up to BatchSize messages, waiting at most
// BatchWait for more once it has one), applies them in one index write and commits them
// together. Dedupe is by version in the index (no processed-events table is needed: an
// event applied twice is stale the second time); a message that cannot be applied goes
// to the topic's dead-letter topic with the headers events/consumer writes, so
// consumer.Replay can republish it.
//
// It reads with kafka-go directly because events/kafka's Consumer hands over and commits
// one message at a time; the reader settings are that Consumer's.
type ProjectionConsumer struct {
	Brokers    []string
	Group      string
	Topics     RestaurantTopics
	Projection *app.Projection
	DLQ        consumer.Publisher
	Logger     *slog.Logger
	// MaxAttempts before a failing event is dead-lettered (default 5).
	MaxAttempts int
	// BatchSize bounds the events applied in one write (default 500); BatchWait is how
	// long a batch waits for more events once it has one (default 20ms): the freshness
	// cost of batching.
	BatchSize int
	BatchWait time.Duration
}

// Run consumes both topics until ctx ends.
func (c *ProjectionConsumer) Run(ctx context.Context) error {
	if c.Projection == nil || c.DLQ == nil || c.Group == "" || len(c.Brokers) == 0 {
		return errors.New("projection consumer: projection, dead-letter publisher, group and brokers are required")
	}
	if c.MaxAttempts <= 0 {
		c.MaxAttempts = 5
	}
	if c.BatchSize <= 0 {
		c.BatchSize = 500
	}
	if c.BatchWait <= 0 {
		c.BatchWait = 20 * time.Millisecond
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	specs := []kafka.TopicSpec{}
	for _, t := range c.Topics.all() {
		specs = append(specs, kafka.TopicSpec{Name: t, Partitions: 3}, kafka.TopicSpec{Name: consumer.DLQTopic(t), Partitions: 1})
	}
	if err := kafka.EnsureTopics(ctx, c.Brokers, specs...); err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return fmt.Errorf("projection consumer: topics: %w", err)
	}
	var wg sync.WaitGroup
	for _, topic := range c.Topics.all() {
		wg.Go(func() { c.consume(ctx, topic) })
	}
	wg.Wait()
	return nil
}

// consume runs one topic's group member, rejoining with backoff after a failure.
func (c *ProjectionConsumer) consume(ctx context.Context, topic string) {
	for failures := 0; ctx.Err() == nil; failures++ {
		r := kafkago.NewReader(kafkago.ReaderConfig{
			Brokers: c.Brokers, GroupID: c.Group, Topic: kafka.BrokerTopic(topic),
			StartOffset: kafkago.FirstOffset, // a new group reads the topics from their beginning
			MinBytes:    1, MaxBytes: 10 << 20, MaxWait: 250 * time.Millisecond,
			CommitInterval: 0, // synchronous commits: a committed offset means a handled message
			ReadBackoffMin: 50 * time.Millisecond, ReadBackoffMax: time.Second,
			SessionTimeout: 10 * time.Second, RebalanceTimeout: 10 * time.Second, HeartbeatInterval: time.Second,
		})
		err := c.run(ctx, r)
		_ = r.Close()
		if ctx.Err() != nil {
			return
		}
		wait := min(100*time.Millisecond<<min(failures, 6), 5*time.Second)
		c.Logger.ErrorContext(ctx, "projection consumer stopped; rejoining", "topic", topic, "error", err, "backoff", wait)
		select {
		case <-ctx.Done():
		case <-time.After(wait):
		}
	}
}

// run applies batches until ctx ends (nil) or a batch fails (its messages stay
// uncommitted and are read again after the rejoin).
func (c *ProjectionConsumer) run(ctx context.Context, r *kafkago.Reader) error {
	for {
		batch, err := c.fetch(ctx, r)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("fetch from %s: %w", r.Config().Topic, err)
		}
		if err := c.handleBatch(ctx, batch); err != nil {
			return err
		}
		if err := r.CommitMessages(context.WithoutCancel(ctx), batch...); err != nil {
			return fmt.Errorf("commit %d messages of %s: %w", len(batch), r.Config().Topic, err)
		}
	}
}

// fetch waits for one message, then takes what follows within BatchWait, up to BatchSize.
// A message not taken stays in the reader for the next batch.
func (c *ProjectionConsumer) fetch(ctx context.Context, r *kafkago.Reader) ([]kafkago.Message, error) {
	m, err := r.FetchMessage(ctx)
	if err != nil {
		return nil, err
	}
	batch := []kafkago.Message{m}
	more, cancel := context.WithTimeout(ctx, c.BatchWait)
	defer cancel()
	for len(batch) < c.BatchSize {
		m, err := r.FetchMessage(more)
		if err != nil {
			break
		}
		batch = append(batch, m)
	}
	return batch, nil
}

func message(m kafkago.Message) kafka.Message {
	h := make(map[string]string, len(m.Headers))
	for _, x := range m.Headers {
		h[x.Key] = string(x.Value)
	}
	return kafka.Message{Topic: kafka.LogicalTopic(m.Topic), Key: m.Key, Value: m.Value, Headers: h, Partition: m.Partition, Offset: m.Offset, Time: m.Time}
}

// handleBatch applies batch in one index write; an event that fails there is retried on
// its own (handle), and one that no retry can apply is dead-lettered.
func (c *ProjectionConsumer) handleBatch(ctx context.Context, batch []kafkago.Message) error {
	msgs := make([]kafka.Message, 0, len(batch))
	envs := make([]events.Envelope, 0, len(batch))
	for _, raw := range batch {
		m := message(raw)
		e, err := events.FromMessage(m)
		if err != nil {
			if err := c.deadLetter(ctx, m, 0, err); err != nil {
				return err
			}
			continue
		}
		msgs, envs = append(msgs, m), append(envs, e)
	}
	for i, err := range c.Projection.HandleBatch(ctx, envs) {
		switch {
		case err == nil:
		case errors.As(err, &app.UndecodableError{}):
			if err := c.deadLetter(envs[i].ContextWithTrace(ctx), msgs[i], 1, err); err != nil {
				return err
			}
		default:
			if err := c.handle(ctx, msgs[i]); err != nil {
				return err
			}
		}
	}
	return nil
}

func (c *ProjectionConsumer) handle(ctx context.Context, m kafka.Message) error {
	e, err := events.FromMessage(m)
	if err != nil {
		return c.deadLetter(ctx, m, 0, err)
	}
	ctx = e.ContextWithTrace(ctx)
	var last error
	for attempt := 1; attempt <= c.MaxAttempts; attempt++ {
		last = c.Projection.Handle(ctx, e)
		if last == nil {
			return nil
		}
		if errors.As(last, &app.UndecodableError{}) {
			return c.deadLetter(ctx, m, attempt, last)
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		c.Logger.WarnContext(ctx, "projection failed", "event_id", e.ID, "attempt", attempt, "error", last)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(min(100*time.Millisecond<<attempt, 5*time.Second)):
		}
	}
	return c.deadLetter(ctx, m, c.MaxAttempts, last)
}

func (c *ProjectionConsumer) deadLetter(ctx context.Context, m kafka.Message, attempts int, cause error) error {
	h := make(map[string]string, len(m.Headers)+7)
	for k, v := range m.Headers {
		h[k] = v
	}
	h[consumer.HeaderDLQReason] = cause.Error()
	h[consumer.HeaderDLQAttempts] = strconv.Itoa(attempts)
	h[consumer.HeaderDLQConsumer] = c.Group
	h[consumer.HeaderDLQOriginalTopic] = m.Topic
	h[consumer.HeaderDLQOriginalPartition] = strconv.Itoa(m.Partition)
	h[consumer.HeaderDLQOriginalOffset] = strconv.FormatInt(m.Offset, 10)
	h[consumer.HeaderDLQFailedAt] = time.Now().UTC().Format(time.RFC3339Nano)
	pubCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	if err := c.DLQ.Publish(pubCtx, kafka.Message{Topic: consumer.DLQTopic(m.Topic), Key: m.Key, Value: m.Value, Headers: h}); err != nil {
		return fmt.Errorf("dead-letter %s/%d@%d: %w", m.Topic, m.Partition, m.Offset, err)
	}
	c.Logger.ErrorContext(ctx, "event dead-lettered", "topic", m.Topic, "offset", m.Offset, "reason", cause)
	return nil
}
