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
	scfg.Topic = topic
	stream, err := adapters.NewLocationStream(brokers, scfg, quiet)
	if err != nil {
		return err
	}
	// Replica B: its own index, fed only from the topic.
	other := adapters.NewDriverIndex()
	fcfg := adapters.DefaultLocationFeedConfig()
	fcfg.Topic = topic
	feed, err := adapters.NewLocationFeed(brokers, other, fcfg, quiet)
	if err != nil {
		return err
	}
	runCtx, stop := context.WithCancel(ctx)
	streamDone, feedDone := make(chan error, 1), make(chan error, 1)
	go func() { streamDone <- stream.Run(runCtx) }()
	go func() { feedDone <- feed.Run(runCtx) }()
	defer func() { stop(); <-streamDone; <-feedDone }()
	for deadline := time.Now().Add(30 * time.Second); !feed.CaughtUp(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			return fmt.Errorf("location feed did not start")
		}
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
	// Clients hold back while the stream's queue is three-quarters full: the figure is
	// the rate the pipeline sustains with every fix delivered, not how fast fixes can be
	// dropped (a full queue drops, and the bench reports drops).
	update := func(ctx context.Context, r *rand.Rand) error {
		for stream.Backlog() > scfg.QueueSize*3/4 {
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
	if fs.Read+st.Dropped+st.Failed != res[0].ops {
		fmt.Printf("  WARNING: %d calls, %d read + %d dropped + %d failed\n", res[0].ops, fs.Read, st.Dropped, st.Failed)
	}
	return nil
}
