package adapters

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/dizhtime/dizhtime/events"
	"github.com/dizhtime/dizhtime/subgraphs/restaurants/app"
	"github.com/dizhtime/dizhtime/subgraphs/restaurants/domain"
)

// Collections: restaurants, and the menu-item index that maps an item id to the
// restaurant serving it. An item never moves to another restaurant (ids are minted here
// and an edit cannot claim a foreign one), so an index entry is written once, before the
// restaurant document that uses it, and a stale entry of a removed item is harmless: the
// lookup finds the restaurant and then misses the item.
const (
	CollectionName          = "restaurants"
	MenuItemsCollectionName = "restaurant_menu_items"
)

// RestaurantsRepository stores each restaurant as one document holding its menu and the
// events not yet published (the document-embedded outbox, see OutboxRelay). A change and
// its events are one single-document update, so they commit together without
// transactions.
type RestaurantsRepository struct {
	coll     *mongo.Collection
	items    *mongo.Collection
	versions *mongo.Collection
	cache    *readCache
	now      func() time.Time
	onCommit func()
	// locks serializes this process's writes per restaurant document. The
	// compare-and-set on version is what keeps replicas apart on MongoDB and on FerretDB
	// over PostgreSQL; FerretDB's SQLite backend (the single-process laptop default)
	// applies an update as read, modify, write back the whole document, so a concurrent
	// write to another field of the same document (the relay's lease) could be undone.
	// Every write to a restaurant document in this process, the relay's included, holds
	// its lock.
	locks stripedLocks
}

// stripedLocks is a fixed set of mutexes picked by hashing a document id.
type stripedLocks [64]sync.Mutex

func (l *stripedLocks) lock(id string) func() {
	h := fnv.New32a()
	_, _ = h.Write([]byte(id))
	m := &l[h.Sum32()%uint32(len(l))]
	m.Lock()
	return m.Unlock
}

// lockAll locks the stripes of every id, in stripe order (so two callers never wait on
// each other), and returns the function unlocking them.
func (l *stripedLocks) lockAll(ids []string) func() {
	var want [len(stripedLocks{})]bool
	for _, id := range ids {
		h := fnv.New32a()
		_, _ = h.Write([]byte(id))
		want[h.Sum32()%uint32(len(l))] = true
	}
	var held []*sync.Mutex
	for i := range l {
		if want[i] {
			l[i].Lock()
			held = append(held, &l[i])
		}
	}
	return func() {
		for _, m := range held {
			m.Unlock()
		}
	}
}

// RepositoryOption configures a RestaurantsRepository.
type RepositoryOption func(*RestaurantsRepository)

// WithCommitHook calls f after every write that stored events (e.g. OutboxRelay.Wake).
func WithCommitHook(f func()) RepositoryOption {
	return func(r *RestaurantsRepository) { r.onCommit = f }
}

// DefaultCacheSize is how many decoded restaurants a repository keeps (see
// VersionsCollectionName); a seeded city of a few hundred fits entirely.
const DefaultCacheSize = 2000

// WithCacheSize bounds the read cache; 0 turns it off.
func WithCacheSize(n int) RepositoryOption {
	return func(r *RestaurantsRepository) { r.cache = newReadCache(n) }
}

// WithRepositoryClock replaces time.Now (isOpen in events is judged at this time).
func WithRepositoryClock(now func() time.Time) RepositoryOption {
	return func(r *RestaurantsRepository) { r.now = now }
}

// NewRestaurantsRepository returns a repository on db's restaurants collection.
func NewRestaurantsRepository(db *mongo.Database, opts ...RepositoryOption) *RestaurantsRepository {
	r := &RestaurantsRepository{coll: db.Collection(CollectionName), items: db.Collection(MenuItemsCollectionName),
		versions: db.Collection(VersionsCollectionName), cache: newReadCache(DefaultCacheSize),
		now: time.Now, onCommit: func() {}}
	for _, o := range opts {
		o(r)
	}
	return r
}

// EnsureIndexes creates the indexes lookups rely on (idempotent). It creates only the
// missing ones, one at a time: FerretDB 1.24 drops the connection (an internal panic)
// when createIndexes names several indexes that already exist.
func (r *RestaurantsRepository) EnsureIndexes(ctx context.Context) error {
	cur, err := r.coll.Indexes().List(ctx)
	if err != nil {
		return fmt.Errorf("restaurants indexes: %w", err)
	}
	var existing []struct {
		Name string `bson:"name"`
	}
	if err := cur.All(ctx, &existing); err != nil {
		return fmt.Errorf("restaurants indexes: %w", err)
	}
	have := map[string]bool{}
	for _, ix := range existing {
		have[ix.Name] = true
	}
	for _, field := range []string{"has_pending", "cuisines"} {
		if have[field] {
			continue
		}
		_, err := r.coll.Indexes().CreateOne(ctx, mongo.IndexModel{Keys: bson.D{{Key: field, Value: 1}}, Options: options.Index().SetName(field)})
		if err != nil {
			return fmt.Errorf("restaurants index %s: %w", field, err)
		}
	}
	return nil
}

// outboxFields are the document's outbox part, written next to the state.
type outboxFields struct {
	PendingEvents []pendingEventDoc `bson:"pending_events"`
	HasPending    bool              `bson:"has_pending"`
	LeaseUntil    time.Time         `bson:"outbox_lease_until"`
	// LeaseOwner is the token of the relay round holding the lease ("" none).
	LeaseOwner string `bson:"outbox_lease_owner"`
}

type storedDoc struct {
	State  restaurantDoc `bson:",inline"`
	Outbox outboxFields  `bson:",inline"`
}

// pendingEventDoc is an event waiting for the relay, already encoded as its Kafka message.
type pendingEventDoc struct {
	ID      string            `bson:"id"`
	Topic   string            `bson:"topic"`
	Key     string            `bson:"key"`
	Value   []byte            `bson:"value"`
	Headers map[string]string `bson:"headers"`
}

// noLease is the lease of a document no relay holds.
var noLease = time.Unix(0, 0).UTC()

func pending(evs []events.Envelope) ([]pendingEventDoc, error) {
	out := make([]pendingEventDoc, 0, len(evs))
	for _, e := range evs {
		m, err := e.Message()
		if err != nil {
			return nil, err
		}
		out = append(out, pendingEventDoc{ID: e.ID, Topic: m.Topic, Key: string(m.Key), Value: m.Value, Headers: m.Headers})
	}
	return out, nil
}

// stateProjection leaves the outbox out of reads.
var stateProjection = bson.M{"pending_events": 0, "has_pending": 0, "outbox_lease_until": 0, "outbox_lease_owner": 0}

// AddRestaurant inserts r with the events of its creation.
func (r *RestaurantsRepository) AddRestaurant(ctx context.Context, rest *domain.Restaurant) error {
	evs, err := RestaurantEvents(ctx, rest, r.now())
	if err != nil {
		return err
	}
	pe, err := pending(evs)
	if err != nil {
		return err
	}
	state, err := toDoc(rest)
	if err != nil {
		return err
	}
	if err := r.indexItems(ctx, rest.ID(), rest.Menu().ItemIDs()); err != nil {
		return err
	}
	if err := r.insertHints(ctx, []*domain.Restaurant{rest}); err != nil {
		return err
	}
	doc := storedDoc{State: state, Outbox: outboxFields{PendingEvents: pe, HasPending: len(pe) > 0, LeaseUntil: noLease}}
	if _, err := r.coll.InsertOne(ctx, doc); err != nil {
		if mongo.IsDuplicateKeyError(err) {
			return app.ErrAlreadyExists
		}
		return fmt.Errorf("insert restaurant %s: %w", rest.ID(), err)
	}
	r.onCommit()
	return nil
}

// AddRestaurants inserts many restaurants (bulk, unordered) with their creation events
// and returns how many were inserted; ids that exist already are skipped, not errors.
func (r *RestaurantsRepository) AddRestaurants(ctx context.Context, rs []*domain.Restaurant) (int, error) {
	if len(rs) == 0 {
		return 0, nil
	}
	docs := make([]any, 0, len(rs))
	for _, rest := range rs {
		evs, err := RestaurantEvents(ctx, rest, r.now())
		if err != nil {
			return 0, err
		}
		pe, err := pending(evs)
		if err != nil {
			return 0, err
		}
		state, err := toDoc(rest)
		if err != nil {
			return 0, err
		}
		if err := r.indexItems(ctx, rest.ID(), rest.Menu().ItemIDs()); err != nil {
			return 0, err
		}
		docs = append(docs, storedDoc{State: state, Outbox: outboxFields{PendingEvents: pe, HasPending: len(pe) > 0, LeaseUntil: noLease}})
	}
	if err := r.insertHints(ctx, rs); err != nil {
		return 0, err
	}
	res, err := r.coll.InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
	inserted := 0
	if res != nil {
		inserted = len(res.InsertedIDs)
	}
	if err != nil && !onlyDuplicates(err) {
		return inserted, fmt.Errorf("insert restaurants: %w", err)
	}
	r.onCommit()
	return inserted, nil
}

// SeedsCollectionName holds one small document per city seeded to the end (seed.Run).
const SeedsCollectionName = "seeds"

// SeedDone reports whether a seed with key ran to its end on this database (a lookup by
// primary key in a collection of a few documents: a warm start's whole seed).
func (r *RestaurantsRepository) SeedDone(ctx context.Context, key string) (bool, error) {
	err := r.coll.Database().Collection(SeedsCollectionName).FindOne(ctx, bson.M{"_id": key}).Err()
	if errors.Is(err, mongo.ErrNoDocuments) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("seed %s done: %w", key, err)
	}
	return true, nil
}

// MarkSeedDone records that the seed with key ran to its end (idempotent).
func (r *RestaurantsRepository) MarkSeedDone(ctx context.Context, key string, at time.Time) error {
	_, err := r.coll.Database().Collection(SeedsCollectionName).UpdateOne(ctx, bson.M{"_id": key},
		bson.M{"$set": bson.M{"completed_at": at}}, options.Update().SetUpsert(true))
	if err != nil {
		return fmt.Errorf("mark seed %s done: %w", key, err)
	}
	return nil
}

// ExistingRestaurants reports which of ids are stored (one query on the primary key): the
// demo seed skips them without building or writing anything, so a warm start's seed is a
// few reads. A stored restaurant's menu items were indexed before it was written
// (AddRestaurants), so nothing of it is missing.
func (r *RestaurantsRepository) ExistingRestaurants(ctx context.Context, ids []string) (map[string]bool, error) {
	out := make(map[string]bool, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	cur, err := r.coll.Find(ctx, bson.M{"_id": bson.M{"$in": ids}}, options.Find().SetProjection(bson.M{"_id": 1}))
	if err != nil {
		return nil, fmt.Errorf("restaurants that exist: %w", err)
	}
	var found []struct {
		ID string `bson:"_id"`
	}
	if err := cur.All(ctx, &found); err != nil {
		return nil, fmt.Errorf("restaurants that exist: %w", err)
	}
	for _, f := range found {
		out[f.ID] = true
	}
	return out, nil
}

// ReassignOwners hands every restaurant of an owner that is a key of owners to that key's
// value (the demo seeder's repair of a city seeded with made-up owner ids) and reports how
// many it moved. Ownership changes
// publish no event (no consumer keeps the owner) and raise no version: this process's
// cached copies are dropped, and the seeder runs before its process serves, so no other
// process has them cached.
func (r *RestaurantsRepository) ReassignOwners(ctx context.Context, owners map[string]string) (int, error) {
	if len(owners) == 0 {
		return 0, nil
	}
	from := make([]string, 0, len(owners))
	for f := range owners {
		from = append(from, f)
	}
	cur, err := r.coll.Find(ctx, bson.M{"owner_id": bson.M{"$in": from}}, options.Find().SetProjection(bson.M{"_id": 1, "owner_id": 1}))
	if err != nil {
		return 0, fmt.Errorf("restaurants of owners to reassign: %w", err)
	}
	var found []struct {
		ID      string `bson:"_id"`
		OwnerID string `bson:"owner_id"`
	}
	if err := cur.All(ctx, &found); err != nil {
		return 0, fmt.Errorf("restaurants of owners to reassign: %w", err)
	}
	moved := 0
	for _, f := range found {
		res, err := r.coll.UpdateOne(ctx, bson.M{"_id": f.ID, "owner_id": f.OwnerID}, bson.M{"$set": bson.M{"owner_id": owners[f.OwnerID]}})
		if err != nil {
			return moved, fmt.Errorf("reassign restaurant %s: %w", f.ID, err)
		}
		r.cache.drop(f.ID)
		moved += int(res.ModifiedCount)
	}
	return moved, nil
}

// GetRestaurant returns the restaurant with id or domain.ErrNotFound. The result may be
// shared with other readers: treat it as read-only.
func (r *RestaurantsRepository) GetRestaurant(ctx context.Context, id string) (*domain.Restaurant, error) {
	hint, hinted, err := r.hint(ctx, id)
	if err != nil {
		return nil, err
	}
	if hinted {
		if cached := r.cache.get(id, hint); cached != nil {
			return cached, nil
		}
	}
	rest, err := r.findOne(ctx, bson.M{"_id": id})
	if err == nil && hinted && rest.Version() == hint {
		r.cache.put(rest)
	}
	return rest, err
}

// RestaurantByMenuItem returns the restaurant whose menu has the item.
func (r *RestaurantsRepository) RestaurantByMenuItem(ctx context.Context, itemID string) (*domain.Restaurant, error) {
	var entry menuItemEntry
	err := r.items.FindOne(ctx, bson.M{"_id": itemID}).Decode(&entry)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, domain.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("find menu item %s: %w", itemID, err)
	}
	rest, err := r.GetRestaurant(ctx, entry.RestaurantID)
	if err != nil {
		return nil, err
	}
	if _, ok := rest.Menu().Item(itemID); !ok {
		return nil, domain.ErrNotFound // removed from the menu since
	}
	return rest, nil
}

type menuItemEntry struct {
	ItemID       string `bson:"_id"`
	RestaurantID string `bson:"restaurant_id"`
}

// indexItems records that ids belong to restaurantID; entries that exist are kept.
func (r *RestaurantsRepository) indexItems(ctx context.Context, restaurantID string, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	docs := make([]any, len(ids))
	for i, id := range ids {
		docs[i] = menuItemEntry{ItemID: id, RestaurantID: restaurantID}
	}
	_, err := r.items.InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
	if err != nil && !onlyDuplicates(err) {
		return fmt.Errorf("index menu items of %s: %w", restaurantID, err)
	}
	return nil
}

func onlyDuplicates(err error) bool {
	var bwe mongo.BulkWriteException
	if !errors.As(err, &bwe) || bwe.WriteConcernError != nil {
		return false
	}
	for _, we := range bwe.WriteErrors {
		if !mongo.IsDuplicateKeyError(we) {
			return false
		}
	}
	return true
}

func (r *RestaurantsRepository) findOne(ctx context.Context, filter bson.M) (*domain.Restaurant, error) {
	var d restaurantDoc
	err := r.coll.FindOne(ctx, filter, options.FindOne().SetProjection(stateProjection)).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, domain.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("find restaurant %v: %w", filter, err)
	}
	return fromDoc(d)
}

// ListRestaurants returns restaurants in id order.
func (r *RestaurantsRepository) ListRestaurants(ctx context.Context, f app.ListFilter) ([]*domain.Restaurant, error) {
	filter := bson.M{}
	if f.After != "" {
		filter["_id"] = bson.M{"$gt": f.After}
	}
	if f.Cuisine != "" {
		filter["cuisines"] = f.Cuisine
	}
	cur, err := r.coll.Find(ctx, filter, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}).
		SetLimit(int64(f.Limit)).SetProjection(stateProjection))
	if err != nil {
		return nil, fmt.Errorf("list restaurants: %w", err)
	}
	var docs []restaurantDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, fmt.Errorf("list restaurants: %w", err)
	}
	out := make([]*domain.Restaurant, 0, len(docs))
	for _, d := range docs {
		rest, err := fromDoc(d)
		if err != nil {
			return nil, err
		}
		out = append(out, rest)
	}
	return out, nil
}

// maxUpdateAttempts bounds retries when concurrent writers keep winning.
const maxUpdateAttempts = 5

// UpdateRestaurant implements app.Repository: load, update, and write back only over the
// version that was loaded, appending the change's events to the document's outbox.
func (r *RestaurantsRepository) UpdateRestaurant(ctx context.Context, id string, expectedVersion int64, update func(*domain.Restaurant) error) (*domain.Restaurant, error) {
	unlock := r.locks.lock(id)
	defer unlock()
	for attempt := 1; ; attempt++ {
		rest, err := r.findOne(ctx, bson.M{"_id": id}) // a private copy: update mutates it
		if err != nil {
			return nil, err
		}
		loaded := rest.Version()
		loadedItems := rest.Menu().IDs()
		if expectedVersion > 0 && expectedVersion != loaded {
			return nil, &domain.StaleVersionError{What: "the restaurant", Expected: expectedVersion, Current: loaded}
		}
		if err := update(rest); err != nil {
			return nil, err
		}
		if !rest.ProfileChanged() && !rest.MenuChanged() {
			return rest, nil
		}
		evs, err := RestaurantEvents(ctx, rest, r.now())
		if err != nil {
			return nil, err
		}
		pe, err := pending(evs)
		if err != nil {
			return nil, err
		}
		var added []string
		for _, id := range rest.Menu().ItemIDs() {
			if !loadedItems[id] {
				added = append(added, id)
			}
		}
		if err := r.indexItems(ctx, id, added); err != nil {
			return nil, err
		}
		doc, err := toDoc(rest)
		if err != nil {
			return nil, err
		}
		doc.Version = loaded + 1
		set, err := toSet(doc)
		if err != nil {
			return nil, err
		}
		set["has_pending"] = true
		if err := r.raiseHint(ctx, id, loaded+1); err != nil {
			return nil, err
		}
		res, err := r.coll.UpdateOne(ctx, bson.M{"_id": id, "version": loaded},
			bson.M{"$set": set, "$push": bson.M{"pending_events": bson.M{"$each": pe}}})
		if err != nil {
			return nil, fmt.Errorf("update restaurant %s: %w", id, err)
		}
		if res.MatchedCount == 1 {
			r.onCommit()
			return fromDoc(doc)
		}
		// Someone else wrote since we loaded: an explicit expectation is now stale; an
		// implicit one retries on the fresh state.
		if expectedVersion > 0 {
			return nil, &domain.StaleVersionError{What: "the restaurant", Expected: expectedVersion, Current: loaded + 1}
		}
		if attempt == maxUpdateAttempts {
			return nil, fmt.Errorf("update restaurant %s: %d concurrent writers won: %w", id, attempt, domain.ErrStaleVersion)
		}
	}
}

// toSet turns the state document into a $set (everything but the immutable fields).
func toSet(d restaurantDoc) (bson.M, error) {
	raw, err := bson.Marshal(d)
	if err != nil {
		return nil, err
	}
	var m bson.M
	if err := bson.Unmarshal(raw, &m); err != nil {
		return nil, err
	}
	delete(m, "_id")
	delete(m, "created_at")
	return m, nil
}
