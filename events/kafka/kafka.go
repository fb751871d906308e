// Package kafka is DizhTime's Kafka adapter (segmentio/kafka-go): a keyed producer, an
// at-least-once consumer-group reader that commits only after its handler succeeds, topic
// creation, and an in-process kfake cluster as the laptop default. Both the real broker and
// kfake pass one contract test suite.
package kafka

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"time"

	kafkago "github.com/segmentio/kafka-go"
)

// Message is one record: Key decides the partition (same key, same order).
type Message struct {
	Topic     string
	Key       []byte
	Value     []byte
	Headers   map[string]string
	Partition int
	Offset    int64
	Time      time.Time
}

// Producer writes keyed messages, waiting for all in-sync replicas.
type Producer struct {
	w *kafkago.Writer
}

// ProducerOption tunes a Producer.
type ProducerOption func(*kafkago.Writer)

// WithBatchSize caps the messages of one partition's produce request (kafka-go's default:
// 100). The writer sends a partition's requests one after another, so a Publish of more
// messages than that per partition waits for several round trips.
func WithBatchSize(n int) ProducerOption {
	return func(w *kafkago.Writer) { w.BatchSize = n }
}

// NewProducer returns a producer for brokers. Messages with the same key land on the same
// partition in the order published.
func NewProducer(brokers []string, opts ...ProducerOption) *Producer {
	p := newProducer(brokers)
	for _, o := range opts {
		o(p.w)
	}
	return p
}

func newProducer(brokers []string) *Producer {
	return &Producer{w: &kafkago.Writer{
		Addr:                   kafkago.TCP(brokers...),
		Balancer:               &kafkago.Hash{},
		RequiredAcks:           kafkago.RequireAll,
		AllowAutoTopicCreation: true,
		BatchTimeout:           5 * time.Millisecond,
		MaxAttempts:            5,
		WriteBackoffMin:        50 * time.Millisecond,
		WriteBackoffMax:        time.Second,
	}}
}

// Publish writes msgs (each naming its Topic) and returns once the broker acknowledged them.
func (p *Producer) Publish(ctx context.Context, msgs ...Message) error {
	out := make([]kafkago.Message, len(msgs))
	for i, m := range msgs {
		if m.Topic == "" {
			return fmt.Errorf("publish: message %d has no topic", i)
		}
		out[i] = kafkago.Message{Topic: BrokerTopic(m.Topic), Key: m.Key, Value: m.Value, Headers: toHeaders(m.Headers)}
	}
	if err := p.w.WriteMessages(ctx, out...); err != nil {
		return fmt.Errorf("publish %d messages: %w", len(msgs), err)
	}
	return nil
}

// Close flushes and closes the producer.
func (p *Producer) Close() error { return p.w.Close() }

// Handler processes one message. Returning an error stops the consumer without committing
// the message, so it is delivered again (to this or another group member) later.
type Handler func(ctx context.Context, m Message) error

// ConsumerConfig names a consumer group's subscription.
type ConsumerConfig struct {
	Brokers []string
	GroupID string
	Topic   string
	// StartAtBeginning makes a new group read the topic from its first offset (default: newest).
	StartAtBeginning bool
	// CommitInterval > 0 makes offset commits asynchronous: CommitMessages records the
	// offsets and the reader sends them every CommitInterval (and when it leaves the
	// group). A crash then redelivers up to one interval of messages that were handled
	// already, so only consumers that dedupe (events/consumer) should set it. 0: every
	// commit is synchronous.
	CommitInterval time.Duration
	// QueueCapacity is how many fetched messages the reader holds ready ahead of the
	// handler (default 100, kafka-go's). Batch consumers set it to at least their batch
	// size, so that a batch can be taken whole as soon as it is there.
	QueueCapacity int
}

// Consumer reads one topic as a member of a consumer group, at least once.
type Consumer struct {
	r *kafkago.Reader
}

// NewConsumer joins cfg.GroupID on cfg.Topic.
func NewConsumer(cfg ConsumerConfig) (*Consumer, error) {
	if len(cfg.Brokers) == 0 || cfg.GroupID == "" || cfg.Topic == "" {
		return nil, errors.New("consumer: brokers, group id and topic are required")
	}
	start := kafkago.LastOffset
	if cfg.StartAtBeginning {
		start = kafkago.FirstOffset
	}
	return &Consumer{r: kafkago.NewReader(kafkago.ReaderConfig{
		Brokers:           cfg.Brokers,
		GroupID:           cfg.GroupID,
		Topic:             BrokerTopic(cfg.Topic),
		StartOffset:       start,
		MinBytes:          1,
		MaxBytes:          10 << 20,
		MaxWait:           250 * time.Millisecond,
		CommitInterval:    cfg.CommitInterval, // 0: synchronous commits, a committed offset means a handled message
		QueueCapacity:     cfg.QueueCapacity,  // 0: kafka-go's default
		ReadBackoffMin:    50 * time.Millisecond,
		ReadBackoffMax:    time.Second,
		SessionTimeout:    10 * time.Second,
		RebalanceTimeout:  10 * time.Second,
		HeartbeatInterval: 1 * time.Second,
	})}, nil
}

// Run hands each message to h and commits it after h succeeds, until ctx ends (returns nil)
// or h fails (returns its error; the message stays uncommitted).
func (c *Consumer) Run(ctx context.Context, h Handler) error {
	for {
		m, err := c.r.FetchMessage(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("fetch from %s: %w", c.r.Config().Topic, err)
		}
		msg := Message{Topic: LogicalTopic(m.Topic), Key: m.Key, Value: m.Value, Headers: fromHeaders(m.Headers),
			Partition: m.Partition, Offset: m.Offset, Time: m.Time}
		if err := h(ctx, msg); err != nil {
			return fmt.Errorf("handle %s/%d@%d: %w", m.Topic, m.Partition, m.Offset, err)
		}
		if err := c.r.CommitMessages(context.WithoutCancel(ctx), m); err != nil {
			return fmt.Errorf("commit %s/%d@%d: %w", m.Topic, m.Partition, m.Offset, err)
		}
	}
}

// BatchHandler processes messages fetched together, in the order they were fetched
// (per partition, offset order). Returning an error stops the consumer without
// committing any of them.
type BatchHandler func(ctx context.Context, msgs []Message) error

// RunBatches is Run a batch at a time: it waits for one message, then takes whatever else
// arrives within linger (at most maxBatch messages in all), hands them to h and commits
// their offsets after h succeeds, until ctx ends (returns nil) or h fails (returns its
// error; the batch stays uncommitted).
func (c *Consumer) RunBatches(ctx context.Context, maxBatch int, linger time.Duration, h BatchHandler) error {
	maxBatch = max(maxBatch, 1)
	raw := make([]kafkago.Message, 0, maxBatch)
	batch := make([]Message, 0, maxBatch)
	for {
		raw, batch = raw[:0], batch[:0]
		m, err := c.r.FetchMessage(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("fetch from %s: %w", c.r.Config().Topic, err)
		}
		raw = append(raw, m)
		if maxBatch > 1 {
			lctx, cancel := context.WithTimeout(ctx, linger)
			for len(raw) < maxBatch {
				m, err := c.r.FetchMessage(lctx)
				if err != nil {
					break // linger over (the message, if any, stays in the reader) or ctx ended
				}
				raw = append(raw, m)
			}
			cancel()
		}
		for _, m := range raw {
			batch = append(batch, Message{Topic: LogicalTopic(m.Topic), Key: m.Key, Value: m.Value, Headers: fromHeaders(m.Headers),
				Partition: m.Partition, Offset: m.Offset, Time: m.Time})
		}
		if err := h(ctx, batch); err != nil {
			return fmt.Errorf("handle %d messages of %s from %d@%d: %w", len(batch), raw[0].Topic, raw[0].Partition, raw[0].Offset, err)
		}
		if err := c.r.CommitMessages(context.WithoutCancel(ctx), raw...); err != nil {
			return fmt.Errorf("commit %d messages of %s: %w", len(raw), raw[0].Topic, err)
		}
	}
}

// Lag is how many messages the group has yet to read on this member's partitions.
func (c *Consumer) Lag() int64 { return c.r.Stats().Lag }

// Close leaves the group.
func (c *Consumer) Close() error { return c.r.Close() }

// Check is a readiness check: a broker answers a metadata request.
func Check(brokers []string) func(context.Context) error {
	return func(ctx context.Context) error {
		if len(brokers) == 0 {
			return errors.New("no brokers")
		}
		conn, err := (&kafkago.Dialer{Timeout: 3 * time.Second}).DialContext(ctx, "tcp", brokers[0])
		if err != nil {
			return err
		}
		defer conn.Close()
		if dl, ok := ctx.Deadline(); ok {
			_ = conn.SetDeadline(dl)
		}
		_, err = conn.Brokers()
		return err
	}
}

// TopicSpec describes a topic to create.
type TopicSpec struct {
	Name       string
	Partitions int
}

// EnsureTopics creates the topics that do not exist yet (through the cluster controller).
func EnsureTopics(ctx context.Context, brokers []string, topics ...TopicSpec) error {
	if len(brokers) == 0 {
		return errors.New("ensure topics: no brokers")
	}
	d := &kafkago.Dialer{Timeout: 5 * time.Second}
	conn, err := d.DialContext(ctx, "tcp", brokers[0])
	if err != nil {
		return fmt.Errorf("dial %s: %w", brokers[0], err)
	}
	defer conn.Close()
	ctrl, err := conn.Controller()
	if err != nil {
		return fmt.Errorf("find controller: %w", err)
	}
	cc, err := d.DialContext(ctx, "tcp", net.JoinHostPort(ctrl.Host, strconv.Itoa(ctrl.Port)))
	if err != nil {
		return fmt.Errorf("dial controller: %w", err)
	}
	defer cc.Close()
	cfgs := make([]kafkago.TopicConfig, len(topics))
	for i, t := range topics {
		p := t.Partitions
		if p <= 0 {
			p = 3
		}
		cfgs[i] = kafkago.TopicConfig{Topic: BrokerTopic(t.Name), NumPartitions: p, ReplicationFactor: 1}
	}
	if err := cc.CreateTopics(cfgs...); err != nil && !errors.Is(err, kafkago.TopicAlreadyExists) {
		return fmt.Errorf("create topics: %w", err)
	}
	return awaitLeaders(ctx, conn, cfgs)
}

// awaitLeaders waits until the broker knows a leader for every partition of topics: the
// controller answers CreateTopics before the brokers' metadata has them, and a write in
// between fails with Unknown Topic Or Partition (seen on a fresh broker in CI).
func awaitLeaders(ctx context.Context, conn *kafkago.Conn, topics []kafkago.TopicConfig) error {
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	names := make([]string, len(topics))
	want := 0
	for i, t := range topics {
		names[i], want = t.Topic, want+t.NumPartitions
	}
	for {
		parts, err := conn.ReadPartitions(names...)
		led := 0
		for _, p := range parts {
			if p.Leader.Host != "" {
				led++
			}
		}
		if err == nil && led >= want {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("topics %v: %d of %d partitions have a leader (%v): %w", names, led, want, err, ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func toHeaders(h map[string]string) []kafkago.Header {
	if len(h) == 0 {
		return nil
	}
	out := make([]kafkago.Header, 0, len(h))
	for k, v := range h {
		out = append(out, kafkago.Header{Key: k, Value: []byte(v)})
	}
	return out
}

func fromHeaders(h []kafkago.Header) map[string]string {
	if len(h) == 0 {
		return nil
	}
	out := make(map[string]string, len(h))
	for _, x := range h {
		out[x.Key] = string(x.Value)
	}
	return out
}
