package seed_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/cenkalti/backoff/v5"

	"github.com/dizhtime/dizhtime/platform/demo"
	"github.com/dizhtime/dizhtime/subgraphs/restaurants/adapters"
	"github.com/dizhtime/dizhtime/subgraphs/restaurants/domain"
	"github.com/dizhtime/dizhtime/subgraphs/restaurants/internal/mongotest"
	"github.com/dizhtime/dizhtime/subgraphs/restaurants/seed"
)

func TestGenerate_isDeterministicForASeedAndDiffersAcrossSeeds(t *testing.T) {
	cfg := seed.DefaultConfig()
	cfg.Restaurants = 50
	a, b := seed.Generate(cfg), seed.Generate(cfg)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("two generations with one seed differ")
	}
	cfg.Seed = 2
	if c := seed.Generate(cfg); c[0].ID == a[0].ID || c[0].Profile.Lat == a[0].Profile.Lat {
		t.Error("another seed generated the same city")
	}
}

func TestGenerate_makesValidRestaurantsWithFullMenusAroundTheCentre(t *testing.T) {
	cfg := seed.DefaultConfig()
	cuisines := map[string]bool{}
	items, groups := 0, 0
	for _, g := range seed.Generate(cfg) {
		r, err := seed.Build(g, time.Now())
		if err != nil {
			t.Fatalf("generated restaurant is invalid: %v", err)
		}
		for _, c := range r.Profile().Cuisines {
			cuisines[c] = true
		}
		for _, c := range r.Menu().Categories {
			for _, it := range c.Items {
				items++
				groups += len(it.OptionGroups)
			}
		}
		// Within the radius: 8 km is ~0.072 degrees of latitude.
		p := r.Profile().Location
		if math.Abs(p.Lat-cfg.CentreLat) > 0.08 || math.Abs(p.Lng-cfg.CentreLng) > 0.1 {
			t.Errorf("%s is far from the centre: %+v", r.ID(), p)
		}
	}
	if len(cuisines) < 8 || items < 300*10 || groups < items/2 {
		t.Errorf("a thin city: %d cuisines, %d items, %d option groups", len(cuisines), items, groups)
	}
}

func TestRun_isIdempotentOnBothFerretDBBackends(t *testing.T) {
	for _, b := range mongotest.Backends {
		t.Run(b.Name, func(t *testing.T) {
			repo := adapters.NewRestaurantsRepository(b.Open(t))
			cfg := seed.DefaultConfig()
			cfg.Restaurants = 120
			first, err := seed.Run(context.Background(), repo, cfg)
			if err != nil || first.Created != 120 {
				t.Fatalf("first run: %+v, %v", first, err)
			}
			t.Logf("seeded %d restaurants at %.0f restaurants/s", first.Created, first.PerSecond())
			again, err := seed.Run(context.Background(), repo, cfg)
			if err != nil || again.Created != 0 || again.Existing != 120 || !again.Skipped {
				t.Fatalf("second run: %+v, %v; want the city found seeded, nothing scanned", again, err)
			}
			// Another config is another city: seeded, its restaurants in common skipped.
			bigger := cfg
			bigger.Restaurants = 130
			more, err := seed.Run(context.Background(), repo, bigger)
			if err != nil || more.Skipped || more.Created != 10 || more.Existing != 120 {
				t.Fatalf("a bigger city over it: %+v, %v; want 10 created, 120 already there", more, err)
			}
			r, err := repo.GetRestaurant(context.Background(), seed.Generate(cfg)[7].ID)
			if err != nil || len(r.Menu().ItemIDs()) < 10 {
				t.Fatalf("a seeded restaurant: %v, %v", r, err)
			}
		})
	}
}

// flakyStore is the real repository whose second write times out the way the embedded
// FerretDB did on a loaded laptop: the batch is written, the answer never arrives.
type flakyStore struct {
	*adapters.RestaurantsRepository
	writes int
}

func (s *flakyStore) AddRestaurants(ctx context.Context, rs []*domain.Restaurant) (int, error) {
	s.writes++
	n, err := s.RestaurantsRepository.AddRestaurants(ctx, rs)
	if s.writes == 2 {
		return 0, fmt.Errorf("insert restaurants: %w", errIOTimeout)
	}
	return n, err
}

var errIOTimeout = errors.New("read tcp 127.0.0.1:37017: i/o timeout")

// A start's seed whose attempt times out halfway is tried again, and the city is whole:
// every restaurant there once, the retry said to notify.
func TestRunRetrying_anAttemptThatTimesOutHalfwayIsTriedAgainAndTheCityIsWhole(t *testing.T) {
	repo := adapters.NewRestaurantsRepository(mongotest.Backends[0].Open(t))
	store := &flakyStore{RestaurantsRepository: repo}
	cfg := seed.DefaultConfig()
	cfg.Restaurants = 120 // three batches
	var notified []error
	res, err := seed.RunRetrying(context.Background(), store, cfg, backoff.NewConstantBackOff(10*time.Millisecond), time.Minute,
		func(err error, _ time.Duration) { notified = append(notified, err) })
	if err != nil {
		t.Fatalf("RunRetrying: %v", err)
	}
	if len(notified) != 1 || !errors.Is(notified[0], errIOTimeout) {
		t.Fatalf("notified %v; want the one timed-out attempt", notified)
	}
	// The second attempt found the first two batches (the timed-out one was written) and
	// added the third.
	if res.Created != 20 || res.Existing != 100 {
		t.Fatalf("the retry's result %+v; want 20 created, 100 already there", res)
	}
	for _, g := range seed.Generate(cfg) {
		if _, err := repo.GetRestaurant(context.Background(), g.ID); err != nil {
			t.Fatalf("restaurant %s after the retry: %v", g.ID, err)
		}
	}
	again, err := seed.Run(context.Background(), repo, cfg)
	if err != nil || again.Created != 0 || again.Existing != 120 {
		t.Fatalf("a run after the retry: %+v, %v; want nothing new", again, err)
	}
}

// Seeded restaurants belong to the demo roster's owners (real accounts in the laptop run),
// and a city seeded before the roster, with made-up owner ids, is handed to them.
func TestRun_givesEveryRestaurantARosterOwnerAndRepairsAnOlderCitysMadeUpOwners(t *testing.T) {
	repo := adapters.NewRestaurantsRepository(mongotest.Backends[0].Open(t))
	ctx := context.Background()
	cfg := seed.DefaultConfig()
	cfg.Restaurants = 45
	city := seed.Generate(cfg)
	roster := demo.Owners()
	for i, g := range city {
		if g.OwnerID != roster[i%len(roster)].ID {
			t.Fatalf("restaurant %d owner %q, want roster owner %d (%s)", i, g.OwnerID, i%len(roster)+1, roster[i%len(roster)].ID)
		}
	}
	// An older seed stored restaurant 2 with owner "demo-owner-3", an id no account has.
	old := city[2]
	old.OwnerID = demo.LegacyOwnerID(3)
	r, err := seed.Build(old, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if n, err := repo.AddRestaurants(ctx, []*domain.Restaurant{r}); err != nil || n != 1 {
		t.Fatalf("store the older restaurant: %d, %v", n, err)
	}
	res, err := seed.Run(ctx, repo, cfg)
	if err != nil || res.Reassigned != 1 || res.Created != 44 || res.Existing != 1 {
		t.Fatalf("run over the older city: %+v, %v", res, err)
	}
	got, err := repo.GetRestaurant(ctx, old.ID)
	if err != nil || got.OwnerID() != roster[2].ID {
		t.Fatalf("the older restaurant's owner after the run: %v, %v (want %s)", got.OwnerID(), err, roster[2].ID)
	}
	again, err := seed.Run(ctx, repo, cfg)
	if err != nil || again.Reassigned != 0 || again.Created != 0 {
		t.Fatalf("a third run changed something: %+v, %v", again, err)
	}
}

// Search's dietary filters and its promotion need data: a city has restaurants of every
// dietary tag search offers and some with the "DizhTime Special" promotion, but not all.
func TestGenerate_givesSomeRestaurantsDietaryTagsAndThePromotion(t *testing.T) {
	dietary := map[string]int{}
	promoted, tagged := 0, 0
	city := seed.Generate(seed.DefaultConfig())
	for _, g := range city {
		r, err := seed.Build(g, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		p := r.Profile()
		for _, d := range p.DietaryTags {
			dietary[d]++
		}
		if len(p.DietaryTags) > 0 {
			tagged++
		}
		if slices.Contains(p.Tags, domain.PromotionTagSpecial) {
			promoted++
		}
		if slices.Contains(p.DietaryTags, "vegan") && !slices.Contains(p.DietaryTags, "vegetarian") {
			t.Errorf("%s is vegan but not vegetarian: %v", r.ID(), p.DietaryTags)
		}
	}
	for _, d := range []string{"vegan", "vegetarian", "halal", "gluten-free"} {
		if dietary[d] < 5 {
			t.Errorf("only %d restaurants are %s", dietary[d], d)
		}
	}
	if promoted < 5 || promoted > len(city)/4 {
		t.Errorf("%d of %d restaurants are promoted", promoted, len(city))
	}
	if tagged == len(city) {
		t.Error("every restaurant has a dietary tag: the filters would filter nothing")
	}
	t.Logf("%d restaurants: dietary %v, %d with a dietary tag, %d promoted", len(city), dietary, tagged, promoted)
}
