package adapters_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/dizhtime/dizhtime/platform/endpoints"
	"github.com/dizhtime/dizhtime/platform/searchindex"
	"github.com/dizhtime/dizhtime/subgraphs/search/adapters"
	"github.com/dizhtime/dizhtime/subgraphs/search/app"
	"github.com/dizhtime/dizhtime/subgraphs/search/domain"
)

// backend is one implementation of the index under the contract.
type backend struct {
	catalog app.Catalog
	live    app.Index
}

// elasticCatalog connects to the real Elasticsearch and manages an alias of its own.
func elasticCatalog(t *testing.T) (*searchindex.Elastic, *adapters.ElasticCatalog) {
	t.Helper()
	es, err := searchindex.ConnectElasticsearch(context.Background(), endpoints.Elasticsearch())
	if err != nil {
		t.Fatalf("Elasticsearch not reachable (start it with `deploy/local/services.sh up elasticsearch`): %v", err)
	}
	c, err := adapters.NewElasticCatalog(es, fmt.Sprintf("search-test-%d", rand.Int64N(1<<40)))
	if err != nil {
		t.Fatal(err)
	}
	return es, c
}

func elasticBackend(t *testing.T) backend {
	t.Helper()
	ctx := context.Background()
	_, c := elasticCatalog(t)
	live, err := c.Live(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.DropAll(context.Background()) })
	return backend{catalog: c, live: live}
}

func bleveBackend(t *testing.T) backend {
	t.Helper()
	c, err := adapters.OpenBleveCatalog(t.TempDir(), "restaurants")
	if err != nil {
		t.Fatal(err)
	}
	live, err := c.Live(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return backend{catalog: c, live: live}
}

func TestIndexContract_realElasticsearch(t *testing.T) { runIndexContract(t, elasticBackend(t)) }

func TestIndexContract_embeddedBleve(t *testing.T) { runIndexContract(t, bleveBackend(t)) }

// Tashkent's centre; offsets below are roughly 1 km per 0.009 degrees of latitude.
var centre = domain.GeoPoint{Lat: 41.3111, Lon: 69.2797}

func north(km float64) domain.GeoPoint {
	return domain.GeoPoint{Lat: centre.Lat + km*0.009, Lon: centre.Lon}
}

type fixture struct {
	id       string
	name     string
	cuisines []string
	at       domain.GeoPoint
	price    int
	rating   float64
	dietary  []string
	tags     []string
	open     bool
	hours    []domain.DayRange
	dishes   []string
}

func (f fixture) put(t *testing.T, idx app.Index) {
	t.Helper()
	err := idx.Update(context.Background(), f.id, func(cur *domain.Restaurant) (*domain.Restaurant, error) {
		r, _ := domain.NewRestaurant(f.id)
		p := domain.Profile{Name: f.name, Cuisines: f.cuisines, IsOpen: f.open, Location: f.at, PriceLevel: f.price,
			Rating: f.rating, Dietary: f.dietary, Tags: f.tags, Hours: domain.WeeklyHours{Zone: time.UTC, Ranges: f.hours}}
		if err := r.ApplyProfile(p, 1, time.Now()); err != nil {
			return nil, err
		}
		var dishes []domain.Dish
		for i, d := range f.dishes {
			dishes = append(dishes, domain.Dish{ID: fmt.Sprintf("%s-d%d", f.id, i), Name: d, PriceMinor: 5_000_00, Currency: "UZS", Available: true})
		}
		return r, r.ApplyMenu(dishes, 1, time.Now())
	})
	if err != nil {
		t.Fatal(err)
	}
}

// Monday 12:00 UTC and 23:00 UTC.
var (
	mondayNoon  = time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	mondayLate  = time.Date(2026, 11, 30, 23, 0, 0, 0, time.UTC)
	lunchToTen  = []domain.DayRange{{Day: time.Monday, Open: 10 * 60, Close: 22 * 60}}
	allFixtures = []fixture{
		{id: "r-napoli", name: "Napoli Pizzeria", cuisines: []string{"Italian"}, at: north(1), price: 2, rating: 4.6, open: true,
			hours: lunchToTen, dishes: []string{"Margherita pizza", "Pepperoni pizza", "Tiramisu"}},
		{id: "r-roma", name: "Roma Trattoria", cuisines: []string{"italian"}, at: north(8), price: 3, rating: 4.2, open: true,
			dishes: []string{"Quattro formaggi pizza", "Lasagna"}},
		{id: "r-plov", name: "Besh Qozon", cuisines: []string{"uzbek"}, at: north(2), price: 1, rating: 4.8, open: true,
			dishes: []string{"Wedding plov", "Samsa"}, dietary: []string{"Halal"}},
		{id: "r-green", name: "Green Bowl", cuisines: []string{"healthy"}, at: north(3), price: 2, rating: 3.9, open: true,
			dishes: []string{"Vegan pizza", "Quinoa salad"}, dietary: []string{"vegan", "halal"}, tags: []string{domain.PromotedTag}},
		{id: "r-closed", name: "Sleepy Sushi", cuisines: []string{"japanese"}, at: north(1.5), price: 4, rating: 4.9, open: false,
			dishes: []string{"Salmon nigiri"}},
		{id: "r-far", name: "Samarkand Pizza House", cuisines: []string{"italian"}, at: domain.GeoPoint{Lat: 39.6542, Lon: 66.9597}, price: 2, rating: 4.0, open: true,
			dishes: []string{"Pizza samarkandiya"}},
	}
)

func ids(p domain.Page) []string {
	var out []string
	for _, h := range p.Hits {
		out = append(out, h.Restaurant.ID)
	}
	return out
}

func search(t *testing.T, idx app.Index, in domain.QueryInput) domain.Page {
	t.Helper()
	if in.First == 0 {
		in.First = 20
	}
	q, err := domain.NewQuery(in)
	if err != nil {
		t.Fatal(err)
	}
	p, err := idx.Search(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func radius(m int) *int { return &m }

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

func runIndexContract(t *testing.T, b backend) {
	ctx := context.Background()
	idx := b.live
	for _, f := range allFixtures {
		f.put(t, idx)
	}
	// A menu without its profile yet: stored, not listed.
	if err := idx.Update(ctx, "r-menu-only", func(cur *domain.Restaurant) (*domain.Restaurant, error) {
		r, _ := domain.NewRestaurant("r-menu-only")
		return r, r.ApplyMenu([]domain.Dish{{ID: "x", Name: "Pizza bianca"}}, 1, time.Now())
	}); err != nil {
		t.Fatal(err)
	}
	if err := idx.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	here := centre

	t.Run("a word finds the restaurants whose name or dishes have it, and a typo still finds them", func(t *testing.T) {
		want := []string{"r-napoli", "r-roma", "r-green", "r-far"}
		if got := ids(search(t, idx, domain.QueryInput{Text: "pizza"})); !sameSet(got, want) {
			t.Errorf("pizza: %v, want %v", got, want)
		}
		if got := ids(search(t, idx, domain.QueryInput{Text: "piza"})); !sameSet(got, want) {
			t.Errorf("piza: %v, want %v", got, want)
		}
		if got := ids(search(t, idx, domain.QueryInput{Text: "vegan"})); !sameSet(got, []string{"r-green"}) {
			t.Errorf("vegan (a dietary keyword): %v", got)
		}
	})
	t.Run("a hit carries what the queries read: id, name, cuisines, location, promotion and the whole menu", func(t *testing.T) {
		byID := map[string]domain.Restaurant{}
		for _, h := range search(t, idx, domain.QueryInput{Text: "pizza"}).Hits {
			byID[h.Restaurant.ID] = h.Restaurant
		}
		napoli, green := byID["r-napoli"], byID["r-green"]
		if napoli.Name != "Napoli Pizzeria" || !slices.Equal(napoli.Cuisines, []string{"italian"}) || napoli.Location != north(1) || napoli.Promoted {
			t.Errorf("r-napoli hit: %+v", napoli)
		}
		if d := napoli.Dishes; len(d) != 3 || d[2].ID != "r-napoli-d2" || d[2].Name != "Tiramisu" || d[2].PriceMinor != 5_000_00 || d[2].Currency != "UZS" || !d[2].Available {
			t.Errorf("r-napoli hit's menu: %+v", napoli.Dishes)
		}
		if !green.Promoted {
			t.Errorf("r-green hit is not promoted: %+v", green)
		}
		docs, err := idx.Suggest(ctx, "tira", nil, 10)
		if err != nil || len(docs) != 1 || docs[0].Name != "Napoli Pizzeria" || len(docs[0].Dishes) != 3 || docs[0].Cuisines[0] != "italian" {
			t.Errorf("suggest tira: %+v %v", docs, err)
		}
	})
	t.Run("a document without a profile is never found", func(t *testing.T) {
		if got := ids(search(t, idx, domain.QueryInput{Text: "bianca"})); len(got) != 0 {
			t.Errorf("found %v", got)
		}
	})
	t.Run("a radius keeps nearby restaurants and distance sort orders them nearest first", func(t *testing.T) {
		got := ids(search(t, idx, domain.QueryInput{Near: &here, RadiusMeters: radius(5000), Sort: domain.SortDistance}))
		if want := []string{"r-napoli", "r-closed", "r-plov", "r-green"}; !slices.Equal(got, want) {
			t.Errorf("got %v, want %v", got, want)
		}
	})
	t.Run("of equally matching restaurants the nearer ranks first, within the default delivery radius, and promotion lifts one", func(t *testing.T) {
		got := ids(search(t, idx, domain.QueryInput{Text: "pizza", Near: &here}))
		if !sameSet(got, []string{"r-napoli", "r-roma", "r-green"}) || slices.Index(got, "r-napoli") > slices.Index(got, "r-roma") {
			t.Errorf("pizza near the centre: %v, want napoli before roma, green, and not Samarkand (beyond %d m)", got, domain.DefaultRadiusMeters)
		}
		if got := ids(search(t, idx, domain.QueryInput{Text: "piza", Near: &here})); !sameSet(got, []string{"r-napoli", "r-roma", "r-green"}) {
			t.Errorf("piza near the centre: %v", got)
		}
		// Green Bowl (3 km, promoted) beats nothing else in its cuisine; compare with
		// promotion on the same distance: a promoted copy ranks above an unpromoted one.
		twin := fixture{id: "r-twin-a", name: "Twin Kebab", cuisines: []string{"turkish"}, at: north(4), price: 2, rating: 4, open: true, dishes: []string{"Doner kebab"}}
		twin.put(t, idx)
		twin.id, twin.tags = "r-twin-b", []string{domain.PromotedTag}
		twin.put(t, idx)
		_ = idx.Refresh(ctx)
		if got := ids(search(t, idx, domain.QueryInput{Text: "kebab", Near: &here})); !slices.Equal(got, []string{"r-twin-b", "r-twin-a"}) {
			t.Errorf("kebab: %v, want the promoted twin first", got)
		}
	})
	t.Run("filters narrow by cuisine, price, rating, dietary tags and opening hours", func(t *testing.T) {
		cases := []struct {
			name string
			f    domain.Filters
			want []string
		}{
			{"cuisine", domain.Filters{Cuisines: []string{"ITALIAN", "uzbek"}}, []string{"r-napoli", "r-roma", "r-plov", "r-far"}},
			{"max price", domain.Filters{MaxPriceLevel: 1}, []string{"r-plov"}},
			{"min rating", domain.Filters{MinRating: 4.6}, []string{"r-napoli", "r-plov", "r-closed"}},
			{"dietary", domain.Filters{Dietary: []string{"halal", "vegan"}}, []string{"r-green"}},
			{"open at noon", domain.Filters{OpenAt: &mondayNoon, Cuisines: []string{"italian", "japanese"}}, []string{"r-napoli", "r-roma", "r-far"}},
			{"open late", domain.Filters{OpenAt: &mondayLate, Cuisines: []string{"italian", "japanese"}}, []string{"r-roma", "r-far"}},
		}
		for _, c := range cases {
			if got := ids(search(t, idx, domain.QueryInput{Filters: c.f})); !sameSet(got, c.want) {
				t.Errorf("%s: %v, want %v", c.name, got, c.want)
			}
		}
	})
	t.Run("rating sort puts the best rated first", func(t *testing.T) {
		got := ids(search(t, idx, domain.QueryInput{Text: "pizza", Sort: domain.SortRating}))
		if want := []string{"r-napoli", "r-roma", "r-far", "r-green"}; !slices.Equal(got, want) {
			t.Errorf("got %v, want %v", got, want)
		}
	})
	t.Run("facets count cuisines and price levels over every hit, not just the page", func(t *testing.T) {
		p := search(t, idx, domain.QueryInput{Text: "pizza", First: 1, Facets: true})
		if p.Total != 4 || len(p.Hits) != 1 {
			t.Fatalf("total %d, hits %d", p.Total, len(p.Hits))
		}
		wantC := []domain.FacetCount{{Value: "italian", Count: 3}, {Value: "healthy", Count: 1}}
		wantP := []domain.FacetCount{{Value: "2", Count: 3}, {Value: "3", Count: 1}}
		if !slices.Equal(p.Facets.Cuisines, wantC) || !slices.Equal(p.Facets.PriceLevels, wantP) {
			t.Errorf("facets %+v, want %v and %v", p.Facets, wantC, wantP)
		}
	})
	t.Run("facets are not counted when the search does not ask for them", func(t *testing.T) {
		p := search(t, idx, domain.QueryInput{Text: "pizza"})
		if p.Total != 4 || len(p.Facets.Cuisines)+len(p.Facets.PriceLevels) != 0 {
			t.Errorf("total %d, facets %+v", p.Total, p.Facets)
		}
	})
	t.Run("pages follow each other without overlap", func(t *testing.T) {
		var seen []string
		after := ""
		for range 10 {
			p := search(t, idx, domain.QueryInput{Near: &here, Sort: domain.SortDistance, First: 2, After: after})
			seen = append(seen, ids(p)...)
			if len(p.Hits) < 2 {
				break
			}
			after = domain.Cursor(len(seen) - 1)
		}
		// Every listed restaurant but Samarkand's, which is beyond the default radius.
		if len(seen) != 7 || len(slices.Compact(slices.Clone(seen))) != 7 || slices.Contains(seen, "r-far") {
			t.Errorf("paged through %v", seen)
		}
	})
	t.Run("a prefix finds restaurants by name, dish and keyword, nearest first", func(t *testing.T) {
		docs, err := idx.Suggest(ctx, "piz", &here, 10)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, d := range docs {
			got = append(got, d.ID)
		}
		if len(got) != 4 || got[0] != "r-napoli" || got[3] != "r-far" {
			t.Errorf("suggest piz: %v", got)
		}
		docs, err = idx.Suggest(ctx, "tira", nil, 10)
		if err != nil || len(docs) != 1 || docs[0].ID != "r-napoli" {
			t.Errorf("suggest tira: %v %v", docs, err)
		}
	})
	t.Run("every word must be in the name, a dish name or the keywords; a description alone finds nothing", func(t *testing.T) {
		// Far from the centre and of its own cuisine, so the other cases do not see it.
		err := idx.Update(ctx, "r-bistro", func(*domain.Restaurant) (*domain.Restaurant, error) {
			r, _ := domain.NewRestaurant("r-bistro")
			p := domain.Profile{Name: "Petit Bistro", Cuisines: []string{"french"}, IsOpen: true, PriceLevel: 3, Rating: 4,
				Location: domain.GeoPoint{Lat: 40.1, Lon: 65.4}}
			if err := r.ApplyProfile(p, 1, time.Now()); err != nil {
				return nil, err
			}
			return r, r.ApplyMenu([]domain.Dish{{ID: "b1", Name: "Mushroom risotto", Description: "with truffle oil",
				PriceMinor: 9_000_00, Currency: "UZS", Available: true}}, 1, time.Now())
		})
		if err != nil {
			t.Fatal(err)
		}
		_ = idx.Refresh(ctx)
		cases := []struct {
			text string
			want []string
		}{
			{"vegan pizza", []string{"r-green"}},     // a dietary keyword and a dish name
			{"pizza tiramisu", []string{"r-napoli"}}, // two dishes of one menu
			{"vegan piza", []string{"r-green"}},      // with a typo
			{"french risotto", []string{"r-bistro"}}, // a cuisine and a dish
			{"truffle", nil},                         // only in a description
			{"risotto truffle", nil},                 // one word only in a description
			{"pizza sushi", nil},                     // no restaurant has both
		}
		for _, c := range cases {
			if got := ids(search(t, idx, domain.QueryInput{Text: c.text})); !sameSet(got, c.want) {
				t.Errorf("%q: %v, want %v", c.text, got, c.want)
			}
		}
	})
	t.Run("an update that loses a race is retried with the newer document", func(t *testing.T) {
		var wg sync.WaitGroup
		for i := range 8 {
			wg.Go(func() {
				err := idx.Update(ctx, "r-race", func(cur *domain.Restaurant) (*domain.Restaurant, error) {
					if cur == nil {
						cur, _ = domain.NewRestaurant("r-race")
					}
					cur.Dishes = append(cur.Dishes, domain.Dish{ID: fmt.Sprint(i)})
					return cur, nil
				})
				if err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		r, err := idx.Get(ctx, "r-race")
		if err != nil || r == nil || len(r.Dishes) != 8 {
			t.Fatalf("after 8 racing updates: %+v %v", r, err)
		}
	})
	t.Run("an update refused by its function stores nothing", func(t *testing.T) {
		err := idx.Update(ctx, "r-napoli", func(cur *domain.Restaurant) (*domain.Restaurant, error) {
			cur.Name = "Overwritten"
			return cur, domain.ErrStale
		})
		if !errors.Is(err, domain.ErrStale) {
			t.Fatalf("err = %v", err)
		}
		if r, _ := idx.Get(ctx, "r-napoli"); r == nil || r.Name != "Napoli Pizzeria" {
			t.Errorf("stored %+v", r)
		}
	})
}
