package adapters_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/mongo"

	"github.com/dizhtime/dizhtime/events/contracts"
	"github.com/dizhtime/dizhtime/events/kafka"
	"github.com/dizhtime/dizhtime/platform/endpoints"
	"github.com/dizhtime/dizhtime/subgraphs/restaurants/adapters"
	"github.com/dizhtime/dizhtime/subgraphs/restaurants/domain"
	"github.com/dizhtime/dizhtime/subgraphs/restaurants/internal/mongotest"
	"github.com/dizhtime/dizhtime/subgraphs/restaurants/seed"
)

// benchCity seeds n restaurants into a fresh database on backend b.
func benchCity(b *testing.B, open func(testing.TB) *mongo.Database, n int) (*adapters.RestaurantsRepository, []*domain.Restaurant) {
	b.Helper()
	repo := adapters.NewRestaurantsRepository(open(b))
	if err := repo.EnsureIndexes(context.Background()); err != nil {
		b.Fatal(err)
	}
	cfg := seed.DefaultConfig()
	cfg.Restaurants = n
	if _, err := seed.Run(context.Background(), repo, cfg); err != nil {
		b.Fatal(err)
	}
	var rs []*domain.Restaurant
	for _, g := range seed.Generate(cfg) {
		r, _ := seed.Build(g, time.Now())
		rs = append(rs, r)
	}
	return repo, rs
}

// BenchmarkSeed reports the seeding throughput in restaurants/s.
func BenchmarkSeed(b *testing.B) {
	for _, be := range mongotest.Backends {
		b.Run(be.Name, func(b *testing.B) {
			total, elapsed := 0, time.Duration(0)
			for i := 0; i < b.N; i++ {
				repo := adapters.NewRestaurantsRepository(be.Open(b))
				cfg := seed.DefaultConfig()
				cfg.Restaurants = 100
				res, err := seed.Run(context.Background(), repo, cfg)
				if err != nil {
					b.Fatal(err)
				}
				total += res.Created
				elapsed += res.Elapsed
			}
			b.ReportMetric(float64(total)/elapsed.Seconds(), "restaurants/s")
		})
	}
}

// BenchmarkQuote is the latency of one authoritative quote (read the restaurant, price
// three lines with options) in a city of 300 restaurants.
func BenchmarkQuote(b *testing.B) {
	for _, be := range mongotest.Backends {
		b.Run(be.Name, func(b *testing.B) {
			repo, rs := benchCity(b, be.Open, 300)
			r := rs[len(rs)/2]
			lines := cart(b, r)
			ctx := context.Background()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				got, err := repo.GetRestaurant(ctx, r.ID())
				if err != nil {
					b.Fatal(err)
				}
				if _, err := got.Quote(lines, time.Now()); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkMenuItemLookup is the latency of resolving a MenuItem entity by id.
func BenchmarkMenuItemLookup(b *testing.B) {
	for _, be := range mongotest.Backends {
		b.Run(be.Name, func(b *testing.B) {
			repo, rs := benchCity(b, be.Open, 300)
			id := rs[len(rs)/2].Menu().ItemIDs()[3]
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := repo.RestaurantByMenuItem(context.Background(), id); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// cart picks three items of r and satisfies each one's required option groups.
func cart(b *testing.B, r *domain.Restaurant) []domain.QuoteLine {
	var lines []domain.QuoteLine
	for _, c := range r.Menu().Categories {
		for _, it := range c.Items {
			if len(lines) == 3 {
				return lines
			}
			l := domain.QuoteLine{MenuItemID: it.ID, Quantity: 2}
			for _, g := range it.OptionGroups {
				for k := 0; k < g.MinChoices; k++ {
					l.OptionIDs = append(l.OptionIDs, g.Options[k].ID)
				}
			}
			lines = append(lines, l)
		}
	}
	if len(lines) == 0 {
		b.Fatal(fmt.Sprintf("restaurant %s has no items", r.ID()))
	}
	return lines
}

// BenchmarkOutboxDrain is how fast the relay empties the outbox of a freshly seeded city
// (300 restaurants, 600 events: what `restaurants serve` with seed_demo_city leaves)
// into the real Kafka, in events/s.
func BenchmarkOutboxDrain(b *testing.B) {
	brokers := endpoints.Kafka()
	ctx := context.Background()
	if err := kafka.EnsureTopics(ctx, brokers, kafka.TopicSpec{Name: contracts.TypeRestaurantUpdated},
		kafka.TopicSpec{Name: contracts.TypeRestaurantMenuUpdate}); err != nil {
		b.Fatalf("Kafka not reachable at %v (deploy/local/services.sh up kafka): %v", brokers, err)
	}
	producer := kafka.NewProducer(brokers)
	defer producer.Close()
	for _, be := range mongotest.Backends {
		b.Run(be.Name, func(b *testing.B) {
			total, elapsed := 0, time.Duration(0)
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				repo, _ := benchCity(b, be.Open, 300)
				rl, err := adapters.NewOutboxRelay(repo, producer, adapters.RelayConfig{})
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				start := time.Now()
				for {
					n, err := rl.RelayOnce(ctx)
					if err != nil {
						b.Fatal(err)
					}
					if n == 0 {
						break
					}
					total += n
				}
				elapsed += time.Since(start)
				b.Logf("drained %d events in %s", total, time.Since(start).Round(time.Millisecond))
			}
			if total != 600*b.N {
				b.Fatalf("drained %d events, want %d", total, 600*b.N)
			}
			b.ReportMetric(float64(total)/elapsed.Seconds(), "events/s")
		})
	}
}
