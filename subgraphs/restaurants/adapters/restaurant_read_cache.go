package adapters

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/dizhtime/dizhtime/subgraphs/restaurants/domain"
)

// VersionsCollectionName holds one tiny document per restaurant, {_id, version}: a
// version hint that is raised before the restaurant document is written.
//
// Why: FerretDB 1.24 over PostgreSQL answers a lookup by _id with a sequential scan
// that decompresses every document in the collection (its filter is jsonb containment,
// which the _id index cannot serve), so reading one restaurant with its menu costs
// 10-30 ms at a few hundred restaurants and grows with the city. Reading the tiny hint
// costs well under a millisecond; when it matches the version of the restaurant this
// process already decoded, that copy is served.
//
// Why it is safe: the hint is raised ($max) before the document write, so a document
// is never newer than its hint. A cached copy whose version equals the hint is current.
// A hint ahead of its document (a write that then lost or crashed) only makes reads miss
// the cache until the next successful write.
const VersionsCollectionName = "restaurant_versions"

// readCache keeps decoded restaurants, at most max of them. Entries are shared
// read-only: UpdateRestaurant always decodes its own copy to mutate.
type readCache struct {
	mu      sync.Mutex
	max     int
	entries map[string]*domain.Restaurant
}

func newReadCache(max int) *readCache {
	return &readCache{max: max, entries: map[string]*domain.Restaurant{}}
}

func (c *readCache) get(id string, version int64) *domain.Restaurant {
	c.mu.Lock()
	defer c.mu.Unlock()
	if r, ok := c.entries[id]; ok && r.Version() == version {
		return r
	}
	return nil
}

func (c *readCache) put(r *domain.Restaurant) {
	if c.max <= 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.entries[r.ID()]; !ok && len(c.entries) >= c.max {
		for k := range c.entries { // evict an arbitrary entry: cheap and good enough
			delete(c.entries, k)
			break
		}
	}
	c.entries[r.ID()] = r
}

// drop forgets the restaurants with ids.
func (c *readCache) drop(ids ...string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, id := range ids {
		delete(c.entries, id)
	}
}

type versionHint struct {
	ID      string `bson:"_id"`
	Version int64  `bson:"version"`
}

// raiseHint sets the hint of id to at least version.
func (r *RestaurantsRepository) raiseHint(ctx context.Context, id string, version int64) error {
	_, err := r.versions.UpdateOne(ctx, bson.M{"_id": id}, bson.M{"$max": bson.M{"version": version}},
		options.Update().SetUpsert(true))
	if err != nil {
		return fmt.Errorf("raise version hint of %s: %w", id, err)
	}
	return nil
}

// insertHints records version 1 for new restaurants (existing hints are kept).
func (r *RestaurantsRepository) insertHints(ctx context.Context, rs []*domain.Restaurant) error {
	docs := make([]any, len(rs))
	for i, rest := range rs {
		docs[i] = versionHint{ID: rest.ID(), Version: rest.Version()}
	}
	if _, err := r.versions.InsertMany(ctx, docs, options.InsertMany().SetOrdered(false)); err != nil && !onlyDuplicates(err) {
		return fmt.Errorf("version hints: %w", err)
	}
	return nil
}

// hint returns the version hint of id; ok is false when there is none.
func (r *RestaurantsRepository) hint(ctx context.Context, id string) (int64, bool, error) {
	var h versionHint
	err := r.versions.FindOne(ctx, bson.M{"_id": id}).Decode(&h)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("version hint of %s: %w", id, err)
	}
	return h.Version, true, nil
}
