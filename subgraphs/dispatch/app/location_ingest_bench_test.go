package app_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dizhtime/dizhtime/events/contracts"
	"github.com/dizhtime/dizhtime/events/kafka"
	"github.com/dizhtime/dizhtime/platform/endpoints"
	"github.com/dizhtime/dizhtime/platform/redisdb"
	"github.com/dizhtime/dizhtime/subgraphs/dispatch/adapters"
	"github.com/dizhtime/dizhtime/subgraphs/dispatch/app"
	"github.com/dizhtime/dizhtime/subgraphs/dispatch/domain"
)

// locationOnlyStore satisfies app.Store for the location path, which never touches
// PostgreSQL (any call would panic on the nil interface and fail the benchmark).
type locationOnlyStore struct{ app.Store }

// BenchmarkLocationIngest measures updateLocation's application path (the Redis ping
// script that moves the driver between H3 cells and feeds the tracking channel, then the
// enqueue for driver.location) with 1,000 online drivers pinging concurrently, against
// the real Redis and, with publishing on, the real Kafka. It reports updates/s, and with
// publishing on how many fixes the stream dropped or failed to publish (after a flush).
//
//	go test -run '^$' -bench LocationIngest -benchtime 2s ./app
func BenchmarkLocationIngest(b *testing.B) {
	for _, publishing := range []bool{false, true} {
		b.Run(fmt.Sprintf("publishing=%v", publishing), func(b *testing.B) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			rdb, err := redisdb.Connect(ctx, endpoints.Redis())
			if err != nil {
				b.Fatalf("real Redis not reachable (start it with `deploy/local/services.sh up redis`): %v", err)
			}
			defer rdb.Close()
			prefix := fmt.Sprintf("bench:ingest:%d:", rand.Int64())
			defer func() {
				iter := rdb.Scan(context.Background(), 0, prefix+"*", 5000).Iterator()
				for iter.Next(context.Background()) {
					rdb.Unlink(context.Background(), iter.Val())
				}
			}()
			live := adapters.NewLiveIndex(rdb, prefix)
			var opts []app.Option
			var stream *adapters.LocationStream
			streamDone := make(chan error, 1)
			if publishing {
				brokers := endpoints.Kafka()
				if err := kafka.EnsureTopics(ctx, brokers, kafka.TopicSpec{Name: contracts.TypeDriverLocation, Partitions: 3}); err != nil {
					b.Fatalf("Kafka at %v not usable (start it with `deploy/local/services.sh up kafka`): %v", brokers, err)
				}
				stream, err = adapters.NewLocationStream(brokers, adapters.DefaultLocationStreamConfig(), nil)
				if err != nil {
					b.Fatal(err)
				}
				streamCtx, stop := context.WithCancel(ctx)
				go func() { streamDone <- stream.Run(streamCtx) }()
				defer stop()
				opts = append(opts, app.WithLocationPublisher(stream))
			}
			a, err := app.New(locationOnlyStore{}, live, app.DefaultConfig(), nil, opts...)
			if err != nil {
				b.Fatal(err)
			}
			const drivers = 1000
			for i := range drivers {
				if _, err := live.GoOnline(ctx, fmt.Sprintf("d%d", i), domain.VehicleScooter, near(float64(i)), time.Now()); err != nil {
					b.Fatal(err)
				}
			}
			var seq atomic.Int64
			b.SetParallelism(16) // phones are many; Redis round trips, not CPU, bound one caller
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				r := rand.New(rand.NewPCG(uint64(seq.Add(1)), 7))
				for pb.Next() {
					id := fmt.Sprintf("d%d", r.IntN(drivers))
					p := domain.Point{Lat: restaurant.Lat + (r.Float64()-0.5)*0.1, Lng: restaurant.Lng + (r.Float64()-0.5)*0.1}
					if _, err := a.UpdateLocation(ctx, id, p); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.StopTimer()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "updates/s")
			if stream != nil {
				cancel()
				if err := <-streamDone; err != nil {
					b.Fatal(err)
				}
				st := stream.Stats()
				if st.Failed > 0 {
					b.Fatalf("driver.location: %d of %d fixes failed to publish", st.Failed, st.Enqueued)
				}
				b.ReportMetric(float64(st.Dropped), "dropped")
			}
		})
	}
}
