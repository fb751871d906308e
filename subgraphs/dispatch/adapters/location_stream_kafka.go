package adapters

import (
	"context"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	kafkago "github.com/segmentio/kafka-go"
	"go.opentelemetry.io/otel/trace"

	"github.com/dizhtime/dizhtime/events/contracts"
	"github.com/dizhtime/dizhtime/events/kafka"
	"github.com/dizhtime/dizhtime/subgraphs/dispatch/domain"
)

// LocationStream publishes position fixes to driver.location, off the request path:
// updateLocation validates a fix and hands it here, and every replica's LocationFeed
// reads it back into its DriverIndex (matching, tracking, the live map). updateLocation
// is the highest-rate call dispatch serves, so the stream trades durability for speed:
//
//   - Publish only enqueues, never blocks: when the queue is full (Kafka slow or down)
//     the fix is dropped and counted (Stats, and dizhtime_dispatch_location_fixes_total
//     {outcome="dropped"}). A position is superseded by the next one seconds later, so a
//     lost fix costs little; a stalled updateLocation costs a lot.
//   - A batch the writer cannot deliver after its retries (Kafka down for longer than
//     ~1 s of backoff) is written off and counted as failed, not retried further: by
//     then newer fixes of the same couriers are queued behind it.
//   - One goroutine (Run) encodes envelopes and hands them to a kafka-go Writer in async
//     mode, which batches per partition (BatchSize or BatchTimeout, whichever first) and
//     acknowledges with the partition leader only (RequireOne).
//   - The writer holds at most MaxInFlight fixes not yet acknowledged (its own queue is
//     unbounded): beyond that Run waits, the queue fills and Publish drops, so a slow
//     Kafka costs counted drops, not memory.
//   - The key is the driver id, so one driver's fixes stay in order on one partition.
//   - This replica's own index (Local) takes the fix as it is published, so its trackers
//     and live maps see it without the Kafka round trip (produce linger plus the feed's
//     fetch wait: ~50 ms of the ~60 ms a subscriber waited at p50); the other replicas
//     learn it from driver.location, and this one reads it back there as a no-op
//     (DriverIndex.ApplyFix). Both paths apply a driver's fixes by their own time, so
//     a follower never sees one older than what it was handed before.
type LocationStream struct {
	w      *kafkago.Writer
	queue  chan queuedFix
	cfg    LocationStreamConfig
	logger *slog.Logger

	enqueued, dropped, failed atomic.Int64
	inFlight                  atomic.Int64  // handed to the writer, not yet completed
	completed                 chan struct{} // a batch completed (capacity 1)
	lastLoss                  atomic.Int64  // unix ms of the last drop or failure
}

type queuedFix struct {
	fix   contracts.DriverLocationV1
	trace trace.SpanContext
}

// LocationStreamConfig tunes the stream.
type LocationStreamConfig struct {
	// Topic is driver.location unless a deployment (or a test run) names its own.
	Topic string
	// QueueSize bounds the fixes waiting for the writer; beyond it fixes are dropped.
	QueueSize int
	// BatchSize and BatchTimeout bound a Kafka produce request.
	BatchSize    int
	BatchTimeout time.Duration
	// Compression of produce batches (0: none, the default; see
	// DefaultLocationStreamConfig).
	Compression kafkago.Compression
	// MaxInFlight bounds the fixes handed to the writer and not yet acknowledged or
	// written off (0: eight batches).
	MaxInFlight int
	// Local is this replica's index, fed each fix at once (nil: only through
	// driver.location and a LocationFeed, as every other replica is).
	Local *DriverIndex
}

// DefaultLocationStreamConfig holds a couple of seconds of a busy city's fixes. A
// produce request costs the broker far more than a fix in it, so a partition's batch
// lingers up to 25 ms and takes up to 8,000 fixes (kafka-go's 1 MiB BatchBytes caps a
// request as well). The linger is what a tracker on another replica waits for beyond
// the feed's fetch wait (the replica that took the fix feeds its own index at once,
// Local). It stays at 25 ms: kafka-go writes a partition's batches one at a time, so a
// shorter linger makes smaller batches each waiting a broker round trip, and 10 ms
// measured lower throughput on a loaded machine (dispatch-bench location phase,
// alternated runs at load 6-11: 30-92k against 44-99k updates/s) for ~15 ms less to
// the other replicas. 8,000 against 2,000 measured 23.8k vs 18.1k fixes/s end to end
// on the same machine, and 1.6 vs 3.4 µs of broker CPU per fix (dispatch-bench -parts
// location -location-batch N). Batches are not compressed: the broker decompresses a compressed
// batch to validate it, and fixes travel on a local network.
func DefaultLocationStreamConfig() LocationStreamConfig {
	return LocationStreamConfig{Topic: contracts.TypeDriverLocation, QueueSize: 65536, BatchSize: 8000, BatchTimeout: 25 * time.Millisecond}
}

// LocationStreamStats counts fixes: enqueued, dropped at a full queue, and failed to
// publish (written off after the writer's retries).
type LocationStreamStats struct{ Enqueued, Dropped, Failed int64 }

// NewLocationStream returns a stream to brokers; nothing is sent until Run runs.
func NewLocationStream(brokers []string, cfg LocationStreamConfig, logger *slog.Logger) (*LocationStream, error) {
	if len(brokers) == 0 {
		return nil, fmt.Errorf("location stream: no Kafka brokers")
	}
	if cfg.Topic == "" || cfg.QueueSize < 1 || cfg.BatchSize < 1 || cfg.BatchTimeout <= 0 {
		return nil, fmt.Errorf("location stream: bad config %+v", cfg)
	}
	if logger == nil {
		logger = slog.Default()
	}
	if cfg.MaxInFlight == 0 {
		cfg.MaxInFlight = 8 * cfg.BatchSize
	}
	if cfg.MaxInFlight < cfg.BatchSize {
		return nil, fmt.Errorf("location stream: MaxInFlight %d is less than a batch (%d)", cfg.MaxInFlight, cfg.BatchSize)
	}
	s := &LocationStream{queue: make(chan queuedFix, cfg.QueueSize), cfg: cfg, logger: logger, completed: make(chan struct{}, 1)}
	s.w = &kafkago.Writer{
		Addr:                   kafkago.TCP(brokers...),
		Topic:                  kafka.BrokerTopic(cfg.Topic),
		Balancer:               &kafkago.Hash{},
		RequiredAcks:           kafkago.RequireOne,
		AllowAutoTopicCreation: true,
		Async:                  true,
		BatchSize:              cfg.BatchSize,
		BatchTimeout:           cfg.BatchTimeout,
		Compression:            cfg.Compression,
		MaxAttempts:            3,
		WriteBackoffMin:        50 * time.Millisecond,
		WriteBackoffMax:        500 * time.Millisecond,
		WriteTimeout:           5 * time.Second,
		Completion: func(msgs []kafkago.Message, err error) {
			s.inFlight.Add(-int64(len(msgs)))
			select {
			case s.completed <- struct{}{}:
			default:
			}
			if err != nil {
				s.failed.Add(int64(len(msgs)))
				s.lastLoss.Store(time.Now().UnixMilli())
				s.logger.Warn("driver.location batch not published", "count", len(msgs), "error", err)
			}
		},
	}
	return s, nil
}

// Publish hands fix to this replica's index (Local) and enqueues it for driver.location
// without blocking (dropped and counted when the queue is full: the other replicas then
// miss it). The caller's trace context travels with it into the envelope.
func (s *LocationStream) Publish(ctx context.Context, fix contracts.DriverLocationV1) {
	if s.cfg.Local != nil {
		s.cfg.Local.ApplyFix(fix.DriverID, domain.Point{Lat: fix.Lat, Lng: fix.Lng}, fix.RecordedAt)
	}
	select {
	case s.queue <- queuedFix{fix: fix, trace: trace.SpanContextFromContext(ctx)}:
		s.enqueued.Add(1)
	default:
		s.dropped.Add(1)
		s.lastLoss.Store(time.Now().UnixMilli())
	}
}

// LosingSince reports whether a fix was dropped or written off within the last d (Kafka
// slow or down: silence from couriers then says nothing about them).
func (s *LocationStream) LosingSince(d time.Duration) bool {
	last := s.lastLoss.Load()
	return last != 0 && time.Since(time.UnixMilli(last)) < d
}

// Backlog is how many fixes wait in the queue or in the writer, not yet acknowledged (a
// load generator keeps it from filling).
func (s *LocationStream) Backlog() int { return len(s.queue) + int(s.inFlight.Load()) }

// InFlight is how many fixes the writer holds, handed to it and not yet acknowledged or
// written off (at most MaxInFlight).
func (s *LocationStream) InFlight() int { return int(s.inFlight.Load()) }

// Stats returns the counters so far.
func (s *LocationStream) Stats() LocationStreamStats {
	return LocationStreamStats{Enqueued: s.enqueued.Load(), Dropped: s.dropped.Load(), Failed: s.failed.Load()}
}

// Run drains the queue into the writer until ctx ends, then flushes what is queued
// (bounded by a few seconds) and closes the writer.
func (s *LocationStream) Run(ctx context.Context) error {
	batch := make([]queuedFix, 0, s.cfg.BatchSize)
	msgs := make([]kafkago.Message, 0, s.cfg.BatchSize)
	// flush hands the batch to the writer once the writer has room for it, or writes it
	// off as dropped when giveUp closes first.
	var giveUp <-chan struct{} = ctx.Done()
	flush := func() {
		if len(batch) == 0 {
			return
		}
		if !s.room(len(batch), giveUp) {
			s.dropped.Add(int64(len(batch)))
			s.lastLoss.Store(time.Now().UnixMilli())
			clear(batch)
			batch = batch[:0]
			return
		}
		// Encoded once, into one arena per batch (sized to it).
		lb := newLocationBatch(len(batch))
		for _, q := range batch {
			if m, ok := s.encode(lb, q); ok {
				msgs = append(msgs, m)
			}
		}
		// Async: returns once the writer has copied the messages into its own batches
		// (so msgs is reused; the arena is not); Completion reports the outcome.
		if len(msgs) > 0 {
			s.inFlight.Add(int64(len(msgs)))
			if err := s.w.WriteMessages(context.Background(), msgs...); err != nil {
				s.inFlight.Add(-int64(len(msgs)))
				s.failed.Add(int64(len(msgs)))
				s.logger.Warn("driver.location batch refused", "count", len(msgs), "error", err)
			}
		}
		clear(batch)
		batch = batch[:0]
		clear(msgs)
		msgs = msgs[:0]
	}
	add := func(q queuedFix) {
		if batch = append(batch, q); len(batch) == s.cfg.BatchSize {
			flush()
		}
	}
	for {
		select {
		case <-ctx.Done():
			// Shutting down: what is queued still goes out if the writer makes room
			// within a few seconds.
			stop := make(chan struct{})
			timer := time.AfterFunc(5*time.Second, func() { close(stop) })
			defer timer.Stop()
			giveUp = stop
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

// room waits until the writer holds at most MaxInFlight-n fixes, or giveUp closes
// (false).
func (s *LocationStream) room(n int, giveUp <-chan struct{}) bool {
	for s.inFlight.Load()+int64(n) > int64(s.cfg.MaxInFlight) {
		select {
		case <-s.completed:
		case <-giveUp:
			return false
		case <-time.After(100 * time.Millisecond): // a completion signal taken by nobody
		}
	}
	return true
}

func (s *LocationStream) encode(lb *locationBatch, q queuedFix) (kafkago.Message, bool) {
	id, err := uuid.NewV7()
	if err != nil {
		s.failed.Add(1)
		s.logger.Warn("driver.location not encoded", "driver", q.fix.DriverID, "error", err)
		return kafkago.Message{}, false
	}
	tp, ts := traceParent(q.trace)
	return lb.message(id, time.Now(), tp, ts, q.fix), true
}
