// Package seed generates a realistic demo city: hundreds of restaurants over several
// cuisines with full menus (categories, items, option groups) scattered around a centre
// point. Generation is deterministic for a seed (ids included), so seeding twice stores
// the same restaurants, and Run skips the ones already there.
package seed

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/cenkalti/backoff/v5"
	"github.com/google/uuid"

	"github.com/dizhtime/dizhtime/platform/demo"
	"github.com/dizhtime/dizhtime/subgraphs/restaurants/domain"
)

// Config says what city to generate.
type Config struct {
	Seed        uint64
	Restaurants int
	CentreLat   float64
	CentreLng   float64
	// RadiusKm is how far from the centre restaurants are spread.
	RadiusKm float64
	TimeZone string
	Currency string
	City     string
}

// DefaultConfig is Tashkent: 300 restaurants within 8 km of Amir Temur Square.
func DefaultConfig() Config {
	return Config{Seed: 1, Restaurants: 300, CentreLat: 41.3111, CentreLng: 69.2797, RadiusKm: 8,
		TimeZone: "Asia/Tashkent", Currency: "UZS", City: "Tashkent"}
}

// Restaurant is one generated restaurant, ready to be stored.
type Restaurant struct {
	ID, OwnerID string
	Profile     domain.ProfileDraft
	Menu        domain.MenuDraft
	Rating      domain.Rating
}

// namespace makes seeded ids UUIDs that no other generator produces.
var namespace = uuid.MustParse("7b0a9c52-5d0e-4c8e-9f3a-6a1f2d3c4b5e")

// Generate returns cfg.Restaurants restaurants; the same cfg gives the same city.
func Generate(cfg Config) []Restaurant {
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x5eed))
	// Tags draw from a stream of their own: adding them left every other generated value
	// (and so a city seeded before them) as it was.
	tagRNG := rand.New(rand.NewPCG(cfg.Seed, 0x7a65))
	out := make([]Restaurant, 0, cfg.Restaurants)
	// Restaurant i belongs to owner i mod 40 of the demo roster: real accounts identity
	// makes (`identity demo-owners`), so a restaurant's owner resolves to a person.
	owners := demo.Owners()
	for i := range cfg.Restaurants {
		c := cuisines[rng.IntN(len(cuisines))]
		id := uuid.NewSHA1(namespace, fmt.Appendf(nil, "restaurant/%d/%d", cfg.Seed, i)).String()
		lat, lng := scatter(rng, cfg)
		name := fmt.Sprintf("%s %s", c.prefixes[rng.IntN(len(c.prefixes))], c.suffixes[rng.IntN(len(c.suffixes))])
		street := streets[rng.IntN(len(streets))]
		dietary, promo := tags(tagRNG, c)
		out = append(out, Restaurant{
			ID:      id,
			OwnerID: owners[i%len(owners)].ID,
			Profile: domain.ProfileDraft{
				Name:        name,
				Description: fmt.Sprintf("%s kitchen on %s. %s", c.adjective, street, c.blurb),
				Cuisines:    c.tags,
				Address: domain.Address{Line1: fmt.Sprintf("%s %d", street, 1+rng.IntN(180)), City: cfg.City,
					PostalCode: fmt.Sprintf("100%03d", rng.IntN(200)), Country: "UZ"},
				Lat: lat, Lng: lng,
				Hours:      hours(rng, cfg.TimeZone),
				PriceLevel: c.priceLevel + rng.IntN(2),
				// Prep time grows with the kitchen's ambition.
				PrepTimeMinutes: 10 + 5*rng.IntN(6),
				Currency:        cfg.Currency,
				DietaryTags:     dietary,
				Tags:            promo,
			},
			Menu:   menu(rng, c, cfg.Currency),
			Rating: domain.Rating{Average: math.Round((3.4+rng.Float64()*1.6)*10) / 10, Count: 5 + rng.IntN(2000)},
		})
	}
	return out
}

// dietaryOdds is, per cuisine (its first tag), the chance in percent that a kitchen
// carries a dietary tag; "other" is every cuisine not listed.
var dietaryOdds = map[string]map[string]int{
	"halal":       {"uzbek": 80, "turkish": 85, "burgers": 25, "korean": 15, "coffee": 10, "other": 5},
	"vegetarian":  {"coffee": 40, "italian": 35, "georgian": 25, "other": 8},
	"vegan":       {"coffee": 25, "italian": 10, "japanese": 10, "korean": 8, "other": 3},
	"gluten-free": {"japanese": 30, "coffee": 15, "burgers": 10, "other": 6},
}

// promotedPercent of restaurants carry the platform's promotion tag.
const promotedPercent = 8

// tags picks a restaurant's dietary tags (a vegan kitchen is vegetarian too) and
// whether the platform promotes it.
func tags(rng *rand.Rand, c cuisine) (dietary, promo []string) {
	for _, tag := range []string{"halal", "vegetarian", "vegan", "gluten-free"} {
		odds, ok := dietaryOdds[tag][c.tags[0]]
		if !ok {
			odds = dietaryOdds[tag]["other"]
		}
		if rng.IntN(100) < odds {
			dietary = append(dietary, tag)
			if tag == "vegan" && !slices.Contains(dietary, "vegetarian") {
				dietary = append(dietary, "vegetarian")
			}
		}
	}
	if rng.IntN(100) < promotedPercent {
		promo = []string{domain.PromotionTagSpecial}
	}
	return dietary, promo
}

// scatter places a point uniformly in the disc around the centre.
func scatter(rng *rand.Rand, cfg Config) (float64, float64) {
	r := cfg.RadiusKm * math.Sqrt(rng.Float64())
	theta := rng.Float64() * 2 * math.Pi
	lat := cfg.CentreLat + (r*math.Cos(theta))/111.32
	lng := cfg.CentreLng + (r*math.Sin(theta))/(111.32*math.Cos(cfg.CentreLat*math.Pi/180))
	return math.Round(lat*1e6) / 1e6, math.Round(lng*1e6) / 1e6
}

func hours(rng *rand.Rand, zone string) domain.HoursDraft {
	days := map[time.Weekday][]domain.RangeDraft{}
	every := func(rs ...domain.RangeDraft) {
		for d := time.Sunday; d <= time.Saturday; d++ {
			days[d] = rs
		}
	}
	switch p := rng.IntN(10); {
	case p < 5: // the usual
		every(domain.RangeDraft{Open: "10:00", Close: "23:00"})
	case p < 7: // late at the weekend
		every(domain.RangeDraft{Open: "09:00", Close: "22:00"})
		days[time.Friday] = []domain.RangeDraft{{Open: "10:00", Close: "02:00"}}
		days[time.Saturday] = []domain.RangeDraft{{Open: "10:00", Close: "02:00"}}
	case p < 8: // lunch and dinner, closed on Monday
		every(domain.RangeDraft{Open: "11:30", Close: "15:00"}, domain.RangeDraft{Open: "18:00", Close: "23:30"})
		delete(days, time.Monday)
	case p < 9: // night kitchen
		every(domain.RangeDraft{Open: "18:00", Close: "04:00"})
	default: // never closes
		every(domain.RangeDraft{Open: "00:00", Close: "24:00"})
	}
	return domain.HoursDraft{TimeZone: zone, Days: days}
}

// seededIDs mints deterministic ids for one restaurant's menu.
func seededIDs(restaurantID string) domain.IDSource {
	n := 0
	return func() string {
		n++
		return uuid.NewSHA1(namespace, fmt.Appendf(nil, "%s/menu/%d", restaurantID, n)).String()
	}
}

func menu(rng *rand.Rand, c cuisine, cur string) domain.MenuDraft {
	m := domain.MenuDraft{}
	for _, cat := range c.categories {
		cd := domain.CategoryDraft{Name: cat.name}
		for _, dish := range cat.dishes {
			// Prices vary +-20% around the dish's base, rounded to 500 sum (50 000 tiyin).
			price := int64(float64(dish.price)*(0.8+0.4*rng.Float64())) / 500 * 500 * 100
			it := domain.ItemDraft{Name: dish.name, Description: dish.description, PriceMinor: price, Currency: cur,
				Available: rng.IntN(25) != 0, Tags: dish.tags,
				ImageURL: fmt.Sprintf("https://images.dizhtime.dev/dishes/%s.jpg", slug(dish.name))}
			for _, g := range dish.groups {
				it.OptionGroups = append(it.OptionGroups, g.draft(cur))
			}
			cd.Items = append(cd.Items, it)
		}
		m.Categories = append(m.Categories, cd)
	}
	return m
}

func slug(s string) string {
	b := make([]byte, 0, len(s))
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b = append(b, byte(r))
		case r >= 'A' && r <= 'Z':
			b = append(b, byte(r-'A'+'a'))
		case r == ' ' || r == '-':
			b = append(b, '-')
		}
	}
	return string(b)
}

// Result counts what Run did.
type Result struct {
	Created, Existing int
	// Reassigned counts restaurants of an earlier seed moved from a made-up owner id to
	// the roster's owner.
	Reassigned int
	// Skipped: this city was seeded to its end before (Config.Key); nothing was read or
	// written but that record.
	Skipped bool
	Elapsed time.Duration
}

// PerSecond is the throughput of created restaurants.
func (r Result) PerSecond() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Created) / r.Elapsed.Seconds()
}

// Store is where Run puts the city (adapters.RestaurantsRepository). AddRestaurants
// skips ids that exist and reports how many it inserted; ReassignOwners hands every
// restaurant of an owner that is a key of owners to that key's value and reports how many
// it moved.
type Store interface {
	// SeedDone reports whether the seed with key ran to its end; MarkSeedDone records it.
	SeedDone(ctx context.Context, key string) (bool, error)
	MarkSeedDone(ctx context.Context, key string, at time.Time) error
	// ExistingRestaurants reports which of ids are stored already.
	ExistingRestaurants(ctx context.Context, ids []string) (map[string]bool, error)
	AddRestaurants(ctx context.Context, rs []*domain.Restaurant) (int, error)
	ReassignOwners(ctx context.Context, owners map[string]string) (int, error)
}

// batchSize restaurants go to the store per round trip.
const batchSize = 50

// Run stores the generated city; restaurants that exist are left alone, so running it
// again changes nothing. Every restaurant is stored with its creation events, so search
// indexes the city through the usual outbox. Owners are the demo roster's (platform/demo);
// their accounts and owner tuples live in identity, which the laptop run fills
// (`identity demo-owners`, then grantRelation per restaurant). A city seeded before the
// roster named owners no account had (demo-owner-N): Run hands those restaurants to the
// roster's owner N.
func Run(ctx context.Context, store Store, cfg Config) (Result, error) {
	start := time.Now()
	var res Result
	// A city seeded to its end before (this generator, this config) is there as it was
	// left: one lookup, nothing scanned (on the embedded FerretDB every scan decodes every
	// stored restaurant, tens of seconds on a busy laptop).
	key := cfg.Key()
	if done, err := store.SeedDone(ctx, key); err != nil {
		return res, fmt.Errorf("seed: %w", err)
	} else if done {
		res.Existing, res.Skipped, res.Elapsed = cfg.Restaurants, true, time.Since(start)
		return res, nil
	}
	legacy := map[string]string{}
	for i, o := range demo.Owners() {
		legacy[demo.LegacyOwnerID(i+1)] = o.ID
	}
	n, err := store.ReassignOwners(ctx, legacy)
	res.Reassigned = n
	if err != nil {
		return res, fmt.Errorf("seed: %w", err)
	}
	city := Generate(cfg)
	for i := 0; i < len(city); i += batchSize {
		batch := city[i:min(i+batchSize, len(city))]
		ids := make([]string, len(batch))
		for j, g := range batch {
			ids[j] = g.ID
		}
		// Those stored already are skipped before anything is built: a city seeded before
		// costs one read per batch.
		stored, err := store.ExistingRestaurants(ctx, ids)
		if err != nil {
			return res, fmt.Errorf("seed: %w", err)
		}
		var fresh []*domain.Restaurant
		for _, g := range batch {
			if stored[g.ID] {
				res.Existing++
				continue
			}
			r, err := Build(g, start)
			if err != nil {
				return res, err
			}
			fresh = append(fresh, r)
		}
		if len(fresh) == 0 {
			continue
		}
		n, err := store.AddRestaurants(ctx, fresh)
		res.Created += n
		res.Existing += len(fresh) - n
		if err != nil {
			return res, fmt.Errorf("seed: %w", err)
		}
	}
	if err := store.MarkSeedDone(ctx, key, time.Now().UTC()); err != nil {
		return res, fmt.Errorf("seed: %w", err)
	}
	res.Elapsed = time.Since(start)
	return res, nil
}

// generatorVersion changes whenever Generate, Build or Run's repairs change what a seed
// stores, so a city seeded by an older generator is seeded (and repaired) once more.
const generatorVersion = 2

// Key names what a seed of cfg stores: the config and the generator's version.
func (cfg Config) Key() string {
	return fmt.Sprintf("%s|v%d|seed=%d|n=%d|%.6f,%.6f|r=%g|%s|%s", cfg.City, generatorVersion, cfg.Seed, cfg.Restaurants,
		cfg.CentreLat, cfg.CentreLng, cfg.RadiusKm, cfg.TimeZone, cfg.Currency)
}

// RunRetrying is Run tried again, with backoff b, until it succeeds or patience runs out:
// Run is idempotent, so an attempt cut short (the embedded FerretDB timing out on a loaded
// laptop) is simply run again. notify (may be nil) hears each failed attempt and the wait
// before the next. The Result is the last attempt's: what an earlier one stored counts as
// Existing.
func RunRetrying(ctx context.Context, store Store, cfg Config, b backoff.BackOff, patience time.Duration, notify func(error, time.Duration)) (Result, error) {
	tries := 0
	res, err := backoff.Retry(ctx, func() (Result, error) {
		tries++
		return Run(ctx, store, cfg)
	}, backoff.WithBackOff(b), backoff.WithMaxElapsedTime(patience), backoff.WithNotify(notify))
	if err != nil {
		return res, fmt.Errorf("seeding %s failed after %d attempt(s) in up to %s: %w", cfg.City, tries, patience, err)
	}
	return res, nil
}

// Build turns a generated restaurant into the domain's, through the same validation an
// owner's input goes through.
func Build(g Restaurant, now time.Time) (*domain.Restaurant, error) {
	p, err := domain.NewProfile(g.Profile)
	if err != nil {
		return nil, fmt.Errorf("seed %s profile: %w", g.ID, err)
	}
	r, err := domain.NewRestaurant(g.ID, g.OwnerID, p, now)
	if err != nil {
		return nil, err
	}
	if err := r.ReplaceMenu(r.Menu().Version, g.Menu, seededIDs(g.ID), now); err != nil {
		return nil, fmt.Errorf("seed %s menu: %w", g.ID, err)
	}
	if err := r.SetRating(g.Rating, now); err != nil {
		return nil, fmt.Errorf("seed %s rating: %w", g.ID, err)
	}
	return r, nil
}
