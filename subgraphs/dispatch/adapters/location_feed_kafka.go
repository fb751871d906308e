package adapters

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	gojson "github.com/goccy/go-json"
	kafkago "github.com/segmentio/kafka-go"

	"github.com/dizhtime/dizhtime/events/contracts"
	"github.com/dizhtime/dizhtime/events/kafka"
	"github.com/dizhtime/dizhtime/subgraphs/dispatch/domain"
)

// LocationFeed reads every partition of the driver.location topic into this replica's
// DriverIndex. It joins no consumer group: every replica reads every fix (each holds the
// whole index), and nothing is committed: a starting replica rebuilds positions by
// reading the topic from Replay ago (every online courier pings far more often than
// that; one who did not is dropped as silent anyway), its statuses come from the Redis
// snapshot (LiveIndex.RunStates).
type LocationFeed struct {
	brokers []string
	topic   string
	index   *DriverIndex
	cfg     LocationFeedConfig
	logger  *slog.Logger

	caughtUp   atomic.Bool
	lastError  atomic.Int64 // unix ms of the last read error, 0 if none
	read, bad  atomic.Int64
	partitions atomic.Int64
}

// LocationFeedConfig tunes the feed.
type LocationFeedConfig struct {
	// Topic is driver.location unless a deployment (or a test run) names its own.
	Topic string
	// Replay is how far back a starting replica reads.
	Replay time.Duration
	// MaxWait bounds how long a fetch waits for new fixes (latency to trackers when idle).
	MaxWait time.Duration
	// MinBytes is how much a fetch waits for (at most MaxWait) before it answers.
	MinBytes int
}

// DefaultLocationFeedConfig replays the last minute. A fetch waits for 64 KiB or 20 ms:
// under load one fetch brings hundreds of fixes, at a tracking rate a fix waits at most
// 20 ms for it (idle, each partition costs 50 empty fetches a second).
func DefaultLocationFeedConfig() LocationFeedConfig {
	return LocationFeedConfig{Topic: contracts.TypeDriverLocation, Replay: time.Minute, MaxWait: 20 * time.Millisecond, MinBytes: 64 << 10}
}

// NewLocationFeed feeds index from brokers; nothing is read until Run.
func NewLocationFeed(brokers []string, index *DriverIndex, cfg LocationFeedConfig, logger *slog.Logger) (*LocationFeed, error) {
	if len(brokers) == 0 || index == nil {
		return nil, errors.New("location feed: brokers and index are required")
	}
	if cfg.Topic == "" || cfg.Replay <= 0 || cfg.MaxWait <= 0 || cfg.MinBytes < 1 {
		return nil, fmt.Errorf("location feed: bad config %+v", cfg)
	}
	if logger == nil {
		logger = slog.Default()
	}
	return &LocationFeed{brokers: brokers, topic: kafka.BrokerTopic(cfg.Topic), index: index, cfg: cfg, logger: logger}, nil
}

// LocationFeedStats counts fixes read, and messages that were not readable fixes.
type LocationFeedStats struct{ Read, Unreadable int64 }

// Stats returns the counters so far.
func (f *LocationFeed) Stats() LocationFeedStats {
	return LocationFeedStats{Read: f.read.Load(), Unreadable: f.bad.Load()}
}

// CaughtUp reports whether every partition was read up to where it ended when Run
// started (the index then holds every position of the replay window).
func (f *LocationFeed) CaughtUp() bool { return f.caughtUp.Load() }

// Healthy reports whether the feed is caught up and has read without error for the last
// d: only then may silence be taken for a courier gone (a feed cut off from Kafka would
// see every courier fall silent).
func (f *LocationFeed) Healthy(d time.Duration) bool {
	if !f.caughtUp.Load() {
		return false
	}
	last := f.lastError.Load()
	return last == 0 || time.Since(time.UnixMilli(last)) > d
}

// Run reads until ctx ends, retrying with backoff while Kafka is unreachable.
func (f *LocationFeed) Run(ctx context.Context) error {
	backoff := 100 * time.Millisecond
	for {
		err := f.run(ctx)
		if ctx.Err() != nil {
			return nil
		}
		f.lastError.Store(time.Now().UnixMilli())
		f.logger.WarnContext(ctx, "driver.location feed", "error", err, "retry_in", backoff)
		if sleepCtx(ctx, backoff) != nil {
			return nil
		}
		backoff = min(2*backoff, 5*time.Second)
	}
}

// start lists the offsets to read each partition from (Replay ago) and to (its end now).
func (f *LocationFeed) start(ctx context.Context) (from, end map[int]int64, err error) {
	c := &kafkago.Client{Addr: kafkago.TCP(f.brokers...), Timeout: 10 * time.Second}
	md, err := c.Metadata(ctx, &kafkago.MetadataRequest{Topics: []string{f.topic}})
	if err != nil {
		return nil, nil, fmt.Errorf("metadata of %s: %w", f.topic, err)
	}
	var reqs []kafkago.OffsetRequest
	since := time.Now().Add(-f.cfg.Replay)
	for _, t := range md.Topics {
		if t.Name != f.topic {
			continue
		}
		if t.Error != nil {
			return nil, nil, fmt.Errorf("metadata of %s: %w", f.topic, t.Error)
		}
		for _, p := range t.Partitions {
			reqs = append(reqs, kafkago.LastOffsetOf(p.ID), kafkago.TimeOffsetOf(p.ID, since))
		}
	}
	if len(reqs) == 0 {
		return nil, nil, fmt.Errorf("topic %s has no partitions", f.topic)
	}
	offs, err := c.ListOffsets(ctx, &kafkago.ListOffsetsRequest{Topics: map[string][]kafkago.OffsetRequest{f.topic: reqs}})
	if err != nil {
		return nil, nil, fmt.Errorf("offsets of %s: %w", f.topic, err)
	}
	from, end = map[int]int64{}, map[int]int64{}
	for _, po := range offs.Topics[f.topic] {
		if po.Error != nil {
			return nil, nil, fmt.Errorf("offsets of %s/%d: %w", f.topic, po.Partition, po.Error)
		}
		end[po.Partition] = po.LastOffset
		start := po.LastOffset
		for off := range po.Offsets {
			if off >= 0 && off < start {
				start = off
			}
		}
		from[po.Partition] = start
	}
	return from, end, nil
}

func (f *LocationFeed) run(ctx context.Context) error {
	from, end, err := f.start(ctx)
	if err != nil {
		return err
	}
	f.partitions.Store(int64(len(from)))
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var pending sync.WaitGroup // partitions not yet read to their starting end
	for p := range from {
		if from[p] < end[p] {
			pending.Add(1)
		}
	}
	go func() { pending.Wait(); f.caughtUp.Store(true) }()
	errs := make(chan error, len(from))
	for p, off := range from {
		go func() {
			errs <- f.partition(ctx, p, off, end[p], &pending)
		}()
	}
	err = <-errs
	cancel()
	for range len(from) - 1 {
		<-errs
	}
	return err
}

func (f *LocationFeed) partition(ctx context.Context, partition int, from, end int64, pending *sync.WaitGroup) error {
	r := kafkago.NewReader(kafkago.ReaderConfig{Brokers: f.brokers, Topic: f.topic, Partition: partition,
		// A fetch waits for MinBytes or MaxWait, whichever first: when fixes flow, one
		// fetch brings hundreds of them (a fetch per handful cost the broker more CPU than
		// producing them); when idle a fix still arrives within MaxWait.
		MinBytes: f.cfg.MinBytes, MaxBytes: 16 << 20, MaxWait: f.cfg.MaxWait, QueueCapacity: 1024,
		// The reader retries a lost broker by itself and FetchMessage just waits: its
		// error log is how the feed learns that it is cut off (Healthy).
		ErrorLogger: kafkago.LoggerFunc(func(string, ...any) { f.lastError.Store(time.Now().UnixMilli()) })})
	defer r.Close()
	if err := r.SetOffset(from); err != nil {
		return fmt.Errorf("%s/%d: %w", f.topic, partition, err)
	}
	waiting := from < end
	for {
		m, err := r.FetchMessage(ctx)
		if err != nil {
			return fmt.Errorf("%s/%d: %w", f.topic, partition, err)
		}
		f.apply(m.Value)
		if waiting && m.Offset+1 >= end {
			waiting = false
			pending.Done()
		}
	}
}

// locationMessage is the part of a driver.location envelope the index needs, decoded
// in one pass (the envelope's data holds contracts.DriverLocationV1).
type locationMessage struct {
	Type    string `json:"type"`
	Version int    `json:"version"`
	Data    struct {
		DriverID   string    `json:"driver_id"`
		Lat        float64   `json:"lat"`
		Lng        float64   `json:"lng"`
		RecordedAt time.Time `json:"recorded_at"`
	} `json:"data"`
}

func (f *LocationFeed) apply(value []byte) {
	var m locationMessage
	if err := gojson.Unmarshal(value, &m); err != nil || m.Type != contracts.TypeDriverLocation || m.Data.DriverID == "" {
		f.bad.Add(1)
		return
	}
	p := domain.Point{Lat: m.Data.Lat, Lng: m.Data.Lng}
	if !p.Valid() {
		f.bad.Add(1)
		return
	}
	f.read.Add(1)
	f.index.ApplyFix(m.Data.DriverID, p, m.Data.RecordedAt)
}
