package service_test

import (
	"context"
	"crypto/rand"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"

	"github.com/dizhtime/dizhtime/platform/authz"
	"github.com/dizhtime/dizhtime/platform/endpoints"
	"github.com/dizhtime/dizhtime/platform/lifecycle"
	"github.com/dizhtime/dizhtime/platform/postgres"
	"github.com/dizhtime/dizhtime/platform/redisdb"
	"github.com/dizhtime/dizhtime/subgraphs/dispatch/app"
	"github.com/dizhtime/dizhtime/subgraphs/dispatch/domain"
	"github.com/dizhtime/dizhtime/subgraphs/dispatch/service"
)

// replicaSet is one dispatch deployment (one database, Redis prefix and driver.location
// topic) whose replicas start and stop independently, each with its own in-memory index.
type replicaSet struct {
	cfg  service.Config
	pool *pgxpool.Pool
	rdb  *redis.Client
}

type replica struct {
	component
	stop func()
}

func newReplicaSet(t *testing.T) *replicaSet {
	t.Helper()
	ctx := context.Background()
	admin, err := postgres.Open(ctx, endpoints.Postgres())
	if err != nil {
		t.Fatalf("PostgreSQL not reachable: %v", err)
	}
	t.Cleanup(admin.Close)
	schema := "test_dispatch_" + strings.ToLower(rand.Text()[:10])
	if _, err := admin.Exec(ctx, `CREATE SCHEMA `+schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _, _ = admin.Exec(context.Background(), `DROP SCHEMA `+schema+` CASCADE`) })
	pool, err := postgres.Open(ctx, endpoints.Postgres(), func(c *pgxpool.Config) { c.ConnConfig.RuntimeParams["search_path"] = schema })
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	rdb, err := redisdb.Connect(ctx, endpoints.Redis())
	if err != nil {
		t.Fatalf("real Redis not reachable: %v", err)
	}
	t.Cleanup(func() { _ = rdb.Close() })
	cfg := service.DefaultConfig()
	cfg.RedisKeyPrefix = "test:" + schema + ":"
	cfg.ConsumerGroup = "test-dispatch-" + schema
	cfg.LocationTopic = "test." + schema + ".driver.location"
	t.Cleanup(func() {
		deleteTopic(cfg.KafkaBrokers, cfg.LocationTopic)
		iter := rdb.Scan(context.Background(), 0, cfg.RedisKeyPrefix+"*", 1000).Iterator()
		for iter.Next(context.Background()) {
			rdb.Del(context.Background(), iter.Val())
		}
	})
	return &replicaSet{cfg: cfg, pool: pool, rdb: rdb}
}

// start boots a replica with its live index running and ready (states snapshot loaded,
// driver.location read up to date).
func (s *replicaSet) start(t *testing.T) replica {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	svc, err := service.New(ctx, s.cfg, s.pool, s.rdb, nil)
	if err != nil {
		t.Fatal(err)
	}
	loops, err := svc.LiveComponents(ctx)
	if err != nil {
		t.Fatalf("Kafka not usable: %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- lifecycle.Run(ctx, slog.Default(), 5*time.Second, loops...) }()
	srv := httptest.NewServer(svc.Handler)
	stopped := false
	stop := func() {
		if !stopped {
			stopped = true
			srv.Close()
			cancel()
			<-done
		}
	}
	t.Cleanup(stop)
	for deadline := time.Now().Add(30 * time.Second); svc.LiveIndexReady(ctx) != nil; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("replica not ready within 30 s: %v", svc.LiveIndexReady(ctx))
		}
	}
	return replica{component: component{svc: svc, url: srv.URL + "/query", cfg: s.cfg}, stop: stop}
}

// sees waits until r's index has driverID among the candidates near p, within 30 m of p.
func (r replica) sees(t *testing.T, driverID string, p domain.Point) {
	t.Helper()
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		cs, _, _ := r.svc.Live.Candidates(context.Background(), p, 1)
		for _, c := range cs {
			if c.DriverID == driverID && domain.DistanceMeters(c.At, p) < 30 {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s not seen near %v within 15 s (candidates %v)", driverID, p, cs)
		}
	}
}

func loc(p domain.Point) map[string]any {
	return map[string]any{"l": map[string]any{"lat": p.Lat, "lng": p.Lng}}
}

var (
	pickup  = domain.Point{Lat: restaurant.Lat, Lng: restaurant.Lng}
	farAway = domain.Point{Lat: restaurant.Lat + 0.05, Lng: restaurant.Lng} // ~5.5 km north: beyond matching's rings
)

func TestTwoReplicas_eachSeesACourierWhoseFixesWentThroughTheOther(t *testing.T) {
	set := newReplicaSet(t)
	a, b := set.start(t), set.start(t)
	driver := headers("drv-1", authz.RoleDriver)
	a.mustDo(t, driver, `mutation($l: LocationInput!) { goOnline(location: $l, vehicle: SCOOTER) { id } }`, loc(farAway))
	b.sees(t, "drv-1", farAway) // the state change, through the Redis states channel

	near := domain.Point{Lat: restaurant.Lat + 0.003, Lng: restaurant.Lng}
	a.mustDo(t, driver, `mutation($l: LocationInput!) { updateLocation(location: $l) { id } }`, loc(near))
	b.sees(t, "drv-1", near) // the fix, through driver.location
	a.sees(t, "drv-1", near) // and on the replica that took it, through the same stream

	nearer := domain.Point{Lat: restaurant.Lat + 0.001, Lng: restaurant.Lng}
	b.mustDo(t, driver, `mutation($l: LocationInput!) { updateLocation(location: $l) { id } }`, loc(nearer))
	a.sees(t, "drv-1", nearer)
	if st := a.svc.Locations.Stats(); st.Dropped != 0 || st.Failed != 0 {
		t.Fatalf("replica a's location stream: %+v", st)
	}
}

func TestARestartedReplica_rebuildsItsIndexFromDriverLocationAndTheRedisSnapshot_andMatches(t *testing.T) {
	set := newReplicaSet(t)
	a, b := set.start(t), set.start(t)
	driver := headers("drv-1", authz.RoleDriver)
	a.mustDo(t, driver, `mutation($l: LocationInput!) { goOnline(location: $l, vehicle: SCOOTER) { id } }`, loc(farAway))
	near := domain.Point{Lat: restaurant.Lat + 0.002, Lng: restaurant.Lng}
	a.mustDo(t, driver, `mutation($l: LocationInput!) { updateLocation(location: $l) { id } }`, loc(near))
	b.sees(t, "drv-1", near)

	b.stop()
	restarted := set.start(t) // an empty index: statuses from Redis, positions from the topic
	if live, ok := restarted.svc.Live.Known("drv-1"); !ok || live.Status != domain.DriverAvailable {
		t.Fatalf("restarted replica knows drv-1 as %+v (%v)", live, ok)
	}
	restarted.sees(t, "drv-1", near) // Redis only knows where drv-1 went online, far away

	// The restarted replica matches an order at the restaurant with drv-1, who accepts
	// on the other replica.
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	sub := a.svc.Live.Subscribe(ctx, a.svc.Live.OffersChannel("drv-1"))
	defer sub.Close()
	if _, err := sub.Receive(ctx); err != nil {
		t.Fatal(err)
	}
	go func() {
		if m, err := sub.ReceiveMessage(ctx); err == nil {
			order, _, _ := strings.Cut(m.Payload, "|")
			_ = a.svc.Live.Accept(ctx, order, "drv-1", time.Now())
		}
	}()
	m, err := app.NewMatcher(restarted.svc.Live, app.MatchConfig{Want: 3, OfferTimeout: 5 * time.Second, Attempts: 1, PollInterval: 10 * time.Millisecond}, nil)
	if err != nil {
		t.Fatal(err)
	}
	asg, err := m.Match(ctx, app.MatchRequest{OrderID: "ord-restart", Pickup: pickup})
	if err != nil || asg.DriverID != "drv-1" {
		t.Fatalf("match on the restarted replica: %+v %v", asg, err)
	}
	if holder, state, _ := a.svc.Live.OrderHolder(ctx, "ord-restart"); holder != "drv-1" || state != "ASSIGNED" {
		t.Fatalf("order holder %q %q", holder, state)
	}
}
