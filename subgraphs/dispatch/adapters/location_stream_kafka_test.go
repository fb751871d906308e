package adapters_test

import (
	"context"
	"crypto/rand"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/dizhtime/dizhtime/events"
	"github.com/dizhtime/dizhtime/events/contracts"
	"github.com/dizhtime/dizhtime/events/kafka"
	"github.com/dizhtime/dizhtime/platform/endpoints"
	"github.com/dizhtime/dizhtime/subgraphs/dispatch/adapters"
)

func TestLocationStream_dropsFixesInsteadOfBlockingWhenTheQueueIsFull(t *testing.T) {
	s, err := adapters.NewLocationStream([]string{"127.0.0.1:1"}, adapters.LocationStreamConfig{Topic: "driver.location", QueueSize: 2, BatchSize: 10, BatchTimeout: time.Millisecond}, nil)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	for range 5 {
		s.Publish(context.Background(), contracts.DriverLocationV1{DriverID: "d1", Lat: 41, Lng: 69, RecordedAt: time.Now()})
	}
	if st := s.Stats(); st.Enqueued != 2 || st.Dropped != 3 {
		t.Fatalf("stats %+v, want 2 enqueued and 3 dropped", st)
	}
	if time.Since(start) > 100*time.Millisecond {
		t.Fatalf("publishing to a stream nobody drains took %s", time.Since(start))
	}
	if !s.LosingSince(time.Minute) {
		t.Fatal("a stream that dropped fixes does not say it is losing them")
	}
	// Operators see the drops on /metrics.
	reg := prometheus.NewRegistry()
	if _, err := adapters.NewMetrics(reg, s, nil, nil); err != nil {
		t.Fatal(err)
	}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, mf := range mfs {
		if mf.GetName() != "dizhtime_dispatch_location_fixes_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			got[m.GetLabel()[0].GetValue()] = m.GetCounter().GetValue()
		}
	}
	if got["dropped"] != 3 || got["enqueued"] != 2 || got["failed"] != 0 {
		t.Fatalf("dizhtime_dispatch_location_fixes_total %v, want dropped 3, enqueued 2, failed 0", got)
	}
}

func TestLocationStream_publishesEachFixToDriverLocationKeyedByTheDriverAndFlushesOnStop(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	brokers := endpoints.Kafka()
	if err := kafka.EnsureTopics(ctx, brokers, kafka.TopicSpec{Name: contracts.TypeDriverLocation, Partitions: 3}); err != nil {
		t.Fatalf("Kafka at %v not usable (start it with `deploy/local/services.sh up kafka`): %v", brokers, err)
	}
	s, err := adapters.NewLocationStream(brokers, adapters.DefaultLocationStreamConfig(), nil)
	if err != nil {
		t.Fatal(err)
	}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- s.Run(runCtx) }()
	driver := "drv-stream-" + rand.Text()[:10]
	for i := range 3 {
		s.Publish(ctx, contracts.DriverLocationV1{DriverID: driver, Lat: 41.3 + float64(i)/1000, Lng: 69.28, OrderID: "ord-1", RecordedAt: time.Now().UTC()})
	}
	stop() // whatever is queued is flushed before Run returns
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if st := s.Stats(); st.Enqueued != 3 || st.Dropped != 0 || st.Failed != 0 {
		t.Fatalf("stats %+v", st)
	}
	var got []contracts.DriverLocationV1
	partitions := map[int]bool{}
	err = kafka.ReadToEnd(ctx, brokers, contracts.TypeDriverLocation, func(m kafka.Message) error {
		e, err := events.FromMessage(m)
		if err != nil || e.Subject != driver {
			return nil
		}
		var p contracts.DriverLocationV1
		if err := e.Decode(&p); err != nil {
			return err
		}
		if e.Version != 1 || e.Source != "dispatch" || string(m.Key) != driver {
			t.Errorf("envelope %+v key %q", e, m.Key)
		}
		partitions[m.Partition] = true
		got = append(got, p)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || len(partitions) != 1 || got[0].Lat != 41.3 || got[2].Lat != 41.302 || got[1].OrderID != "ord-1" {
		t.Fatalf("driver.location read back: %+v on partitions %v, want the 3 fixes in order on one partition", got, partitions)
	}
}

// The writer's own queue is unbounded: the stream hands it at most MaxInFlight fixes
// not yet acknowledged, so a burst faster than Kafka acknowledges waits in the stream's
// bounded queue and beyond it is dropped and counted, and every fix enqueued is on the
// topic after Run stops.
func TestLocationStream_boundsTheFixesTheWriterHoldsAndDeliversEveryFixItTook(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	brokers, topic := freshLocationTopic(ctx, t)
	cfg := adapters.LocationStreamConfig{Topic: topic, QueueSize: 500, BatchSize: 50, BatchTimeout: 5 * time.Millisecond, MaxInFlight: 100}
	s, err := adapters.NewLocationStream(brokers, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- s.Run(runCtx) }()
	var most atomic.Int64
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		for runCtx.Err() == nil {
			if n := int64(s.InFlight()); n > most.Load() {
				most.Store(n)
			}
			time.Sleep(20 * time.Microsecond)
		}
	}()
	const fixes = 20000
	for i := range fixes {
		s.Publish(ctx, contracts.DriverLocationV1{DriverID: "drv-" + strconv.Itoa(i%300), Lat: 41.3, Lng: 69.28, RecordedAt: time.Now().UTC()})
	}
	for s.Backlog() > 0 && ctx.Err() == nil {
		time.Sleep(time.Millisecond)
	}
	stop()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	<-sampled
	st := s.Stats()
	if st.Enqueued+st.Dropped != fixes || st.Failed != 0 {
		t.Fatalf("stats %+v: want enqueued + dropped = %d, none failed", st, fixes)
	}
	if m := most.Load(); m > int64(cfg.MaxInFlight) || m == 0 {
		t.Fatalf("the writer held up to %d fixes at once, want between 1 and MaxInFlight %d", m, cfg.MaxInFlight)
	}
	read := int64(0)
	if err := kafka.ReadToEnd(ctx, brokers, topic, func(kafka.Message) error { read++; return nil }); err != nil {
		t.Fatal(err)
	}
	if read != st.Enqueued {
		t.Fatalf("%d fixes on the topic, %d enqueued", read, st.Enqueued)
	}
	t.Logf("%d fixes published in a burst: %d enqueued and delivered, %d dropped; the writer held at most %d", fixes, st.Enqueued, st.Dropped, most.Load())
}

// The replica that took a fix hands it to its own index at once (its trackers do not
// wait for the Kafka round trip), reads it back from driver.location without handing it
// to anyone twice, and the other replicas still learn it from the topic.
func TestLocationStream_feedsItsOwnIndexAtOnceAndTheOthersThroughTheTopic(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	brokers, topic := freshLocationTopic(ctx, t)
	own, other := adapters.NewDriverIndex(), adapters.NewDriverIndex()
	scfg := adapters.DefaultLocationStreamConfig()
	scfg.Topic, scfg.Local = topic, own
	s, err := adapters.NewLocationStream(brokers, scfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	fcfg := adapters.DefaultLocationFeedConfig()
	fcfg.Topic = topic
	var feeds []*adapters.LocationFeed
	for _, x := range []*adapters.DriverIndex{own, other} {
		f, err := adapters.NewLocationFeed(brokers, x, fcfg, nil)
		if err != nil {
			t.Fatal(err)
		}
		feeds = append(feeds, f)
	}
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	go func() { _ = s.Run(runCtx) }()
	for _, f := range feeds {
		go func() { _ = f.Run(runCtx) }()
	}
	for _, f := range feeds {
		for !f.CaughtUp() {
			if ctx.Err() != nil {
				t.Fatal("location feed did not start")
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	ownFixes, otherFixes := own.Follow("drv-1", 16), other.Follow("drv-1", 16)
	at := time.Now().UTC()
	lats := []float64{41.30, 41.31, 41.32}
	for i, lat := range lats {
		s.Publish(ctx, contracts.DriverLocationV1{DriverID: "drv-1", Lat: lat, Lng: 69.28, RecordedAt: at.Add(time.Duration(i) * time.Millisecond)})
	}
	// At once, in order, before anything went through Kafka.
	for _, lat := range lats {
		select {
		case loc := <-ownFixes.C:
			if loc.At.Lat != lat {
				t.Fatalf("own index handed %v, want lat %v", loc.At, lat)
			}
		default:
			t.Fatalf("own index has not handed lat %v on Publish's return", lat)
		}
	}
	for _, lat := range lats {
		select {
		case loc := <-otherFixes.C:
			if loc.At.Lat != lat {
				t.Fatalf("the other replica handed %v, want lat %v", loc.At, lat)
			}
		case <-ctx.Done():
			t.Fatal("the other replica never read the fixes")
		}
	}
	for feeds[0].Stats().Read < int64(len(lats)) && ctx.Err() == nil {
		time.Sleep(time.Millisecond)
	}
	select {
	case loc := <-ownFixes.C:
		t.Fatalf("own index handed %v again when it read it back from the topic", loc)
	case <-time.After(100 * time.Millisecond):
	}
	if fixes, _ := own.Applied(); fixes != int64(len(lats)) {
		t.Fatalf("own index applied %d fixes, want %d (its own read back are not new)", fixes, len(lats))
	}
	if live, _, _ := own.Known("drv-1"); live.At.Lat != 41.32 {
		t.Fatalf("own index holds %v, want the last fix", live.At)
	}
}

// freshLocationTopic is the test Kafka's brokers and a driver.location topic of the test's
// own (3 partitions), created.
func freshLocationTopic(ctx context.Context, t *testing.T) ([]string, string) {
	t.Helper()
	brokers := endpoints.Kafka()
	topic := "test." + rand.Text()[:10] + ".driver.location"
	if err := kafka.EnsureTopics(ctx, brokers, kafka.TopicSpec{Name: topic, Partitions: 3}); err != nil {
		t.Fatalf("Kafka at %v not usable: %v", brokers, err)
	}
	return brokers, topic
}
