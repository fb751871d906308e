package redisdb_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/dizhtime/dizhtime/platform/endpoints"
	"github.com/dizhtime/dizhtime/platform/redisdb"
)

// BenchmarkGeoSet_Within searches 2 km around a point among 10,000 drivers spread over ~20 km.
func BenchmarkGeoSet_Within(b *testing.B) {
	b.Run("real", func(b *testing.B) {
		c, err := redisdb.Connect(context.Background(), endpoints.Redis())
		if err != nil {
			b.Fatal(err)
		}
		defer c.Close()
		g := redisdb.NewGeoSet(c, fmt.Sprintf("bench:geo:%d", rand.Int64()))
		fillDrivers(b, g)
		b.Run("within-2km", func(b *testing.B) { benchWithin(b, g) })
	})
	b.Run("embedded", func(b *testing.B) {
		e, err := redisdb.StartEmbedded("127.0.0.1:0")
		if err != nil {
			b.Fatal(err)
		}
		defer e.Close()
		c, err := redisdb.Connect(context.Background(), e.Addr())
		if err != nil {
			b.Fatal(err)
		}
		defer c.Close()
		g := redisdb.NewGeoSet(c, "bench:geo")
		fillDrivers(b, g)
		b.Run("within-2km", func(b *testing.B) { benchWithin(b, g) })
	})
}

var centre = redisdb.Point{Lat: 41.3111, Lng: 69.2797}

// fillDrivers puts 10,000 drivers once per backend; the search benchmark runs several times.
func fillDrivers(b *testing.B, g *redisdb.GeoSet) {
	ctx := context.Background()
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 10_000 {
		p := redisdb.Point{Lat: centre.Lat + (r.Float64()-0.5)*0.2, Lng: centre.Lng + (r.Float64()-0.5)*0.25}
		if err := g.Put(ctx, fmt.Sprintf("driver-%d", i), p); err != nil {
			b.Fatal(err)
		}
	}
	b.Cleanup(func() {
		for i := range 10_000 {
			_ = g.Remove(ctx, fmt.Sprintf("driver-%d", i))
		}
	})
}

func benchWithin(b *testing.B, g *redisdb.GeoSet) {
	ctx := context.Background()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := g.Within(ctx, centre, 2000, 20); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
