package consumer

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"strconv"
	"time"

	"github.com/cenkalti/backoff/v5"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/dizhtime/dizhtime/events"
	"github.com/dizhtime/dizhtime/events/kafka"
	"github.com/dizhtime/dizhtime/platform/postgres"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Migrate creates or upgrades processed_events in the pool's current schema.
func Migrate(ctx context.Context, pool *pgxpool.Pool) error {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return err
	}
	return postgres.Migrate(ctx, pool, "consumer", sub)
}

// Handler applies one event inside tx. Returning an error rolls tx back and retries.
type Handler func(ctx context.Context, tx pgx.Tx, e events.Envelope) error

// BatchHandler applies several events inside tx at once (in batch mode, Config.BatchSize):
// events of one partition, in offset order, none applied before (their ids are recorded
// in tx already). Returning an error rolls tx back; the events then go through Handler
// one by one.
type BatchHandler func(ctx context.Context, tx pgx.Tx, evs []events.Envelope) error

type permanentError struct{ err error }

func (p permanentError) Error() string { return p.err.Error() }
func (p permanentError) Unwrap() error { return p.err }

// Permanent marks err as one retrying cannot fix (a payload the handler rejects): the
// event goes to the dead-letter topic without further attempts.
func Permanent(err error) error { return permanentError{err} }

// Publisher sends messages (*kafka.Producer).
type Publisher interface {
	Publish(ctx context.Context, msgs ...kafka.Message) error
}

// Config describes one consumer; zero values take the defaults.
type Config struct {
	// Name is the consumer group and the consumer's key in processed_events.
	Name    string
	Brokers []string
	Topic   string
	// StartAtBeginning makes a new group read the topic from its first offset.
	StartAtBeginning bool
	// MaxAttempts before dead-lettering (default 5).
	MaxAttempts int
	// InitialBackoff and MaxBackoff bound the wait between attempts (default 100ms, 5s).
	InitialBackoff, MaxBackoff time.Duration
	// DedupWindow is how long processed event ids are kept (default 7 days); a redelivery
	// older than that would be applied again.
	DedupWindow time.Duration
	// LagInterval is how often the lag gauge is refreshed (default 10s).
	LagInterval time.Duration
	// BatchSize > 1 turns batch mode on: up to BatchSize messages fetched together are
	// split by partition, and each partition's part is applied in ONE transaction (its
	// event ids recorded in one statement, then BatchHandler, or Handler for each new
	// event in turn), the partitions side by side. Offsets are committed after the
	// transactions, asynchronously (CommitInterval). When a part's transaction fails, it
	// rolls back whole and that part's messages go one by one through the per-message
	// path (retries, dead letters), so a poison message costs only itself.
	BatchSize int
	// BatchLinger is how long a batch waits for more messages after its first (default 2ms).
	BatchLinger time.Duration
	// CommitInterval is how often batch mode commits offsets (default 1s). A crash
	// redelivers at most that much; the redelivered events are skipped by id.
	CommitInterval time.Duration
	// BatchHandler (optional, batch mode) applies a partition's new events at once.
	BatchHandler BatchHandler
	// OneTransaction (batch mode) applies all the messages fetched together in ONE
	// transaction, whatever their partitions (each partition's events still in offset
	// order), instead of one transaction per partition side by side: for handlers whose
	// partitions contend on the same rows (the wallet's order.created: every partition
	// charges the same customers' wallets, so the partitions' transactions queued on each
	// other's row locks). A failure sends all of them one by one.
	OneTransaction bool
	// ShardKey (optional, batch mode) groups the messages fetched together by what their
	// handler locks instead of by partition: messages with the same key go to the same
	// transaction, in the order fetched (so one key's messages of a partition stay in
	// offset order), and the groups, as many as the fetch has partitions, run side by side
	// without waiting on each other's row locks. For handlers whose partitions contend on
	// the same rows (the wallet's order.created: every partition charges the same
	// customers' wallets). A message that does not decode goes to the first group, whose
	// failure sends it one by one as usual. Ignored with OneTransaction.
	ShardKey       func(events.Envelope) string
	Metrics        *Metrics
	TracerProvider trace.TracerProvider
	Logger         *slog.Logger
}

// Consumer is a running subscription; see the package doc.
type Consumer struct {
	pool   *pgxpool.Pool
	dlq    Publisher
	cfg    Config
	h      Handler
	tracer trace.Tracer
	log    *slog.Logger
}

// New returns a consumer applying h to cfg.Topic's events in pool, dead-lettering through
// dlq.
func New(pool *pgxpool.Pool, dlq Publisher, cfg Config, h Handler) (*Consumer, error) {
	if pool == nil || dlq == nil || h == nil {
		return nil, errors.New("consumer: pool, dead-letter publisher and handler are required")
	}
	if cfg.Name == "" || cfg.Topic == "" || len(cfg.Brokers) == 0 {
		return nil, errors.New("consumer: name, topic and brokers are required")
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 5
	}
	if cfg.InitialBackoff <= 0 {
		cfg.InitialBackoff = 100 * time.Millisecond
	}
	if cfg.MaxBackoff <= 0 {
		cfg.MaxBackoff = 5 * time.Second
	}
	if cfg.DedupWindow <= 0 {
		cfg.DedupWindow = 7 * 24 * time.Hour
	}
	if cfg.LagInterval <= 0 {
		cfg.LagInterval = 10 * time.Second
	}
	if cfg.BatchLinger <= 0 {
		cfg.BatchLinger = 2 * time.Millisecond
	}
	if cfg.CommitInterval <= 0 {
		cfg.CommitInterval = time.Second
	}
	tp := cfg.TracerProvider
	if tp == nil {
		tp = otel.GetTracerProvider()
	}
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	cfg.Metrics.declare(cfg.Name, cfg.Topic)
	return &Consumer{pool: pool, dlq: dlq, cfg: cfg, h: h,
		tracer: tp.Tracer("github.com/dizhtime/dizhtime/events/consumer"),
		log:    log.With("consumer", cfg.Name, "topic", cfg.Topic)}, nil
}

// DLQTopic is the dead-letter topic of topic.
func DLQTopic(topic string) string { return topic + ".dlq" }

// Run consumes until ctx ends, then returns nil. When a message can be neither handled
// nor dead-lettered (the database or Kafka is down), the member leaves the group and
// rejoins after a backoff, so the message is delivered again.
func (c *Consumer) Run(ctx context.Context) error {
	if err := kafka.EnsureTopics(ctx, c.cfg.Brokers, kafka.TopicSpec{Name: DLQTopic(c.cfg.Topic), Partitions: 1}); err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return fmt.Errorf("consumer %s: dead-letter topic: %w", c.cfg.Name, err)
	}
	go c.housekeeping(ctx)
	for failures := 0; ; failures++ {
		kcfg := kafka.ConsumerConfig{Brokers: c.cfg.Brokers, GroupID: c.cfg.Name,
			Topic: c.cfg.Topic, StartAtBeginning: c.cfg.StartAtBeginning}
		if c.cfg.BatchSize > 1 {
			kcfg.CommitInterval = c.cfg.CommitInterval
			kcfg.QueueCapacity = max(c.cfg.BatchSize, 100)
		}
		kc, err := kafka.NewConsumer(kcfg)
		if err != nil {
			return fmt.Errorf("consumer %s: %w", c.cfg.Name, err)
		}
		if c.cfg.BatchSize > 1 {
			err = kc.RunBatches(ctx, c.cfg.BatchSize, c.cfg.BatchLinger, c.handleBatch)
		} else {
			err = kc.Run(ctx, c.handle)
		}
		_ = kc.Close()
		if ctx.Err() != nil {
			return nil
		}
		wait := min(c.cfg.InitialBackoff<<min(failures, 10), c.cfg.MaxBackoff)
		c.log.ErrorContext(ctx, "consumer stopped; rejoining", "error", err, "backoff", wait)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(wait):
		}
	}
}

// handle is the kafka.Handler: nil commits the offset.
func (c *Consumer) handle(ctx context.Context, m kafka.Message) error {
	e, err := events.FromMessage(m)
	if err != nil {
		return c.deadLetter(ctx, m, 0, err)
	}
	ctx, span := c.tracer.Start(e.ContextWithTrace(ctx), m.Topic+" process",
		trace.WithSpanKind(trace.SpanKindConsumer),
		trace.WithAttributes(
			attribute.String("messaging.system", "kafka"),
			attribute.String("messaging.operation.type", "process"),
			attribute.String("messaging.destination.name", m.Topic),
			attribute.String("messaging.consumer.group.name", c.cfg.Name),
			attribute.String("messaging.message.id", e.ID),
			attribute.String("messaging.kafka.message.key", string(m.Key)),
			attribute.Int("messaging.destination.partition.id", m.Partition),
			attribute.Int64("messaging.kafka.offset", m.Offset),
		))
	defer span.End()

	expo := backoff.NewExponentialBackOff()
	expo.InitialInterval, expo.MaxInterval = c.cfg.InitialBackoff, c.cfg.MaxBackoff
	attempts := 0
	outcome, err := backoff.Retry(ctx, func() (string, error) {
		attempts++
		outcome, err := c.apply(ctx, e)
		if pe := (permanentError{}); errors.As(err, &pe) {
			return "", backoff.Permanent(err)
		}
		if err != nil {
			c.log.WarnContext(ctx, "event handler failed", "event_id", e.ID, "attempt", attempts, "error", err)
			c.cfg.Metrics.retried(c.cfg.Name, m.Topic, attempts < c.cfg.MaxAttempts)
		}
		return outcome, err
	}, backoff.WithBackOff(expo), backoff.WithMaxTries(uint(c.cfg.MaxAttempts)), backoff.WithMaxElapsedTime(0))
	if err == nil {
		span.SetAttributes(attribute.String("dizhtime.consumer.outcome", outcome))
		c.cfg.Metrics.outcome(c.cfg.Name, m.Topic, outcome)
		// With the span's context: the line carries the producer's trace id.
		c.log.DebugContext(ctx, "event handled", "event_id", e.ID, "outcome", outcome, "attempts", attempts)
		return nil
	}
	if ctx.Err() != nil {
		return ctx.Err() // shutting down: leave it uncommitted, not dead-lettered
	}
	span.RecordError(err)
	span.SetStatus(codes.Error, "dead-lettered")
	return c.deadLetter(ctx, m, attempts, err)
}

// apply runs the handler once inside a transaction that also records the event id.
func (c *Consumer) apply(ctx context.Context, e events.Envelope) (outcome string, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("handler panicked: %v", p)
		}
	}()
	outcome = "processed"
	err = pgx.BeginFunc(ctx, c.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `INSERT INTO processed_events (consumer, event_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`,
			c.cfg.Name, e.ID)
		if err != nil {
			return fmt.Errorf("record event %s: %w", e.ID, err)
		}
		if tag.RowsAffected() == 0 {
			outcome = "duplicate"
			return nil
		}
		return c.h(ctx, tx, e)
	})
	return outcome, err
}

// Dead-letter headers.
const (
	HeaderDLQReason            = "dlq_reason"
	HeaderDLQAttempts          = "dlq_attempts"
	HeaderDLQConsumer          = "dlq_consumer"
	HeaderDLQOriginalTopic     = "dlq_original_topic"
	HeaderDLQOriginalPartition = "dlq_original_partition"
	HeaderDLQOriginalOffset    = "dlq_original_offset"
	HeaderDLQFailedAt          = "dlq_failed_at"
)

func (c *Consumer) deadLetter(ctx context.Context, m kafka.Message, attempts int, cause error) error {
	h := make(map[string]string, len(m.Headers)+7)
	for k, v := range m.Headers {
		h[k] = v
	}
	reason := cause.Error()
	if len(reason) > 2000 {
		reason = reason[:2000]
	}
	h[HeaderDLQReason] = reason
	h[HeaderDLQAttempts] = strconv.Itoa(attempts)
	h[HeaderDLQConsumer] = c.cfg.Name
	h[HeaderDLQOriginalTopic] = m.Topic
	h[HeaderDLQOriginalPartition] = strconv.Itoa(m.Partition)
	h[HeaderDLQOriginalOffset] = strconv.FormatInt(m.Offset, 10)
	h[HeaderDLQFailedAt] = time.Now().UTC().Format(time.RFC3339Nano)
	pubCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	if err := c.dlq.Publish(pubCtx, kafka.Message{Topic: DLQTopic(m.Topic), Key: m.Key, Value: m.Value, Headers: h}); err != nil {
		return fmt.Errorf("dead-letter %s/%d@%d (%s): %w", m.Topic, m.Partition, m.Offset, reason, err)
	}
	c.log.ErrorContext(ctx, "event dead-lettered", "partition", m.Partition, "offset", m.Offset,
		"event_id", m.Headers[events.HeaderID], "attempts", attempts, "reason", reason)
	c.cfg.Metrics.outcome(c.cfg.Name, m.Topic, "dead_lettered")
	return nil
}

// housekeeping refreshes the lag gauge and forgets processed ids older than DedupWindow.
func (c *Consumer) housekeeping(ctx context.Context) {
	t := time.NewTicker(c.cfg.LagInterval)
	defer t.Stop()
	lastCleanup := time.Time{}
	for {
		if c.cfg.Metrics != nil {
			if lag, err := c.Lag(ctx); err == nil {
				c.cfg.Metrics.lag.WithLabelValues(c.cfg.Name, c.cfg.Topic).Set(float64(lag))
			}
		}
		if time.Since(lastCleanup) > time.Hour {
			lastCleanup = time.Now()
			if _, err := c.pool.Exec(ctx, `DELETE FROM processed_events WHERE consumer = $1 AND processed_at < now() - make_interval(secs => $2)`,
				c.cfg.Name, c.cfg.DedupWindow.Seconds()); err != nil && ctx.Err() == nil {
				c.log.WarnContext(ctx, "forgetting old processed events failed", "error", err)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Lag is how many messages of the topic the group has not committed yet.
func (c *Consumer) Lag(ctx context.Context) (int64, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	return kafka.GroupLag(ctx, c.cfg.Brokers, c.cfg.Name, c.cfg.Topic)
}
