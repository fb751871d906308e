package adapters

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/dizhtime/dizhtime/events/kafka"
)

// Publisher sends messages to Kafka and returns once they are acknowledged
// (*kafka.Producer).
type Publisher interface {
	Publish(ctx context.Context, msgs ...kafka.Message) error
}

// OutboxRelay publishes the events stored inside restaurant documents and removes them
// once Kafka acknowledged them. FerretDB has no change streams and no multi-document
// transactions, so the outbox lives in the aggregate's own document (written by the same
// single-document update as the change) and the relay polls for documents with
// has_pending, woken early by Wake after local writes.
//
// Guarantees: an event is removed only after it was acknowledged, so a crash anywhere
// republishes it with the same id (consumers deduplicate). A relay leases a document
// (outbox_lease_until, taken by compare-and-set) before publishing it, so replicas never
// publish one restaurant at the same time and its events go out in the order they were
// written. Removing published events is a compare-and-set on the document version that
// never bumps it, so it cannot make an editor's expected version stale.
//
// Seam: events/outbox is Postgres-only today; when its MongoDB variant lands, this file
// and pendingEventDoc give way to it.
type OutboxRelay struct {
	repo *RestaurantsRepository
	coll *mongo.Collection
	pub  Publisher
	cfg  RelayConfig
	log  *slog.Logger
	wake chan struct{}
}

// RelayConfig tunes the relay; zero values take the defaults.
type RelayConfig struct {
	// PollInterval is how often the relay looks for pending events (default 250ms).
	PollInterval time.Duration
	// Lease is how long a relay owns a document while publishing (default 30s).
	Lease time.Duration
	// BatchSize caps the documents handled per round (default 100).
	BatchSize int
	// Registerer, when set, receives the relay's metrics.
	Registerer prometheus.Registerer
	Logger     *slog.Logger
}

var (
	relayPublished = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "dizhtime_restaurants_outbox_published_events_total",
		Help: "Events the restaurants outbox relay published and removed from their documents.",
	})
	relayFailures = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "dizhtime_restaurants_outbox_relay_failures_total",
		Help: "Restaurant documents whose pending events failed to publish (retried later).",
	})
)

// NewOutboxRelay returns a relay for the outbox inside repo's documents.
func NewOutboxRelay(repo *RestaurantsRepository, pub Publisher, cfg RelayConfig) (*OutboxRelay, error) {
	if repo == nil || pub == nil {
		return nil, errors.New("outbox relay: repository and publisher are required")
	}
	if cfg.PollInterval <= 0 {
		cfg.PollInterval = 250 * time.Millisecond
	}
	if cfg.Lease <= 0 {
		cfg.Lease = 30 * time.Second
	}
	if cfg.BatchSize <= 0 {
		cfg.BatchSize = 100
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Registerer != nil {
		backlog := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "dizhtime_restaurants_outbox_backlog_documents",
			Help: "Restaurant documents holding events not yet published.",
		}, func() float64 {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			n, err := repo.coll.CountDocuments(ctx, bson.M{"has_pending": true})
			if err != nil {
				return -1
			}
			return float64(n)
		})
		for _, c := range []prometheus.Collector{relayPublished, relayFailures, backlog} {
			if err := cfg.Registerer.Register(c); err != nil {
				var are prometheus.AlreadyRegisteredError
				if !errors.As(err, &are) {
					return nil, err
				}
			}
		}
	}
	return &OutboxRelay{repo: repo, coll: repo.coll, pub: pub, cfg: cfg,
		log: cfg.Logger.With("component", "restaurants.outbox"), wake: make(chan struct{}, 1)}, nil
}

// Wake makes a running relay look for events now (call after a local write).
func (r *OutboxRelay) Wake() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// Run relays until ctx ends.
func (r *OutboxRelay) Run(ctx context.Context) error {
	t := time.NewTicker(r.cfg.PollInterval)
	defer t.Stop()
	for {
		if _, err := r.RelayOnce(ctx); err != nil && ctx.Err() == nil {
			r.log.WarnContext(ctx, "outbox round failed", "error", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		case <-r.wake:
		}
	}
}

var pendingProjection = options.FindOne().SetProjection(bson.M{"_id": 1, "version": 1, "pending_events": 1, "outbox_lease_until": 1})

type pendingDoc struct {
	ID            string            `bson:"_id"`
	Version       int64             `bson:"version"`
	PendingEvents []pendingEventDoc `bson:"pending_events"`
	LeaseUntil    time.Time         `bson:"outbox_lease_until"`
}

// RelayOnce publishes the pending events of up to BatchSize documents and returns how
// many events it published. A document another relay holds is skipped.
func (r *OutboxRelay) RelayOnce(ctx context.Context) (int, error) {
	now := time.Now().UTC().Truncate(time.Millisecond)
	cur, err := r.coll.Find(ctx, bson.M{"has_pending": true},
		options.Find().SetLimit(int64(r.cfg.BatchSize)).
			SetProjection(bson.M{"_id": 1, "version": 1, "pending_events": 1, "outbox_lease_until": 1}))
	if err != nil {
		return 0, fmt.Errorf("find pending events: %w", err)
	}
	var docs []pendingDoc
	if err := cur.All(ctx, &docs); err != nil {
		return 0, fmt.Errorf("find pending events: %w", err)
	}
	published := 0
	var errs []error
	for _, d := range docs {
		if d.LeaseUntil.After(now) || len(d.PendingEvents) == 0 {
			continue
		}
		n, err := r.relayDocument(ctx, d, now)
		published += n
		if err != nil {
			relayFailures.Inc()
			errs = append(errs, err)
		}
	}
	return published, errors.Join(errs...)
}

func (r *OutboxRelay) relayDocument(ctx context.Context, d pendingDoc, now time.Time) (int, error) {
	unlock := r.repo.locks.lock(d.ID)
	res, err := r.coll.UpdateOne(ctx, bson.M{"_id": d.ID, "outbox_lease_until": d.LeaseUntil},
		bson.M{"$set": bson.M{"outbox_lease_until": now.Add(r.cfg.Lease)}})
	unlock()
	if err != nil {
		return 0, fmt.Errorf("lease restaurant %s: %w", d.ID, err)
	}
	if res.MatchedCount == 0 {
		return 0, nil // another relay took it
	}
	// Re-read under the lease: events written since the scan go out in this round too.
	var fresh pendingDoc
	if err := r.coll.FindOne(ctx, bson.M{"_id": d.ID}, pendingProjection).Decode(&fresh); err != nil {
		return 0, r.release(ctx, d.ID, fmt.Errorf("read restaurant %s: %w", d.ID, err))
	}
	msgs := make([]kafka.Message, len(fresh.PendingEvents))
	ids := make([]string, len(fresh.PendingEvents))
	for i, e := range fresh.PendingEvents {
		msgs[i] = kafka.Message{Topic: e.Topic, Key: []byte(e.Key), Value: e.Value, Headers: e.Headers}
		ids[i] = e.ID
	}
	if err := r.pub.Publish(ctx, msgs...); err != nil {
		return 0, r.release(ctx, d.ID, fmt.Errorf("publish %d events of restaurant %s: %w", len(msgs), d.ID, err))
	}
	unlock = r.repo.locks.lock(d.ID)
	defer unlock()
	for attempt := 0; attempt < maxUpdateAttempts; attempt++ {
		remaining := slices.DeleteFunc(slices.Clone(fresh.PendingEvents), func(e pendingEventDoc) bool { return slices.Contains(ids, e.ID) })
		res, err := r.coll.UpdateOne(ctx, bson.M{"_id": d.ID, "version": fresh.Version},
			bson.M{"$set": bson.M{"pending_events": remaining, "has_pending": len(remaining) > 0, "outbox_lease_until": noLease}})
		if err != nil {
			return 0, fmt.Errorf("remove published events of restaurant %s: %w", d.ID, err)
		}
		if res.MatchedCount == 1 {
			relayPublished.Add(float64(len(ids)))
			return len(ids), nil
		}
		if err := r.coll.FindOne(ctx, bson.M{"_id": d.ID}, pendingProjection).Decode(&fresh); err != nil {
			return 0, fmt.Errorf("reread restaurant %s: %w", d.ID, err)
		}
	}
	// Published but not removed: the lease expires and they go out again, same ids.
	return 0, fmt.Errorf("remove published events of restaurant %s: kept losing to writers", d.ID)
}

func (r *OutboxRelay) release(ctx context.Context, id string, cause error) error {
	unlock := r.repo.locks.lock(id)
	defer unlock()
	if _, err := r.coll.UpdateOne(context.WithoutCancel(ctx), bson.M{"_id": id},
		bson.M{"$set": bson.M{"outbox_lease_until": noLease}}); err != nil {
		return errors.Join(cause, fmt.Errorf("release lease of restaurant %s: %w", id, err))
	}
	return cause
}
