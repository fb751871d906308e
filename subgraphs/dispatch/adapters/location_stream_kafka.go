package adapters

import (
	"context"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	kafkago "github.com/segmentio/kafka-go"
	"go.opentelemetry.io/otel/trace"

	"github.com/dizhtime/dizhtime/events"
	"github.com/dizhtime/dizhtime/events/contracts"
	"github.com/dizhtime/dizhtime/events/kafka"
	"github.com/dizhtime/dizhtime/subgraphs/dispatch/app"
)

// LocationStream publishes position fixes to driver.location for analytics and other
// consumers, off the request path. updateLocation is the highest-rate call dispatch
// serves and its low-latency consumers (tracking, the live map) read Redis, so the
// stream trades durability for speed:
//
//   - Publish only enqueues, never blocks: when the queue is full (Kafka slow or down)
//     the fix is dropped and counted. A position is superseded by the next one seconds
//     later, so a lost fix costs little; a stalled updateLocation costs a lot.
//   - One goroutine (Run) encodes envelopes and hands them to a kafka-go Writer in async
//     mode, which batches per partition (BatchSize or BatchTimeout, whichever first) and
//     acknowledges with the partition leader only (RequireOne).
//   - The key is the driver id, so one driver's fixes stay in order on one partition.
type LocationStream struct {
	w      *kafkago.Writer
	queue  chan queuedFix
	cfg    LocationStreamConfig
	logger *slog.Logger

	enqueued, dropped, failed atomic.Int64
}

type queuedFix struct {
	fix   contracts.DriverLocationV1
	trace trace.SpanContext
}

// LocationStreamConfig tunes the stream.
type LocationStreamConfig struct {
	// QueueSize bounds the fixes waiting for the writer; beyond it fixes are dropped.
	QueueSize int
	// BatchSize and BatchTimeout bound a Kafka produce request.
	BatchSize    int
	BatchTimeout time.Duration
}

// DefaultLocationStreamConfig holds a couple of seconds of a busy city's fixes.
func DefaultLocationStreamConfig() LocationStreamConfig {
	return LocationStreamConfig{QueueSize: 65536, BatchSize: 500, BatchTimeout: 20 * time.Millisecond}
}

// LocationStreamStats counts fixes: enqueued, dropped at a full queue, and failed to
// publish (written off after the writer's retries).
type LocationStreamStats struct{ Enqueued, Dropped, Failed int64 }

// NewLocationStream returns a stream to brokers; nothing is sent until Run runs.
func NewLocationStream(brokers []string, cfg LocationStreamConfig, logger *slog.Logger) (*LocationStream, error) {
	if len(brokers) == 0 {
		return nil, fmt.Errorf("location stream: no Kafka brokers")
	}
	if cfg.QueueSize < 1 || cfg.BatchSize < 1 || cfg.BatchTimeout <= 0 {
		return nil, fmt.Errorf("location stream: bad config %+v", cfg)
	}
	if logger == nil {
		logger = slog.Default()
	}
	s := &LocationStream{queue: make(chan queuedFix, cfg.QueueSize), cfg: cfg, logger: logger}
	s.w = &kafkago.Writer{
		Addr:                   kafkago.TCP(brokers...),
		Topic:                  kafka.BrokerTopic(contracts.TypeDriverLocation),
		Balancer:               &kafkago.Hash{},
		RequiredAcks:           kafkago.RequireOne,
		AllowAutoTopicCreation: true,
		Async:                  true,
		BatchSize:              cfg.BatchSize,
		BatchTimeout:           cfg.BatchTimeout,
		MaxAttempts:            3,
		WriteBackoffMin:        50 * time.Millisecond,
		WriteBackoffMax:        500 * time.Millisecond,
		WriteTimeout:           5 * time.Second,
		Completion: func(msgs []kafkago.Message, err error) {
			if err != nil {
				s.failed.Add(int64(len(msgs)))
				s.logger.Warn("driver.location batch not published", "count", len(msgs), "error", err)
			}
		},
	}
	return s, nil
}

// Publish enqueues fix without blocking (dropped and counted when the queue is full).
// The caller's trace context travels with it into the envelope.
func (s *LocationStream) Publish(ctx context.Context, fix contracts.DriverLocationV1) {
	select {
	case s.queue <- queuedFix{fix: fix, trace: trace.SpanContextFromContext(ctx)}:
		s.enqueued.Add(1)
	default:
		s.dropped.Add(1)
	}
}

// Stats returns the counters so far.
func (s *LocationStream) Stats() LocationStreamStats {
	return LocationStreamStats{Enqueued: s.enqueued.Load(), Dropped: s.dropped.Load(), Failed: s.failed.Load()}
}

// Run drains the queue into the writer until ctx ends, then flushes what is queued
// (bounded by a few seconds) and closes the writer.
func (s *LocationStream) Run(ctx context.Context) error {
	batch := make([]kafkago.Message, 0, s.cfg.BatchSize)
	flush := func() {
		if len(batch) == 0 {
			return
		}
		// Async: returns once the writer has copied the messages into its own batches
		// (so ours is reused); Completion reports the outcome.
		if err := s.w.WriteMessages(context.Background(), batch...); err != nil {
			s.failed.Add(int64(len(batch)))
			s.logger.Warn("driver.location batch refused", "count", len(batch), "error", err)
		}
		clear(batch)
		batch = batch[:0]
	}
	add := func(q queuedFix) {
		if m, ok := s.encode(q); ok {
			batch = append(batch, m)
		}
		if len(batch) == s.cfg.BatchSize {
			flush()
		}
	}
	for {
		select {
		case <-ctx.Done():
			for {
				select {
				case q := <-s.queue:
					add(q)
					continue
				default:
				}
				break
			}
			flush()
			done := make(chan error, 1)
			go func() { done <- s.w.Close() }()
			select {
			case err := <-done:
				return err
			case <-time.After(5 * time.Second):
				return fmt.Errorf("location stream: flush on shutdown timed out")
			}
		case q := <-s.queue:
			add(q)
			// Take whatever else is already queued, then hand the lot over.
			for more := true; more && len(batch) > 0; {
				select {
				case q := <-s.queue:
					add(q)
				default:
					more = false
				}
			}
			flush()
		}
	}
}

func (s *LocationStream) encode(q queuedFix) (kafkago.Message, bool) {
	ctx := context.Background()
	if q.trace.IsValid() {
		ctx = trace.ContextWithRemoteSpanContext(ctx, q.trace)
	}
	e, err := events.New(ctx, app.Source, q.fix.DriverID, q.fix)
	if err == nil {
		var m kafkago.Message
		mm, merr := e.Message()
		if merr == nil {
			m = kafkago.Message{Key: mm.Key, Value: mm.Value}
			for k, v := range mm.Headers {
				m.Headers = append(m.Headers, kafkago.Header{Key: k, Value: []byte(v)})
			}
			return m, true
		}
		err = merr
	}
	s.failed.Add(1)
	s.logger.Warn("driver.location not encoded", "driver", q.fix.DriverID, "error", err)
	return kafkago.Message{}, false
}
