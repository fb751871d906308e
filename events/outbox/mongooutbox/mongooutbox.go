// Package mongooutbox is the transactional outbox for MongoDB producers, built for what
// FerretDB offers: no change streams and no multi-document transactions to rely on.
//
// Pending events live inside the aggregate document they describe, in the array field
// _outbox. MongoDB updates one document atomically, so a producer that changes an
// aggregate and pushes its events in the same update (Push) or inserts a new aggregate
// with its events (Entries) commits both or neither.
//
// The Relay finds documents with pending events, claims one with findAndModify by
// setting a lease (_outbox_lease) that other relay replicas respect, publishes its
// events in array order (which is the aggregate's order: producers only append), then
// removes exactly the entries it published with $pullAll, leaving any pushed meanwhile,
// and releases the lease. A relay dying after publishing leaves the entries in place;
// once the lease expires another relay publishes them again with the same ids
// (consumers deduplicate). Two replicas double-publish only when a lease expires while
// its holder is still publishing, so Lease must comfortably exceed a publish.
package mongooutbox

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"
	"go.opentelemetry.io/otel"

	"github.com/dizhtime/dizhtime/events"
	"github.com/dizhtime/dizhtime/events/kafka"
	"github.com/dizhtime/dizhtime/events/outbox"
)

const tracerName = "github.com/dizhtime/dizhtime/events/outbox/mongooutbox"

// Field names the relay owns in aggregate documents.
const (
	Field      = "_outbox"
	LeaseField = "_outbox_lease"
)

// Entry is one pending event as stored in the aggregate document.
type Entry struct {
	ID        string            `bson:"id"`
	Topic     string            `bson:"topic"`
	Subject   string            `bson:"subject"`
	Value     []byte            `bson:"value"`
	Headers   map[string]string `bson:"headers"`
	CreatedAt time.Time         `bson:"created_at"`
}

// Entries encodes evs for the _outbox field of a document being inserted.
func Entries(evs ...events.Envelope) ([]Entry, error) {
	out := make([]Entry, 0, len(evs))
	now := time.Now().UTC()
	for _, e := range evs {
		m, err := e.Message()
		if err != nil {
			return nil, fmt.Errorf("outbox entry: %w", err)
		}
		out = append(out, Entry{ID: e.ID, Topic: m.Topic, Subject: e.Subject, Value: m.Value, Headers: m.Headers, CreatedAt: now})
	}
	return out, nil
}

// Push is the $push operand appending evs to an aggregate's outbox; put it in the same
// update as the state change: bson.M{"$set": ..., "$push": push}.
func Push(evs ...events.Envelope) (bson.M, error) {
	entries, err := Entries(evs...)
	if err != nil {
		return nil, err
	}
	return bson.M{Field: bson.M{"$each": entries}}, nil
}

// Publisher sends messages (*kafka.Producer).
type Publisher interface {
	Publish(ctx context.Context, msgs ...kafka.Message) error
}

// RelayConfig tunes a Relay; zero values take the defaults.
type RelayConfig struct {
	// Lease is how long a claimed document belongs to one relay (default 30s).
	Lease time.Duration
	// BatchSize caps the documents handled per round (default 100).
	BatchSize int
	// PollInterval is the wait between rounds that found nothing (default 250ms).
	PollInterval time.Duration
	Logger       *slog.Logger
}

// Relay publishes the pending events of one collection's documents.
type Relay struct {
	coll *mongo.Collection
	pub  Publisher
	cfg  RelayConfig
	log  *slog.Logger
	// hook, set by tests, runs after publishing; an error aborts like a crash.
	hook func(point string) error
}

// NewRelay returns a relay for coll.
func NewRelay(coll *mongo.Collection, pub Publisher, cfg RelayConfig) (*Relay, error) {
	if coll == nil || pub == nil {
		return nil, errors.New("mongo outbox relay: collection and publisher are required")
	}
	if cfg.Lease <= 0 {
		cfg.Lease = 30 * time.Second
	}
	if cfg.BatchSize <= 0 {
		cfg.BatchSize = 100
	}
	if cfg.PollInterval <= 0 {
		cfg.PollInterval = 250 * time.Millisecond
	}
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	return &Relay{coll: coll, pub: pub, cfg: cfg, log: log.With("component", "mongooutbox.relay", "collection", coll.Name())}, nil
}

// pendingFilter matches documents with at least one pending event.
var pendingFilter = bson.M{Field + ".id": bson.M{"$exists": true}}

// claimed is the part of a document the relay reads. Entries stay raw so $pullAll
// removes exactly what was read.
type claimed struct {
	ID     any        `bson:"_id"`
	Outbox []bson.Raw `bson:"_outbox"`
	Lease  time.Time  `bson:"_outbox_lease"`
}

// RelayOnce claims and publishes up to BatchSize documents' events; it returns how many
// events it published.
func (r *Relay) RelayOnce(ctx context.Context) (int, error) {
	total := 0
	for range r.cfg.BatchSize {
		n, ok, err := r.relayOne(ctx)
		total += n
		if err != nil || !ok {
			return total, err
		}
	}
	return total, nil
}

func (r *Relay) relayOne(ctx context.Context) (int, bool, error) {
	now := time.Now().UTC().Truncate(time.Millisecond)
	lease := now.Add(r.cfg.Lease)
	filter := bson.M{"$and": bson.A{pendingFilter, bson.M{"$or": bson.A{
		bson.M{LeaseField: bson.M{"$exists": false}},
		bson.M{LeaseField: bson.M{"$lt": now}},
	}}}}
	var doc claimed
	err := r.coll.FindOneAndUpdate(ctx, filter, bson.M{"$set": bson.M{LeaseField: lease}},
		// No projection: FerretDB's findAndModify does not support one.
		options.FindOneAndUpdate().SetReturnDocument(options.After)).Decode(&doc)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("mongo outbox relay: claim: %w", err)
	}
	msgs := make([]kafka.Message, 0, len(doc.Outbox))
	for _, raw := range doc.Outbox {
		var e Entry
		if err := bson.Unmarshal(raw, &e); err != nil {
			return 0, false, fmt.Errorf("mongo outbox relay: document %v: entry: %w", doc.ID, err)
		}
		msgs = append(msgs, kafka.Message{Topic: e.Topic, Key: []byte(e.Subject), Value: e.Value, Headers: e.Headers})
	}
	if len(msgs) > 0 {
		spans := outbox.StartPublishSpans(ctx, otel.Tracer(tracerName), msgs)
		pubCtx, cancel := context.WithTimeout(ctx, r.cfg.Lease/2)
		err = r.pub.Publish(pubCtx, msgs...)
		cancel()
		spans.End(err)
		if err != nil {
			// Let the next round (of any relay) retry now rather than after the lease.
			_, _ = r.coll.UpdateOne(context.WithoutCancel(ctx), bson.M{"_id": doc.ID, LeaseField: lease},
				bson.M{"$unset": bson.M{LeaseField: ""}})
			return 0, false, fmt.Errorf("mongo outbox relay: %w", err)
		}
	}
	if r.hook != nil {
		if err := r.hook("published"); err != nil {
			return 0, false, err
		}
	}
	pulled := make(bson.A, len(doc.Outbox))
	for i, raw := range doc.Outbox {
		pulled[i] = raw
	}
	// Pop what was published, keep what producers appended meanwhile, release the lease
	// if it is still ours.
	if _, err := r.coll.UpdateOne(ctx, bson.M{"_id": doc.ID, LeaseField: lease},
		bson.M{"$pullAll": bson.M{Field: pulled}, "$unset": bson.M{LeaseField: ""}}); err != nil {
		return 0, false, fmt.Errorf("mongo outbox relay: document %v: pop: %w", doc.ID, err)
	}
	return len(msgs), true, nil
}

// Backlog counts documents with pending events.
func (r *Relay) Backlog(ctx context.Context) (int64, error) {
	n, err := r.coll.CountDocuments(ctx, pendingFilter)
	if err != nil {
		return 0, fmt.Errorf("mongo outbox backlog: %w", err)
	}
	return n, nil
}

// Run relays until ctx ends, then returns nil; failed rounds back off (bounded).
func (r *Relay) Run(ctx context.Context) error {
	for failures := 0; ; {
		n, err := r.RelayOnce(ctx)
		if ctx.Err() != nil {
			return nil
		}
		wait := r.cfg.PollInterval
		switch {
		case err != nil:
			failures++
			wait = min(50*time.Millisecond<<min(failures, 10), 10*time.Second)
			r.log.WarnContext(ctx, "mongo outbox relay round failed; retrying", "error", err, "backoff", wait)
		case n > 0:
			failures = 0
			continue
		default:
			failures = 0
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(wait):
		}
	}
}
