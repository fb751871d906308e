package adapters_test

import (
	"context"
	"errors"
	"reflect"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"

	"github.com/dizhtime/dizhtime/events"
	"github.com/dizhtime/dizhtime/events/contracts"
	"github.com/dizhtime/dizhtime/events/kafka"
	"github.com/dizhtime/dizhtime/subgraphs/restaurants/adapters"
	"github.com/dizhtime/dizhtime/subgraphs/restaurants/app"
	"github.com/dizhtime/dizhtime/subgraphs/restaurants/domain"
	"github.com/dizhtime/dizhtime/subgraphs/restaurants/internal/mongotest"
	"github.com/dizhtime/dizhtime/subgraphs/restaurants/seed"
)

// One suite, two servers: the real FerretDB the services script runs and the embedded
// one on SQLite (the laptop default). Each subtest gets its own database.
func TestRestaurantsRepository_onBothFerretDBBackends(t *testing.T) {
	for _, b := range mongotest.Backends {
		t.Run(b.Name, func(t *testing.T) {
			for _, c := range repositoryCases {
				t.Run(c.name, func(t *testing.T) { c.run(t, b.Open(t)) })
			}
		})
	}
}

var repositoryCases = []struct {
	name string
	run  func(t *testing.T, db *mongo.Database)
}{
	{"stores a restaurant with its whole menu and reads it back unchanged", storesAndReadsBack},
	{"finds the restaurant serving a menu item", findsByMenuItem},
	{"refuses a second restaurant with the same id", refusesDuplicates},
	{"refuses an update against a stale expected version and changes nothing", refusesStaleVersion},
	{"applies concurrent updates without an expectation one after the other", appliesConcurrentUpdates},
	{"lists restaurants in id order, by cuisine, page by page", listsInPages},
	{"a replica's cached read sees another replica's write at once", cacheSeesOtherReplicasWrites},
	{"relay publishes each change's events in order and removes them", relayPublishesInOrder},
	{"relay keeps events whose publish failed and sends them again with the same ids", relayRetriesFailedPublish},
	{"relay keeps an event written while it was publishing", relayKeepsConcurrentEvent},
	{"relay publishes a backlog of many restaurants in one Kafka write per round", relayBatchesABacklog},
	{"relay leases fewer restaurants after a lease timed out, gives its leases back, and grows again", relayShrinksATimedOutLease},
}

func newRepo(t *testing.T, db *mongo.Database) *adapters.RestaurantsRepository {
	t.Helper()
	repo := adapters.NewRestaurantsRepository(db)
	if err := repo.EnsureIndexes(context.Background()); err != nil {
		t.Fatal(err)
	}
	return repo
}

func sample(t testing.TB, n int) []*domain.Restaurant {
	t.Helper()
	cfg := seed.DefaultConfig()
	cfg.Restaurants = n
	var out []*domain.Restaurant
	for _, g := range seed.Generate(cfg) {
		r, err := seed.Build(g, time.Now().Truncate(time.Millisecond))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	return out
}

func add(t *testing.T, repo *adapters.RestaurantsRepository, rs ...*domain.Restaurant) {
	t.Helper()
	for _, r := range rs {
		if err := repo.AddRestaurant(context.Background(), r); err != nil {
			t.Fatal(err)
		}
	}
}

func storesAndReadsBack(t *testing.T, db *mongo.Database) {
	repo := newRepo(t, db)
	want := sample(t, 3)[2]
	d := want.Profile().Draft()
	d.DietaryTags, d.Tags = []string{"halal", "gluten-free"}, []string{domain.PromotionTagSpecial}
	p, err := domain.NewProfile(d)
	if err != nil {
		t.Fatal(err)
	}
	if err := want.UpdateProfile(p, want.UpdatedAt()); err != nil {
		t.Fatal(err)
	}
	add(t, repo, want)
	got, err := repo.GetRestaurant(context.Background(), want.ID())
	if err != nil {
		t.Fatal(err)
	}
	ws, gs := want.Snapshot(), got.Snapshot()
	if !reflect.DeepEqual(ws.Menu, gs.Menu) {
		t.Errorf("menu changed on the way:\nwant %+v\ngot  %+v", ws.Menu, gs.Menu)
	}
	if ws.Profile.Name != gs.Profile.Name || !reflect.DeepEqual(ws.Profile.Cuisines, gs.Profile.Cuisines) ||
		ws.Profile.Location != gs.Profile.Location || ws.Profile.Hours.Zone() != gs.Profile.Hours.Zone() ||
		!reflect.DeepEqual(ws.Profile.Hours.Day(time.Friday), gs.Profile.Hours.Day(time.Friday)) ||
		!reflect.DeepEqual(ws.Profile.DietaryTags, gs.Profile.DietaryTags) || !reflect.DeepEqual(ws.Profile.Tags, gs.Profile.Tags) ||
		ws.Rating != gs.Rating || gs.Version != 1 || !gs.CreatedAt.Equal(ws.CreatedAt) {
		t.Errorf("profile changed on the way:\nwant %+v\ngot  %+v", ws, gs)
	}
	if _, err := repo.GetRestaurant(context.Background(), "nope"); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("unknown id: %v", err)
	}
}

func findsByMenuItem(t *testing.T, db *mongo.Database) {
	repo := newRepo(t, db)
	rs := sample(t, 3)
	add(t, repo, rs...)
	itemID := rs[1].Menu().ItemIDs()[4]
	got, err := repo.RestaurantByMenuItem(context.Background(), itemID)
	if err != nil || got.ID() != rs[1].ID() {
		t.Fatalf("by item %s: %v, %v", itemID, got, err)
	}
	if _, err := repo.RestaurantByMenuItem(context.Background(), "nope"); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("unknown item: %v", err)
	}
}

func refusesDuplicates(t *testing.T, db *mongo.Database) {
	repo := newRepo(t, db)
	r := sample(t, 1)[0]
	add(t, repo, r)
	if err := repo.AddRestaurant(context.Background(), r); !errors.Is(err, app.ErrAlreadyExists) {
		t.Errorf("second insert: %v", err)
	}
}

func refusesStaleVersion(t *testing.T, db *mongo.Database) {
	repo := newRepo(t, db)
	r := sample(t, 1)[0]
	add(t, repo, r)
	ctx := context.Background()
	updated, err := repo.UpdateRestaurant(ctx, r.ID(), 1, func(r *domain.Restaurant) error { return r.Pause("", time.Now()) })
	if err != nil || updated.Version() != 2 || !updated.Paused() {
		t.Fatalf("first update: %+v, %v", updated, err)
	}
	called := false
	_, err = repo.UpdateRestaurant(ctx, r.ID(), 1, func(r *domain.Restaurant) error { called = true; r.Resume(time.Now()); return nil })
	var stale *domain.StaleVersionError
	if !errors.As(err, &stale) || stale.Current != 2 || called {
		t.Fatalf("stale update: %v (update called: %v)", err, called)
	}
	got, _ := repo.GetRestaurant(ctx, r.ID())
	if !got.Paused() || got.Version() != 2 {
		t.Errorf("stale update changed the restaurant: paused %v version %d", got.Paused(), got.Version())
	}
}

func appliesConcurrentUpdates(t *testing.T, db *mongo.Database) {
	repo := newRepo(t, db)
	r := sample(t, 1)[0]
	add(t, repo, r)
	items := r.Menu().ItemIDs()[:4]
	var wg sync.WaitGroup
	errs := make(chan error, len(items))
	for _, id := range items {
		wg.Go(func() {
			_, err := repo.UpdateRestaurant(context.Background(), r.ID(), 0, func(r *domain.Restaurant) error {
				return r.SetItemAvailability(id, false, time.Now())
			})
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	got, _ := repo.GetRestaurant(context.Background(), r.ID())
	for _, id := range items {
		if it, _ := got.Menu().Item(id); it.Available {
			t.Errorf("item %s lost its sold-out mark to a concurrent writer", id)
		}
	}
}

func listsInPages(t *testing.T, db *mongo.Database) {
	repo := newRepo(t, db)
	rs := sample(t, 12)
	add(t, repo, rs...)
	var ids []string
	after := ""
	for {
		page, err := repo.ListRestaurants(context.Background(), app.ListFilter{After: after, Limit: 5})
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		for _, r := range page {
			ids = append(ids, r.ID())
		}
		after = page[len(page)-1].ID()
	}
	if len(ids) != 12 {
		t.Fatalf("paged through %d restaurants, want 12", len(ids))
	}
	for i := 1; i < len(ids); i++ {
		if ids[i-1] >= ids[i] {
			t.Fatalf("not in id order: %v", ids)
		}
	}
	cuisine := rs[0].Profile().Cuisines[0]
	page, err := repo.ListRestaurants(context.Background(), app.ListFilter{Cuisine: cuisine, Limit: 100})
	if err != nil || len(page) == 0 {
		t.Fatalf("by cuisine %s: %d, %v", cuisine, len(page), err)
	}
	for _, r := range page {
		if !contains(r.Profile().Cuisines, cuisine) {
			t.Errorf("%s does not serve %s", r.ID(), cuisine)
		}
	}
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// recorder is a Publisher that keeps what it was given and can be told to fail.
type recorder struct {
	mu     sync.Mutex
	calls  int
	msgs   []kafka.Message
	fail   error
	during func()
}

func (p *recorder) Publish(_ context.Context, msgs ...kafka.Message) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.during != nil {
		p.during()
	}
	if p.fail != nil {
		return p.fail
	}
	p.calls++
	p.msgs = append(p.msgs, msgs...)
	return nil
}

func (p *recorder) envelopes(t *testing.T) []events.Envelope {
	t.Helper()
	var out []events.Envelope
	for _, m := range p.msgs {
		e, err := events.FromMessage(m)
		if err != nil {
			t.Fatal(err)
		}
		if string(m.Key) != e.Subject || m.Topic != e.Type {
			t.Errorf("message key %s topic %s for event about %s of type %s", m.Key, m.Topic, e.Subject, e.Type)
		}
		out = append(out, e)
	}
	return out
}

func relay(t *testing.T, db *mongo.Database, pub adapters.Publisher) *adapters.OutboxRelay {
	t.Helper()
	r, err := adapters.NewOutboxRelay(adapters.NewRestaurantsRepository(db), pub, adapters.RelayConfig{})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func relayPublishesInOrder(t *testing.T, db *mongo.Database) {
	repo := newRepo(t, db)
	r := sample(t, 1)[0]
	add(t, repo, r)
	ctx := context.Background()
	if _, err := repo.UpdateRestaurant(ctx, r.ID(), 0, func(r *domain.Restaurant) error { return r.Pause("rush", time.Now()) }); err != nil {
		t.Fatal(err)
	}
	item := r.Menu().ItemIDs()[0]
	if _, err := repo.UpdateRestaurant(ctx, r.ID(), 0, func(r *domain.Restaurant) error { return r.SetItemAvailability(item, false, time.Now()) }); err != nil {
		t.Fatal(err)
	}
	pub := &recorder{}
	rl := relay(t, db, pub)
	n, err := rl.RelayOnce(ctx)
	if err != nil || n != 4 {
		t.Fatalf("RelayOnce = %d, %v; want the 4 events (created: 2, paused: 1, sold out: 1)", n, err)
	}
	got := pub.envelopes(t)
	wantTypes := []string{contracts.TypeRestaurantUpdated, contracts.TypeRestaurantMenuUpdate, contracts.TypeRestaurantUpdated, contracts.TypeRestaurantMenuUpdate}
	for i, e := range got {
		if e.Type != wantTypes[i] || e.Subject != r.ID() {
			t.Errorf("event %d = %s about %s, want %s", i, e.Type, e.Subject, wantTypes[i])
		}
	}
	var paused contracts.RestaurantUpdatedV2
	if err := got[2].Decode(&paused); err != nil || paused.IsOpen {
		t.Errorf("the pause event says open=%v (%v)", paused.IsOpen, err)
	}
	var menu contracts.RestaurantMenuUpdateV1
	if err := got[3].Decode(&menu); err != nil || menu.MenuVersion != 3 || menu.Items[0].Available {
		t.Errorf("the sold-out event: version %d, first item available %v (%v)", menu.MenuVersion, menu.Items[0].Available, err)
	}
	if n, err := rl.RelayOnce(ctx); err != nil || n != 0 {
		t.Errorf("second round = %d, %v; want nothing left", n, err)
	}
}

func relayRetriesFailedPublish(t *testing.T, db *mongo.Database) {
	repo := newRepo(t, db)
	r := sample(t, 1)[0]
	add(t, repo, r)
	ctx := context.Background()
	pub := &recorder{fail: errors.New("broker down")}
	rl := relay(t, db, pub)
	if _, err := rl.RelayOnce(ctx); err == nil {
		t.Fatal("a failed publish reported success")
	}
	pub.fail = nil
	if n, err := rl.RelayOnce(ctx); err != nil || n != 2 {
		t.Fatalf("retry round = %d, %v; want 2", n, err)
	}
	first := pub.envelopes(t)
	// A relay that died after publishing (before removing) leaves them; the same ids go again.
	pub2 := &recorder{}
	if n, _ := relay(t, db, pub2).RelayOnce(ctx); n != 0 {
		t.Errorf("published events were sent again after removal: %d", n)
	}
	if len(first) != 2 || first[0].ID == first[1].ID {
		t.Errorf("events = %+v", first)
	}
}

func relayKeepsConcurrentEvent(t *testing.T, db *mongo.Database) {
	repo := newRepo(t, db)
	r := sample(t, 1)[0]
	add(t, repo, r)
	ctx := context.Background()
	pub := &recorder{}
	pub.during = func() {
		pub.during = nil
		if _, err := repo.UpdateRestaurant(ctx, r.ID(), 0, func(r *domain.Restaurant) error { return r.Pause("", time.Now()) }); err != nil {
			t.Error(err)
		}
	}
	rl := relay(t, db, pub)
	if n, err := rl.RelayOnce(ctx); err != nil || n != 2 {
		t.Fatalf("first round = %d, %v", n, err)
	}
	if n, err := rl.RelayOnce(ctx); err != nil || n != 1 {
		t.Fatalf("the pause written mid-publish: round = %d, %v; want 1", n, err)
	}
	got, _ := repo.GetRestaurant(ctx, r.ID())
	if !got.Paused() || got.Version() != 2 {
		t.Errorf("relay disturbed the restaurant: paused %v version %d", got.Paused(), got.Version())
	}
}

func cacheSeesOtherReplicasWrites(t *testing.T, db *mongo.Database) {
	a, b := newRepo(t, db), newRepo(t, db) // two processes sharing one database
	r := sample(t, 1)[0]
	add(t, a, r)
	ctx := context.Background()
	for i := range 3 {
		if got, err := a.GetRestaurant(ctx, r.ID()); err != nil || got.Paused() != (i%2 == 1) {
			t.Fatalf("read %d on replica a: paused %v, %v", i, got.Paused(), err)
		}
		_, err := b.UpdateRestaurant(ctx, r.ID(), 0, func(r *domain.Restaurant) error {
			if r.Paused() {
				r.Resume(time.Now())
				return nil
			}
			return r.Pause("", time.Now())
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	got, err := a.GetRestaurant(ctx, r.ID())
	if err != nil || !got.Paused() || got.Version() != 4 {
		t.Fatalf("replica a after three writes on b: paused %v version %d, %v", got.Paused(), got.Version(), err)
	}
	// A write that raised the hint and then died leaves the document behind its hint:
	// reads stay correct (they miss the cache).
	if err := adapters.RaiseHint(ctx, a, r.ID(), 9); err != nil {
		t.Fatal(err)
	}
	if got, err := a.GetRestaurant(ctx, r.ID()); err != nil || got.Version() != 4 {
		t.Fatalf("read with a hint ahead: version %d, %v", got.Version(), err)
	}
	if _, err := b.UpdateRestaurant(ctx, r.ID(), 0, func(r *domain.Restaurant) error { r.Resume(time.Now()); return nil }); err != nil {
		t.Fatal(err)
	}
	if got, err := a.GetRestaurant(ctx, r.ID()); err != nil || got.Paused() || got.Version() != 5 {
		t.Fatalf("read after the next write: paused %v version %d, %v", got.Paused(), got.Version(), err)
	}
}

func relayBatchesABacklog(t *testing.T, db *mongo.Database) {
	repo := newRepo(t, db)
	rs := sample(t, 7)
	if n, err := repo.AddRestaurants(context.Background(), rs); err != nil || n != 7 {
		t.Fatalf("AddRestaurants = %d, %v", n, err)
	}
	ctx := context.Background()
	pub := &recorder{}
	rl, err := adapters.NewOutboxRelay(adapters.NewRestaurantsRepository(db), pub, adapters.RelayConfig{BatchSize: 5})
	if err != nil {
		t.Fatal(err)
	}
	if n, err := rl.RelayOnce(ctx); err != nil || n != 10 || pub.calls != 1 {
		t.Fatalf("first round = %d events in %d writes, %v; want 5 restaurants' 10 events in 1", n, pub.calls, err)
	}
	if n, err := rl.RelayOnce(ctx); err != nil || n != 4 || pub.calls != 2 {
		t.Fatalf("second round = %d events in %d writes, %v; want the other 4 in 1 more", n, pub.calls, err)
	}
	if n, err := rl.RelayOnce(ctx); err != nil || n != 0 {
		t.Fatalf("third round = %d, %v; want nothing left", n, err)
	}
	perRestaurant := map[string][]string{}
	for _, e := range pub.envelopes(t) {
		perRestaurant[e.Subject] = append(perRestaurant[e.Subject], e.Type)
	}
	for _, r := range rs {
		want := []string{contracts.TypeRestaurantUpdated, contracts.TypeRestaurantMenuUpdate}
		if !reflect.DeepEqual(perRestaurant[r.ID()], want) {
			t.Errorf("%s: events %v, want %v in that order", r.ID(), perRestaurant[r.ID()], want)
		}
	}
	// The relay left the restaurants as they were.
	for _, r := range rs {
		got, err := repo.GetRestaurant(ctx, r.ID())
		if err != nil || got.Version() != r.Version() || got.Profile().Name != r.Profile().Name {
			t.Errorf("%s after relaying: %v, %v", r.ID(), got, err)
		}
	}
}

// A lease statement that times out (on a loaded FerretDB, 100 restaurants with their menus
// took longer than the client's timeout) makes the next rounds lease half as many, down to
// 1, and gives back whatever it leased; rounds that go through grow the lease back to
// BatchSize. Nothing is lost or sent twice.
func relayShrinksATimedOutLease(t *testing.T, db *mongo.Database) {
	repo := newRepo(t, db)
	rs := sample(t, 8)
	ctx := context.Background()
	if n, err := repo.AddRestaurants(ctx, rs); err != nil || n != 8 {
		t.Fatalf("AddRestaurants = %d, %v", n, err)
	}
	pub := &recorder{}
	rl, err := adapters.NewOutboxRelay(adapters.NewRestaurantsRepository(db), pub, adapters.RelayConfig{BatchSize: 8})
	if err != nil {
		t.Fatal(err)
	}
	// A deadline no statement can meet: the lease times out every time.
	adapters.SetLeaseTimeout(rl, time.Nanosecond)
	for _, want := range []int{4, 2, 1, 1} {
		n, err := rl.RelayOnce(ctx)
		if err == nil || !mongo.IsTimeout(err) || n != 0 {
			t.Fatalf("round with a timed-out lease = %d, %v; want 0 and a timeout", n, err)
		}
		if got := adapters.LeaseSize(rl); got != want {
			t.Fatalf("lease after a timeout = %d, want %d", got, want)
		}
	}
	if len(pub.msgs) != 0 {
		t.Fatalf("published %d messages without a lease", len(pub.msgs))
	}
	// Nothing stays leased: a fresh relay (another replica) takes all 8 at once.
	if n, err := db.Collection(adapters.CollectionName).CountDocuments(ctx, bson.M{"outbox_lease_until": bson.M{"$gt": time.Now()}}); err != nil || n != 0 {
		t.Fatalf("%d restaurants still leased after the timed-out rounds (%v)", n, err)
	}

	adapters.SetLeaseTimeout(rl, 30*time.Second)
	for i, want := range []struct{ events, nextLease int }{{2, 2}, {4, 4}, {8, 8}, {2, 8}, {0, 8}} {
		n, err := rl.RelayOnce(ctx)
		if err != nil || n != want.events || adapters.LeaseSize(rl) != want.nextLease {
			t.Fatalf("round %d after the store recovered = %d events, next lease %d, %v; want %d events, next lease %d",
				i+1, n, adapters.LeaseSize(rl), err, want.events, want.nextLease)
		}
	}
	perRestaurant := map[string]int{}
	for _, e := range pub.envelopes(t) {
		perRestaurant[e.Subject]++
	}
	for _, r := range rs {
		if perRestaurant[r.ID()] != 2 {
			t.Errorf("%s: %d events published, want its 2 exactly once", r.ID(), perRestaurant[r.ID()])
		}
	}
}
