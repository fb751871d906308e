package redisdb_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/dizhtime/dizhtime/platform/endpoints"
	"github.com/dizhtime/dizhtime/platform/redisdb"
)

// Both backends run the same contract: the embedded default must behave like the real server.
func TestGeoSetContract_realRedis(t *testing.T) {
	ctx := context.Background()
	c, err := redisdb.Connect(ctx, endpoints.Redis())
	if err != nil {
		t.Fatalf("real Redis not reachable (start it with `deploy/local/services.sh up redis`): %v", err)
	}
	t.Cleanup(func() { _ = c.Close() })
	runGeoSetContract(t, c)
}

func TestGeoSetContract_embeddedMiniredis(t *testing.T) {
	e, err := redisdb.StartEmbedded("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Close)
	c, err := redisdb.Connect(context.Background(), e.Addr())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	runGeoSetContract(t, c)
}

func runGeoSetContract(t *testing.T, c *redis.Client) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	key := fmt.Sprintf("test:geoset:%d", rand.Int64())
	t.Cleanup(func() { c.Del(context.Background(), key) })
	g := redisdb.NewGeoSet(c, key)

	// Around Tashkent's centre: one driver 300 m east, one ~1.1 km north, one 20 km away.
	centre := redisdb.Point{Lat: 41.3111, Lng: 69.2797}
	must(t, g.Put(ctx, "near", redisdb.Point{Lat: 41.3111, Lng: 69.2833}))
	must(t, g.Put(ctx, "north", redisdb.Point{Lat: 41.3211, Lng: 69.2797}))
	must(t, g.Put(ctx, "far", redisdb.Point{Lat: 41.4911, Lng: 69.2797}))

	t.Run("finds members within the radius nearest first", func(t *testing.T) {
		hits, err := g.Within(ctx, centre, 2000, 10)
		must(t, err)
		if len(hits) != 2 || hits[0].Member != "near" || hits[1].Member != "north" {
			t.Fatalf("hits = %+v, want near then north", hits)
		}
		if d := hits[0].DistanceMeters; d < 250 || d > 350 {
			t.Errorf("distance to near = %.1f m, want about 300", d)
		}
		if p := hits[1].Point; abs(p.Lat-41.3211) > 1e-4 || abs(p.Lng-69.2797) > 1e-4 {
			t.Errorf("north's coordinates = %+v", p)
		}
	})
	t.Run("a moved member is found at its new place only", func(t *testing.T) {
		must(t, g.Put(ctx, "far", redisdb.Point{Lat: 41.3112, Lng: 69.2798}))
		hits, err := g.Within(ctx, centre, 100, 10)
		must(t, err)
		if len(hits) != 1 || hits[0].Member != "far" {
			t.Fatalf("hits = %+v, want only far", hits)
		}
	})
	t.Run("a removed member is gone and the limit holds", func(t *testing.T) {
		must(t, g.Remove(ctx, "far"))
		hits, err := g.Within(ctx, centre, 50_000, 1)
		must(t, err)
		if len(hits) != 1 || hits[0].Member != "near" {
			t.Fatalf("hits = %+v, want only near", hits)
		}
	})
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func abs(f float64) float64 {
	if f < 0 {
		return -f
	}
	return f
}
