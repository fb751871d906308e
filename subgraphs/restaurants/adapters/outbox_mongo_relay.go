package adapters

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
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
// republishes it with the same id (consumers deduplicate). A relay round leases its
// documents (outbox_lease_until and the round's token in outbox_lease_owner) before
// publishing them, so replicas never publish one restaurant at the same time and its
// events go out in the order they were written. Removing published events never bumps
// the document version, so it cannot make an editor's expected version stale.
//
// Batching: a round costs the same few statements for 1 or BatchSize documents (see
// RelayOnce) and one Kafka write; Run starts the next round at once while there is a
// backlog. Each statement still rewrites every document it touches, one SQLite commit
// each on FerretDB's SQLite backend (measured in BenchmarkOutboxDrain).
//
// Why not events/outbox/mongooutbox (same idea: events in the document, leased relay,
// $pullAll after publish), measured on FerretDB 1.24 with 300 seeded restaurants:
//
//   - Every statement it issues bypasses this process's per-document write locks
//     (RestaurantsRepository.locks). FerretDB applies an update as "query, modify in
//     Go, write the whole document back by _id" with no re-check of the filter (both
//     backends: handler/common.UpdateDocument, backends/*/collection.go UpdateAll), so a
//     lease or $pullAll racing an editor's update writes back the document as it was
//     before the edit: the edit is lost. Here every write to a restaurant document, the
//     relay's included, holds its lock.
//   - It claims one document per findAndModify, unprojected (FerretDB cannot project
//     it), and publishes one Kafka write per document; its pending filter
//     (_outbox.id $exists) is never pushed down to SQL, so every claim decodes the whole
//     collection, menus included. On SQLite only a filter that is exactly {_id: x} is
//     pushed down; per claimed document that is a full scan plus two commits. This
//     relay's per-document version was the same shape and drained 600 events at 4.4
//     events/s on SQLite and 43 on the real FerretDB over PostgreSQL (a loaded machine);
//     batched it does 24 and 257.
//   - Its _outbox field name would need a migration of stored documents and of the
//     has_pending index (a pushed-down equality on PostgreSQL; $exists is not).
//
// It becomes usable here once it can take a lock hook around its writes (or FerretDB
// applies updates atomically) and claims documents in batches.
type OutboxRelay struct {
	repo *RestaurantsRepository
	coll *mongo.Collection
	pub  Publisher
	cfg  RelayConfig
	log  *slog.Logger
	wake chan struct{}
	// leaseSize is how many documents the next round leases: BatchSize, halved after a
	// lease that timed out (down to 1), doubled back after each round that did not.
	leaseSize atomic.Int64
}

// RelayConfig tunes the relay; zero values take the defaults.
type RelayConfig struct {
	// PollInterval is how often the relay looks for pending events (default 250ms).
	PollInterval time.Duration
	// Lease is how long a relay owns a document while publishing (default 30s).
	Lease time.Duration
	// BatchSize caps the documents handled per round (default 100).
	BatchSize int
	// LeaseTimeout bounds the statement that leases a round's documents (default 5s). On
	// FerretDB an updateMany rewrites every document it touches, menus included; under
	// load 100 of them took longer than the client's 10 s timeout, and FerretDB went on
	// with each abandoned statement while the relay sent the next one (13 s apart),
	// keeping it saturated. A lease that times out halves the next rounds' lease.
	LeaseTimeout time.Duration
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
	if cfg.LeaseTimeout <= 0 {
		cfg.LeaseTimeout = 5 * time.Second
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
	r := &OutboxRelay{repo: repo, coll: repo.coll, pub: pub, cfg: cfg,
		log: cfg.Logger.With("component", "restaurants.outbox"), wake: make(chan struct{}, 1)}
	r.leaseSize.Store(int64(cfg.BatchSize))
	return r, nil
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
		n, err := r.RelayOnce(ctx)
		if err != nil && ctx.Err() == nil {
			r.log.WarnContext(ctx, "outbox round failed", "error", err)
		}
		if n > 0 && err == nil && ctx.Err() == nil {
			continue // a backlog: the next round at once
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
//
// A round is a fixed number of statements whatever its size: find candidates, lease them
// all (one updateMany stamping this round's token), read back what the token holds with
// the events written meanwhile, publish everything in one Kafka write (a restaurant's
// events in their order; per key, Kafka keeps it), then empty the outboxes of every
// document still at the version read (one updateMany). Only a document a writer changed
// during the publish takes the per-document path (remove exactly what was published).
func (r *OutboxRelay) RelayOnce(ctx context.Context) (int, error) {
	now := time.Now().UTC().Truncate(time.Millisecond)
	size := r.leaseSize.Load()
	cur, err := r.coll.Find(ctx, bson.M{"has_pending": true, "outbox_lease_until": bson.M{"$lte": now}},
		options.Find().SetLimit(size).SetProjection(bson.M{"_id": 1}))
	if err != nil {
		return 0, fmt.Errorf("find pending events: %w", err)
	}
	var candidates []struct {
		ID string `bson:"_id"`
	}
	if err := cur.All(ctx, &candidates); err != nil {
		return 0, fmt.Errorf("find pending events: %w", err)
	}
	if len(candidates) == 0 {
		return 0, nil
	}
	ids := make([]string, len(candidates))
	for i, c := range candidates {
		ids[i] = c.ID
	}
	token := uuid.NewString()
	unlock := r.repo.locks.lockAll(ids)
	leaseCtx, cancelLease := context.WithTimeout(ctx, r.cfg.LeaseTimeout)
	_, err = r.coll.UpdateMany(leaseCtx, bson.M{"_id": bson.M{"$in": ids}, "outbox_lease_until": bson.M{"$lte": now}},
		bson.M{"$set": bson.M{"outbox_lease_until": now.Add(r.cfg.Lease), "outbox_lease_owner": token}})
	cancelLease()
	unlock()
	if err != nil {
		err = fmt.Errorf("lease %d restaurants: %w", len(ids), err)
		if ctx.Err() == nil && (mongo.IsTimeout(err) || errors.Is(err, context.DeadlineExceeded)) {
			// Too many for the store right now: lease fewer, and give back what the
			// abandoned statement may have leased already (else it waits out the lease).
			next := max(1, size/2)
			r.leaseSize.Store(next)
			r.log.WarnContext(ctx, "outbox lease timed out: leasing fewer restaurants per round",
				"restaurants", len(ids), "timeout", r.cfg.LeaseTimeout, "next_lease", next)
			releaseCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), releaseTimeout)
			defer cancel()
			return 0, r.release(releaseCtx, token, err)
		}
		return 0, err
	}
	// A lease that went through: grow back towards BatchSize.
	r.leaseSize.Store(min(int64(r.cfg.BatchSize), 2*size))
	// Read back under the lease: what this round holds, with events written since.
	cur, err = r.coll.Find(ctx, bson.M{"outbox_lease_owner": token},
		options.Find().SetProjection(bson.M{"_id": 1, "version": 1, "pending_events": 1}))
	if err != nil {
		return 0, r.release(context.WithoutCancel(ctx), token, fmt.Errorf("read leased restaurants: %w", err))
	}
	var docs []pendingDoc
	if err := cur.All(ctx, &docs); err != nil {
		return 0, r.release(context.WithoutCancel(ctx), token, fmt.Errorf("read leased restaurants: %w", err))
	}
	var msgs []kafka.Message
	for _, d := range docs {
		for _, e := range d.PendingEvents {
			msgs = append(msgs, kafka.Message{Topic: e.Topic, Key: []byte(e.Key), Value: e.Value, Headers: e.Headers})
		}
	}
	if len(msgs) > 0 {
		if err := r.pub.Publish(ctx, msgs...); err != nil {
			relayFailures.Add(float64(len(docs)))
			return 0, r.release(context.WithoutCancel(ctx), token, fmt.Errorf("publish %d events of %d restaurants: %w", len(msgs), len(docs), err))
		}
	}
	return r.remove(ctx, token, docs)
}

// remove takes the published events out of docs and releases the lease: in one statement
// for the documents nobody wrote to since they were read (their outbox is exactly what
// was published), one by one for the others.
func (r *OutboxRelay) remove(ctx context.Context, token string, docs []pendingDoc) (int, error) {
	if len(docs) == 0 {
		return 0, nil
	}
	ids := make([]string, len(docs))
	unchanged := make(bson.A, len(docs))
	for i, d := range docs {
		ids[i] = d.ID
		unchanged[i] = bson.M{"_id": d.ID, "version": d.Version}
	}
	unlock := r.repo.locks.lockAll(ids)
	res, err := r.coll.UpdateMany(ctx, bson.M{"$or": unchanged, "outbox_lease_owner": token},
		bson.M{"$set": bson.M{"pending_events": bson.A{}, "has_pending": false, "outbox_lease_until": noLease, "outbox_lease_owner": ""}})
	unlock()
	if err != nil {
		// Published but not removed: the lease expires and they go out again, same ids.
		return 0, fmt.Errorf("remove published events of %d restaurants: %w", len(docs), err)
	}
	published := 0
	if res.MatchedCount == int64(len(docs)) {
		for _, d := range docs {
			published += len(d.PendingEvents)
		}
		relayPublished.Add(float64(published))
		return published, nil
	}
	// Some were written to while publishing: still leased by this round's token.
	cur, err := r.coll.Find(ctx, bson.M{"outbox_lease_owner": token}, options.Find().SetProjection(bson.M{"_id": 1}))
	if err != nil {
		return 0, fmt.Errorf("find restaurants written during the publish: %w", err)
	}
	var left []struct {
		ID string `bson:"_id"`
	}
	if err := cur.All(ctx, &left); err != nil {
		return 0, fmt.Errorf("find restaurants written during the publish: %w", err)
	}
	still := map[string]bool{}
	for _, l := range left {
		still[l.ID] = true
	}
	var errs []error
	for _, d := range docs {
		if !still[d.ID] {
			published += len(d.PendingEvents)
			continue
		}
		n, err := r.removeFrom(ctx, d)
		published += n
		if err != nil {
			relayFailures.Inc()
			errs = append(errs, err)
		}
	}
	relayPublished.Add(float64(published))
	return published, errors.Join(errs...)
}

// removeFrom removes d's published events from its document, keeping the ones written
// since, and releases the lease.
func (r *OutboxRelay) removeFrom(ctx context.Context, d pendingDoc) (int, error) {
	ids := make([]string, len(d.PendingEvents))
	for i, e := range d.PendingEvents {
		ids[i] = e.ID
	}
	unlock := r.repo.locks.lock(d.ID)
	defer unlock()
	fresh := d
	for attempt := 0; attempt < maxUpdateAttempts; attempt++ {
		if err := r.coll.FindOne(ctx, bson.M{"_id": d.ID}, pendingProjection).Decode(&fresh); err != nil {
			return 0, fmt.Errorf("reread restaurant %s: %w", d.ID, err)
		}
		remaining := slices.DeleteFunc(slices.Clone(fresh.PendingEvents), func(e pendingEventDoc) bool { return slices.Contains(ids, e.ID) })
		res, err := r.coll.UpdateOne(ctx, bson.M{"_id": d.ID, "version": fresh.Version},
			bson.M{"$set": bson.M{"pending_events": remaining, "has_pending": len(remaining) > 0,
				"outbox_lease_until": noLease, "outbox_lease_owner": ""}})
		if err != nil {
			return 0, fmt.Errorf("remove published events of restaurant %s: %w", d.ID, err)
		}
		if res.MatchedCount == 1 {
			return len(ids), nil
		}
	}
	// Published but not removed: the lease expires and they go out again, same ids.
	return 0, fmt.Errorf("remove published events of restaurant %s: kept losing to writers", d.ID)
}

// releaseTimeout bounds giving back a timed-out round's leases.
const releaseTimeout = 10 * time.Second

// release gives up the lease of every document this round's token holds (callers pass a
// context a cancelled round does not cancel).
func (r *OutboxRelay) release(ctx context.Context, token string, cause error) error {
	cur, err := r.coll.Find(ctx, bson.M{"outbox_lease_owner": token}, options.Find().SetProjection(bson.M{"_id": 1}))
	var held []struct {
		ID string `bson:"_id"`
	}
	if err == nil {
		err = cur.All(ctx, &held)
	}
	if err != nil {
		return errors.Join(cause, fmt.Errorf("release leases: %w", err))
	}
	ids := make([]string, len(held))
	for i, h := range held {
		ids[i] = h.ID
	}
	unlock := r.repo.locks.lockAll(ids)
	defer unlock()
	if _, err := r.coll.UpdateMany(ctx, bson.M{"outbox_lease_owner": token},
		bson.M{"$set": bson.M{"outbox_lease_until": noLease, "outbox_lease_owner": ""}}); err != nil {
		return errors.Join(cause, fmt.Errorf("release leases: %w", err))
	}
	return cause
}
