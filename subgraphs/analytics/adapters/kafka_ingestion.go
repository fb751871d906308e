package adapters

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	kafkago "github.com/segmentio/kafka-go"

	"github.com/dizhtime/dizhtime/events"
	"github.com/dizhtime/dizhtime/events/consumer"
	"github.com/dizhtime/dizhtime/events/kafka"
	"github.com/dizhtime/dizhtime/subgraphs/analytics/app"
)

// IngestionConsumer reads every domain topic as ONE consumer group member (kafka-go's
// GroupTopics) and writes what it reads in batches: it waits for one message, then takes
// what follows for up to BatchWait, up to BatchSize messages, writes them in one store
// write and commits them together. A batch the store refuses is retried with backoff and
// then, uncommitted, read again after a rejoin; the store's idempotency by event id makes
// the redelivery harmless. A message that is not an event, or whose payload cannot be read,
// goes to its topic's dead-letter topic (<topic>.dlq, with events/consumer's headers, so
// consumer.Replay can republish it) and is committed with its batch.
//
// It reads with kafka-go directly because events/kafka's Consumer hands over and commits
// one message at a time.
type IngestionConsumer struct {
	Brokers   []string
	Group     string
	Topics    []string
	Ingestion *app.Ingestion
	DLQ       consumer.Publisher
	Metrics   *Metrics
	Logger    *slog.Logger
	// FromLatest starts a new group at the end of the topics (tests on a shared broker);
	// by default a new group reads them from the beginning.
	FromLatest bool
	// BatchSize (default 50000) and BatchWait (default 200ms): a batch is written when it is
	// full or BatchWait after its first message, whichever comes first (the freshness cost of
	// batching; each write costs a few statements per table, so bigger batches amortise them).
	// The next batch is fetched while one is written, so a consumer that falls behind (a
	// backlog, a burst) writes full batches: 50,000 rather than 20,000 halves the rollup
	// recomputes per event, which is what keeps ClickHouse above 100k events/s at 10M with six
	// rollups; a trickle still goes out BatchWait after its first message.
	BatchSize int
	BatchWait time.Duration
	// WriteAttempts before the member gives up on a batch and rejoins (default 5).
	WriteAttempts int
}

// Run consumes until ctx ends.
func (c *IngestionConsumer) Run(ctx context.Context) error {
	if c.Ingestion == nil || c.DLQ == nil || c.Group == "" || len(c.Brokers) == 0 || len(c.Topics) == 0 {
		return errors.New("ingestion consumer: ingestion, dead-letter publisher, group, brokers and topics are required")
	}
	if c.BatchSize <= 0 {
		c.BatchSize = 50000
	}
	if c.BatchWait <= 0 {
		c.BatchWait = 200 * time.Millisecond
	}
	if c.WriteAttempts <= 0 {
		c.WriteAttempts = 5
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	var specs []kafka.TopicSpec
	for _, t := range c.Topics {
		specs = append(specs, kafka.TopicSpec{Name: t}, kafka.TopicSpec{Name: consumer.DLQTopic(t), Partitions: 1})
	}
	if err := kafka.EnsureTopics(ctx, c.Brokers, specs...); err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return fmt.Errorf("ingestion consumer: topics: %w", err)
	}
	start := kafkago.FirstOffset
	if c.FromLatest {
		start = kafkago.LastOffset
	}
	groupTopics := make([]string, len(c.Topics))
	for i, t := range c.Topics {
		groupTopics[i] = kafka.BrokerTopic(t)
	}
	for failures := 0; ctx.Err() == nil; failures++ {
		r := kafkago.NewReader(kafkago.ReaderConfig{
			Brokers: c.Brokers, GroupID: c.Group, GroupTopics: groupTopics, StartOffset: start,
			MinBytes: 1, MaxBytes: 10 << 20, MaxWait: 250 * time.Millisecond,
			CommitInterval: 0, // synchronous commits: a committed offset means a written event
			ReadBackoffMin: 50 * time.Millisecond, ReadBackoffMax: time.Second,
			SessionTimeout: 10 * time.Second, RebalanceTimeout: 10 * time.Second, HeartbeatInterval: time.Second,
			QueueCapacity: max(1000, c.BatchSize), // the next batch is fetched while this one is written
		})
		err := c.run(ctx, r)
		_ = r.Close()
		if ctx.Err() != nil {
			return nil
		}
		wait := min(100*time.Millisecond<<min(failures, 6), 5*time.Second)
		c.Logger.ErrorContext(ctx, "ingestion consumer stopped; rejoining", "error", err, "backoff", wait)
		select {
		case <-ctx.Done():
		case <-time.After(wait):
		}
	}
	return nil
}

func (c *IngestionConsumer) run(ctx context.Context, r *kafkago.Reader) error {
	for {
		batch, err := c.fetch(ctx, r)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("fetch: %w", err)
		}
		if err := c.handleBatch(ctx, batch); err != nil {
			return err
		}
		if err := r.CommitMessages(context.WithoutCancel(ctx), batch...); err != nil {
			return fmt.Errorf("commit %d messages: %w", len(batch), err)
		}
		last := map[string]kafkago.Message{}
		for _, m := range batch {
			last[m.Topic+"/"+strconv.Itoa(m.Partition)] = m
		}
		for _, m := range last {
			c.Metrics.behind(kafka.LogicalTopic(m.Topic), m.Partition, m.HighWaterMark-m.Offset-1)
		}
	}
}

func (c *IngestionConsumer) fetch(ctx context.Context, r *kafkago.Reader) ([]kafkago.Message, error) {
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

// handleBatch writes the batch's events (retrying the store) and dead-letters the
// unreadable ones.
func (c *IngestionConsumer) handleBatch(ctx context.Context, batch []kafkago.Message) error {
	msgs := make([]kafka.Message, 0, len(batch))
	envs := make([]events.Envelope, 0, len(batch))
	var oldest time.Time
	for _, raw := range batch {
		m := message(raw)
		e, err := events.FromMessage(m)
		if err != nil {
			if err := c.deadLetter(ctx, m, err); err != nil {
				return err
			}
			continue
		}
		if oldest.IsZero() || e.Time.Before(oldest) {
			oldest = e.Time
		}
		msgs, envs = append(msgs, m), append(envs, e)
	}
	var bad map[int]error
	var err error
	for attempt := 1; ; attempt++ {
		began := time.Now()
		bad, err = c.Ingestion.Write(ctx, envs)
		if err == nil {
			c.Metrics.wrote(len(envs)-len(bad), time.Since(began), oldest)
			break
		}
		if ctx.Err() != nil || attempt >= c.WriteAttempts {
			return fmt.Errorf("write %d events: %w", len(envs), err)
		}
		wait := min(100*time.Millisecond<<attempt, 5*time.Second)
		c.Logger.WarnContext(ctx, "analytics write failed; retrying", "events", len(envs), "attempt", attempt, "error", err, "backoff", wait)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
	}
	written := map[string]int{}
	for i, m := range msgs {
		if cause, ok := bad[i]; ok {
			if err := c.deadLetter(envs[i].ContextWithTrace(ctx), m, cause); err != nil {
				return err
			}
			continue
		}
		written[m.Topic]++
	}
	for topic, n := range written {
		c.Metrics.handled(topic, "written", n)
	}
	return nil
}

func (c *IngestionConsumer) deadLetter(ctx context.Context, m kafka.Message, cause error) error {
	h := make(map[string]string, len(m.Headers)+7)
	for k, v := range m.Headers {
		h[k] = v
	}
	h[consumer.HeaderDLQReason] = cause.Error()
	h[consumer.HeaderDLQAttempts] = "1"
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
	c.Metrics.handled(m.Topic, "dead_lettered", 1)
	c.Logger.ErrorContext(ctx, "event dead-lettered", "topic", m.Topic, "offset", m.Offset, "reason", cause)
	return nil
}
