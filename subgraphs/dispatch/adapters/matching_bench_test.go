package adapters_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/dizhtime/dizhtime/platform/endpoints"
	"github.com/dizhtime/dizhtime/platform/redisdb"
	"github.com/dizhtime/dizhtime/subgraphs/dispatch/adapters"
	"github.com/dizhtime/dizhtime/subgraphs/dispatch/domain"
)

// The market of the benchmarks: drivers spread uniformly over a 30 km × 30 km box
// around the restaurant's city centre (as cmd/dispatch-bench does).
var (
	halfLat = 15.0 / 111.195
	halfLng = 15.0 / (111.195 * 0.7513) // cos(41.3°)
)

func marketPoint(r *rand.Rand, shrink float64) domain.Point {
	return domain.Point{
		Lat: restaurant.Lat + (r.Float64()*2-1)*halfLat*shrink,
		Lng: restaurant.Lng + (r.Float64()*2-1)*halfLng*shrink,
	}
}

// benchIndex is a live index on the real Redis under a fresh prefix, removed at the end.
func benchIndex(b *testing.B) (*adapters.LiveIndex, *redis.Client) {
	b.Helper()
	c, err := redisdb.Connect(context.Background(), endpoints.Redis())
	if err != nil {
		b.Fatalf("real Redis not reachable (start it with `deploy/local/services.sh up redis`): %v", err)
	}
	prefix := fmt.Sprintf("bench:dispatch:%d:", rand.Int64())
	b.Cleanup(func() {
		ctx := context.Background()
		iter := c.Scan(ctx, 0, prefix+"*", 5000).Iterator()
		var keys []string
		for iter.Next(ctx) {
			if keys = append(keys, iter.Val()); len(keys) == 1000 {
				c.Unlink(ctx, keys...)
				keys = keys[:0]
			}
		}
		if len(keys) > 0 {
			c.Unlink(ctx, keys...)
		}
		_ = c.Close()
	})
	x := adapters.NewLiveIndex(c, prefix)
	return x, c
}

// populate puts n available drivers into x, 8 writers at a time.
func populate(b *testing.B, x *adapters.LiveIndex, n int) {
	b.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for w := range 8 {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(w), 1))
			vehicles := []domain.Vehicle{domain.VehicleBicycle, domain.VehicleScooter, domain.VehicleCar}
			for i := w; i < n; i += 8 {
				if _, err := x.GoOnline(context.Background(), fmt.Sprintf("d%d", i), vehicles[i%3], marketPoint(r, 1), time.Now()); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		b.Fatal(err)
	}
}

// BenchmarkMatching measures one matching decision with 10,000 online drivers: candidates
// from the H3 rings around a random pickup (this replica's memory), the ten best by
// estimated pickup time, and the atomic reservation of the best one (the offer). The
// reservation is released outside the measured time so the market stays the same.
//
//	go test -run '^$' -bench Matching -benchtime 2s ./adapters
func BenchmarkMatching(b *testing.B) {
	for _, n := range []int{10_000} {
		b.Run(fmt.Sprintf("drivers=%d", n), func(b *testing.B) {
			x, _ := benchIndex(b)
			populate(b, x, n)
			ctx := context.Background()
			r := rand.New(rand.NewPCG(42, 42))
			var lat []time.Duration
			var candidates, rings int
			i := 0
			for b.Loop() {
				pickup := marketPoint(r, 0.8)
				order := fmt.Sprintf("o%d", i)
				i++
				start := time.Now()
				cs, k, err := x.Best(ctx, pickup, 10, 10, nil)
				if err != nil {
					b.Fatal(err)
				}
				reserved := ""
				for _, c := range cs {
					if err := x.Reserve(ctx, order, c.DriverID, time.Now().Add(time.Minute)); err == nil {
						reserved = c.DriverID
						break
					}
				}
				lat = append(lat, time.Since(start))
				candidates, rings = candidates+len(cs), rings+k
				if reserved == "" {
					b.Fatalf("no driver reserved among %d candidates", len(cs))
				}
				b.StopTimer()
				if err := x.Release(ctx, order, reserved); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
			}
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
			b.ReportMetric(float64(lat[min(len(lat)-1, len(lat)*99/100)].Microseconds()), "p99-µs")
			b.ReportMetric(float64(candidates)/float64(len(lat)), "candidates/op")
			b.ReportMetric(float64(rings)/float64(len(lat)), "rings/op")
		})
	}
}

// BenchmarkInMemoryMatching measures the matching read alone on one replica's
// in-memory index with 100,000 available drivers in the 30 km market, 8 goroutines
// (the bench's clients): rank=all is every candidate from the H3 rings around a random
// pickup ranked by pickup time (the way it was), best=10 the ten best of the same
// candidates through DriverIndex.Best (a bounded heap, the caller's buffer reused).
//
//	go test -run '^$' -bench InMemoryMatching -benchmem ./adapters
func BenchmarkInMemoryMatching(b *testing.B) {
	x := adapters.NewDriverIndex()
	r := rand.New(rand.NewPCG(1, 1))
	vehicles := []domain.Vehicle{domain.VehicleBicycle, domain.VehicleScooter, domain.VehicleCar}
	for i := range 100_000 {
		x.ApplyState(adapters.DriverState{DriverID: fmt.Sprintf("d%d", i), Ver: 1, Status: domain.DriverAvailable,
			Vehicle: vehicles[i%3], At: marketPoint(r, 1), AtTime: time.Now()})
	}
	b.Run("rank=all", func(b *testing.B) {
		b.SetParallelism(4) // 8 goroutines on 2 cores
		b.ReportAllocs()
		defer reportCPU(b)()
		b.RunParallel(func(pb *testing.PB) {
			r := rand.New(rand.NewPCG(rand.Uint64(), 2))
			for pb.Next() {
				pickup := marketPoint(r, 0.66)
				cs, _ := x.Candidates(pickup, 10)
				domain.RankByPickupTime(pickup, cs)
			}
		})
	})
	b.Run("best=10", func(b *testing.B) {
		b.SetParallelism(4)
		b.ReportAllocs()
		defer reportCPU(b)()
		b.RunParallel(func(pb *testing.PB) {
			r := rand.New(rand.NewPCG(rand.Uint64(), 2))
			buf := make([]domain.Candidate, 0, 10)
			for pb.Next() {
				pickup := marketPoint(r, 0.66)
				buf, _ = x.Best(pickup, 10, 10, nil, buf)
			}
		})
	})
}

// reportCPU reports the process's CPU time (user + system, from getrusage) per op: on a
// shared machine wall time per op says more about the neighbours than about the code.
//
//	defer reportCPU(b)()
func reportCPU(b *testing.B) func() {
	start := processCPU()
	return func() {
		if b.N > 0 {
			b.ReportMetric(float64((processCPU()-start).Microseconds())/float64(b.N), "cpu-µs/op")
		}
	}
}

func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
