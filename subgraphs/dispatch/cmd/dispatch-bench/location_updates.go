package main

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/dizhtime/dizhtime/events/kafka"
	"github.com/dizhtime/dizhtime/subgraphs/dispatch/adapters"
	"github.com/dizhtime/dizhtime/subgraphs/dispatch/app"
	"github.com/dizhtime/dizhtime/subgraphs/dispatch/domain"
)

// locationOnlyStore satisfies app.Store for the location path, which never touches
// PostgreSQL (any call would panic on the nil interface and end the benchmark).
type locationOnlyStore struct{ app.Store }

// locationUpdates compares updateLocation's application path, each fix followed until
// another replica's index has read it from driver.location, with GEOADD.
func locationUpdates(ctx context.Context, rdb *redis.Client, redisPID int, brokers []string, x *adapters.LiveIndex, geoKey string, n int, phase time.Duration, clients, rounds int) error {
	topic := fmt.Sprintf("bench.%d.driver.location", rand.Int64())
	if err := kafka.EnsureTopics(ctx, brokers, kafka.TopicSpec{Name: topic, Partitions: 3}); err != nil {
		return err
	}
	defer deleteTopic(brokers, topic)
	quiet := slog.New(slog.DiscardHandler)
	scfg := adapters.DefaultLocationStreamConfig()
	// This replica's own index takes each fix as it is published, as in the service.
	scfg.Topic, scfg.Local = topic, x.Drivers
	if locationBatch > 0 {
		scfg.BatchSize, scfg.MaxInFlight = locationBatch, 0
	}
	if locationCompression != "none" {
		if err := scfg.Compression.UnmarshalText([]byte(locationCompression)); err != nil {
			return fmt.Errorf("-location-compression: %w", err)
		}
	}
	fmt.Printf("location stream: batches of up to %d fixes, %s linger, compression %s\n", scfg.BatchSize, scfg.BatchTimeout, locationCompression)
	stream, err := adapters.NewLocationStream(brokers, scfg, quiet)
	if err != nil {
		return err
	}
	// Replica B: its own index, fed only from the topic (its drivers' statuses copied
	// from the market, as its status feed would bring them, so that it can match).
	other := adapters.NewDriverIndex()
	{
		r := rand.New(rand.NewPCG(7, 7))
		vehicles := []domain.Vehicle{domain.VehicleBicycle, domain.VehicleScooter, domain.VehicleCar}
		for i := range n {
			other.ApplyState(adapters.DriverState{DriverID: "drv-" + strconv.Itoa(i), Ver: 1, Status: domain.DriverAvailable,
				Vehicle: vehicles[i%3], At: randomPoint(r, 1), AtTime: time.Now().Add(-time.Minute)})
		}
	}
	fcfg := adapters.DefaultLocationFeedConfig()
	fcfg.Topic = topic
	feed, err := adapters.NewLocationFeed(brokers, other, fcfg, quiet)
	if err != nil {
		return err
	}
	// This replica reads the topic too (as every replica does), into its own index: the
	// fixes it took itself come back as no-ops (the stream applied them as published).
	ownFeed, err := adapters.NewLocationFeed(brokers, x.Drivers, fcfg, quiet)
	if err != nil {
		return err
	}
	runCtx, stop := context.WithCancel(ctx)
	streamDone, feedDone, ownDone := make(chan error, 1), make(chan error, 1), make(chan error, 1)
	go func() { streamDone <- stream.Run(runCtx) }()
	go func() { feedDone <- feed.Run(runCtx) }()
	go func() { ownDone <- ownFeed.Run(runCtx) }()
	defer func() { stop(); <-streamDone; <-feedDone; <-ownDone }()
	if err := waitUntil("both location feeds started", func() bool { return feed.CaughtUp() && ownFeed.CaughtUp() }); err != nil {
		return err
	}
	// Fix -> other replica's index latency, from every fix the index applies.
	follow := other.Follow("", 1<<16)
	defer follow.Close()
	reach := newRecorder()
	go func() {
		for {
			select {
			case <-runCtx.Done():
				return
			case loc := <-follow.C:
				reach.add(time.Since(loc.Time))
			}
		}
	}()

	a, err := app.New(locationOnlyStore{}, x, app.DefaultConfig(), quiet, app.WithLocationPublisher(stream))
	if err != nil {
		return err
	}
	// Clients hold back while two full produce batches wait in the stream's queue (the
	// writer holds at most MaxInFlight more): the
	// figure is the rate the pipeline sustains with every fix delivered, not how fast
	// fixes can be dropped (a full queue drops, and the bench reports drops), and a fix's
	// time to the index stays that of a saturated pipeline, not of a queue seconds deep.
	update := func(ctx context.Context, r *rand.Rand) error {
		for stream.Backlog()-stream.InFlight() > 2*scfg.BatchSize {
			time.Sleep(200 * time.Microsecond)
		}
		id := "drv-" + strconv.Itoa(r.IntN(n))
		_, err := a.UpdateLocation(ctx, id, randomPoint(r, 1))
		return err
	}
	// A round ends when every fix it enqueued is in the other index (or written off).
	drained := func(ctx context.Context) error {
		deadline := time.Now().Add(60 * time.Second)
		for {
			st := stream.Stats()
			if feed.Stats().Read >= st.Enqueued-st.Failed {
				return nil
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("after 60 s the other replica has read %d of %d fixes", feed.Stats().Read, st.Enqueued-st.Failed)
			}
			time.Sleep(time.Millisecond)
		}
	}
	geoadd := func(ctx context.Context, r *rand.Rand) error {
		p := randomPoint(r, 1)
		return rdb.GeoAdd(ctx, geoKey, &redis.GeoLocation{Name: "drv-" + strconv.Itoa(r.IntN(n)), Longitude: p.Lng, Latitude: p.Lat}).Err()
	}
	res, err := compare(ctx, redisPID, phase, clients, rounds,
		system{name: "location updates (updateLocation: validate, append to driver.location; each round until the other replica's index read every fix)", op: update, after: drained},
		system{name: "baseline GEOADD", op: geoadd})
	if err != nil {
		return err
	}
	st, fs := stream.Stats(), feed.Stats()
	fmt.Printf("  reaching the other replica's index: %.0f updates/s (%d of %d calls read back; dropped at a full queue %d, failed to publish %d, unreadable %d); updateLocation -> index %s, follower lost %d\n",
		float64(fs.Read)/res[0].elapsed.Seconds(), fs.Read, res[0].ops, st.Dropped, st.Failed, fs.Unreadable, reach, follow.Lost())
	// The broker and Redis are shared with whatever else runs on the machine: their CPU
	// in the GEOADD rounds (which send Kafka nothing, alternated with ours) is the
	// background rate, taken off theirs in our rounds.
	net := func(ours, base time.Duration) time.Duration {
		bg := time.Duration(float64(base) / res[1].elapsed.Seconds() * res[0].elapsed.Seconds())
		return max(0, ours-bg)
	}
	kafkaNet, redisNet := net(res[0].kafkaCPU, res[1].kafkaCPU), net(res[0].redisCPU, 0)
	total := res[0].clientCPU + kafkaNet + redisNet
	fmt.Printf("  path: this process calls app.UpdateLocation (no router, no HTTP) -> LocationStream -> Kafka (%d partitions) -> LocationFeed -> the other replica's DriverIndex -> its followers (tracking subscribers read those), this replica's own index fed as well; CPU per update: this process (clients, stream, both feeds, both indexes) %s, Kafka broker %s net of its background (%.2f CPUs in the GEOADD rounds), Redis %s; all processes %s per update = %.0f updates/s per CPU-second\n",
		3, perOp(res[0].clientCPU, res[0].ops), perOp(kafkaNet, res[0].ops), res[1].kafkaCPU.Seconds()/res[1].elapsed.Seconds(), perOp(redisNet, res[0].ops), perOp(total, res[0].ops), float64(res[0].ops)/total.Seconds())
	if fs.Read+st.Dropped+st.Failed != res[0].ops {
		fmt.Printf("  WARNING: %d calls, %d read + %d dropped + %d failed\n", res[0].ops, fs.Read, st.Dropped, st.Failed)
	}

	// Matching on the replica the feed writes: the same matches with and without fixes
	// flowing in (the feed takes the index's write lock for each fix; a match holds the
	// read lock for its whole scan).
	match := func(ctx context.Context, r *rand.Rand) error {
		other.Best(randomPoint(r, 0.66), 10, 10, nil, nil)
		return nil
	}
	matchers := max(1, clients/4)
	for _, feeding := range []bool{false, true} {
		lat := newRecorder()
		read0, t0 := feed.Stats().Read, time.Now()
		err := parallel(2, func(w int) error {
			if w == 0 {
				_, err := timed(phase, matchers, lat, true, match)
				return err
			}
			if feeding {
				_, err := timed(phase, clients, newRecorder(), false, update)
				return err
			}
			return nil
		})
		if err != nil {
			return err
		}
		if err := drained(ctx); err != nil {
			return err
		}
		what := "no fixes arriving"
		if feeding {
			what = fmt.Sprintf("%d clients updating locations: %.0f fixes/s applied to it", clients, float64(feed.Stats().Read-read0)/time.Since(t0).Seconds())
		}
		fmt.Printf("  matching on the fed replica, %d clients, %s: latency %s; load %s\n", matchers, what, lat, loadavg())
	}
	return nil
}
