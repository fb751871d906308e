// Command dispatch-bench measures the live index on a loopback Redis: location updates
// ingested per second, matching latency with N online drivers against a plain
// GEOSEARCH BYRADIUS baseline, and fan-out latency from a location update to a tracking
// subscriber. It is bounded (a few seconds per phase) and cleans its keys up.
//
//	go run ./cmd/dispatch-bench                       # real Redis at DIZHTIME_REDIS_ADDR
//	go run ./cmd/dispatch-bench -embedded             # miniredis in-process
//	go run ./cmd/dispatch-bench -drivers 10000,100000 -phase 3s
package main

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/dizhtime/dizhtime/platform/endpoints"
	"github.com/dizhtime/dizhtime/platform/redisdb"
	"github.com/dizhtime/dizhtime/subgraphs/dispatch/adapters"
	"github.com/dizhtime/dizhtime/subgraphs/dispatch/domain"
)

// The market: a 30 km × 30 km box around Tashkent's centre.
var (
	centre  = domain.Point{Lat: 41.3111, Lng: 69.2797}
	halfLat = 15.0 / 111.195
	halfLng = 15.0 / (111.195 * 0.7513) // cos(41.3°)
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "dispatch-bench:", err)
		os.Exit(1)
	}
}

func run() error {
	embedded := flag.Bool("embedded", false, "use an in-process miniredis instead of DIZHTIME_REDIS_ADDR")
	driverCounts := flag.String("drivers", "10000,100000", "online driver counts to measure matching with")
	phase := flag.Duration("phase", 3*time.Second, "duration of each measured phase")
	workers := flag.Int("workers", 4, "concurrent clients for throughput phases")
	tracked := flag.Int("tracked", 100, "tracked orders (WebSocket clients) in the GraphQL fan-out phase; 0 skips it")
	flag.Parse()
	if *phase > time.Minute {
		return fmt.Errorf("-phase %s: at most 1m", *phase)
	}

	addr := endpoints.Redis()
	if *embedded {
		e, err := redisdb.StartEmbedded("127.0.0.1:0")
		if err != nil {
			return err
		}
		defer e.Close()
		addr = e.Addr()
	}
	if host, _, err := net.SplitHostPort(addr); err != nil || !(host == "127.0.0.1" || host == "localhost" || host == "::1") {
		return fmt.Errorf("redis %s: the benchmark runs on loopback only", addr)
	}
	ctx := context.Background()
	rdb, err := redisdb.Connect(ctx, addr)
	if err != nil {
		return err
	}
	defer rdb.Close()
	fmt.Printf("redis %s (embedded=%v), phase %s, %d workers\n\n", addr, *embedded, *phase, *workers)

	for _, s := range strings.Split(*driverCounts, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 || n > 1_000_000 {
			return fmt.Errorf("-drivers %q: want counts between 1 and 1,000,000", s)
		}
		if err := market(ctx, rdb, n, *phase, *workers, *embedded); err != nil {
			return err
		}
	}
	if err := fanOut(ctx, rdb, *phase); err != nil {
		return err
	}
	if *tracked <= 0 {
		return nil
	}
	if *tracked > 1000 {
		return fmt.Errorf("-tracked %d: at most 1000", *tracked)
	}
	pg := endpoints.Postgres()
	if !strings.Contains(pg, "127.0.0.1") && !strings.Contains(pg, "localhost") {
		return fmt.Errorf("postgres %s: the benchmark runs on loopback only", pg)
	}
	return graphqlFanOut(ctx, rdb, pg, *tracked, *phase)
}

func randomPoint(r *rand.Rand, shrink float64) domain.Point {
	return domain.Point{
		Lat: centre.Lat + (r.Float64()*2-1)*halfLat*shrink,
		Lng: centre.Lng + (r.Float64()*2-1)*halfLng*shrink,
	}
}

func newIndex(rdb *redis.Client) (*adapters.LiveIndex, func()) {
	prefix := fmt.Sprintf("bench:dispatch:%d:", rand.Int64())
	x := adapters.NewLiveIndex(rdb, prefix)
	x.PublishMap = false
	return x, func() {
		ctx := context.Background()
		iter := rdb.Scan(ctx, 0, prefix+"*", 5000).Iterator()
		var keys []string
		for iter.Next(ctx) {
			keys = append(keys, iter.Val())
			if len(keys) == 1000 {
				rdb.Unlink(ctx, keys...)
				keys = keys[:0]
			}
		}
		if len(keys) > 0 {
			rdb.Unlink(ctx, keys...)
		}
	}
}

func market(ctx context.Context, rdb *redis.Client, n int, phase time.Duration, workers int, embedded bool) error {
	x, cleanup := newIndex(rdb)
	defer cleanup()
	fmt.Printf("== %d online drivers in a 30 km box ==\n", n)

	// Fill: every driver goes online at a random point (concurrently, like pings).
	vehicles := []domain.Vehicle{domain.VehicleBicycle, domain.VehicleScooter, domain.VehicleCar}
	start := time.Now()
	var next atomic.Int64
	if err := parallel(workers, func(w int) error {
		r := rand.New(rand.NewPCG(uint64(w), 1))
		for {
			i := next.Add(1) - 1
			if i >= int64(n) {
				return nil
			}
			if _, err := x.GoOnline(ctx, "drv-"+strconv.FormatInt(i, 10), vehicles[i%3], randomPoint(r, 1), time.Now()); err != nil {
				return err
			}
		}
	}); err != nil {
		return err
	}
	fmt.Printf("online (fill): %d drivers in %s\n", n, time.Since(start).Round(time.Millisecond))

	// Location updates: random drivers move up to ~300 m, through the ping script.
	var pings atomic.Int64
	stop := time.Now().Add(phase)
	lat := newRecorder()
	if err := parallel(workers, func(w int) error {
		r := rand.New(rand.NewPCG(uint64(w), 2))
		for time.Now().Before(stop) {
			id := "drv-" + strconv.Itoa(r.IntN(n))
			p := randomPoint(r, 1)
			t0 := time.Now()
			if _, _, err := x.Ping(ctx, id, p, t0); err != nil {
				return err
			}
			lat.add(time.Since(t0))
			pings.Add(1)
		}
		return nil
	}); err != nil {
		return err
	}
	fmt.Printf("location updates: %.0f/s with %d clients (latency %s)\n", float64(pings.Load())/phase.Seconds(), workers, lat)

	// Matching: candidates from H3 rings + ranking by pickup time, vs GEOSEARCH 3 km.
	if !embedded {
		rdb.ConfigResetStat(ctx)
	}
	var sizes, rings atomic.Int64
	match := newRecorder()
	calls, err := timed(phase, 1, func(r *rand.Rand) error {
		pickup := randomPoint(r, 0.66)
		t0 := time.Now()
		cs, k, err := x.Candidates(ctx, pickup, 10)
		if err != nil {
			return err
		}
		domain.RankByPickupTime(pickup, cs)
		match.add(time.Since(t0))
		sizes.Add(int64(len(cs)))
		rings.Add(int64(k))
		return nil
	})
	if err != nil {
		return err
	}
	fmt.Printf("matching (H3 rings until 10 drivers are surely nearest, ranked by pickup time), 1 client: %s; candidates/query %.0f, rings read %.1f%s\n",
		match, float64(sizes.Load())/float64(calls), float64(rings.Load())/float64(calls), serverTime(ctx, rdb, embedded, "smembers")+" per SMEMBERS")
	if !embedded {
		rdb.ConfigResetStat(ctx)
	}
	matchTP, err := timed(phase, workers, func(r *rand.Rand) error {
		pickup := randomPoint(r, 0.66)
		cs, _, err := x.Candidates(ctx, pickup, 10)
		domain.RankByPickupTime(pickup, cs)
		return err
	})
	if err != nil {
		return err
	}
	fmt.Printf("matching throughput, %d clients: %.0f queries/s%s\n", workers, float64(matchTP)/phase.Seconds(), serverTime(ctx, rdb, embedded, "smembers")+" per SMEMBERS")

	if !embedded {
		rdb.ConfigResetStat(ctx)
	}
	geo := newRecorder()
	var geoHits atomic.Int64
	gcalls, err := timed(phase, 1, func(r *rand.Rand) error {
		pickup := randomPoint(r, 0.66)
		t0 := time.Now()
		res, err := rdb.GeoSearch(ctx, x.Prefix()+"geo", &redis.GeoSearchQuery{
			Longitude: pickup.Lng, Latitude: pickup.Lat, Radius: 3, RadiusUnit: "km", Sort: "ASC", Count: 10,
		}).Result()
		geo.add(time.Since(t0))
		geoHits.Add(int64(len(res)))
		return err
	})
	if err != nil {
		return err
	}
	fmt.Printf("baseline GEOSEARCH BYRADIUS 3 km ASC COUNT 10, 1 client: %s%s\n", geo, serverTime(ctx, rdb, embedded, "geosearch"))
	if !embedded {
		rdb.ConfigResetStat(ctx)
	}
	geoTP, err := timed(phase, workers, func(r *rand.Rand) error {
		pickup := randomPoint(r, 0.66)
		return rdb.GeoSearch(ctx, x.Prefix()+"geo", &redis.GeoSearchQuery{
			Longitude: pickup.Lng, Latitude: pickup.Lat, Radius: 3, RadiusUnit: "km", Sort: "ASC", Count: 10,
		}).Err()
	})
	if err != nil {
		return err
	}
	_ = gcalls
	fmt.Printf("baseline throughput, %d clients: %.0f queries/s%s\n\n", workers, float64(geoTP)/phase.Seconds(), serverTime(ctx, rdb, embedded, "geosearch"))
	return nil
}

// fanOut measures location update -> tracking subscriber over Redis pub/sub: 100 drivers
// on delivery, one subscriber connection on their 100 orders' tracking channels.
func fanOut(ctx context.Context, rdb *redis.Client, phase time.Duration) error {
	x, cleanup := newIndex(rdb)
	defer cleanup()
	const tracked = 100
	channels := make([]string, tracked)
	r := rand.New(rand.NewPCG(9, 9))
	for i := range tracked {
		id, order := fmt.Sprintf("drv-%d", i), fmt.Sprintf("ord-%d", i)
		if _, err := x.GoOnline(ctx, id, domain.VehicleScooter, randomPoint(r, 1), time.Now()); err != nil {
			return err
		}
		if err := x.Reserve(ctx, order, id, time.Now().Add(time.Minute)); err != nil {
			return err
		}
		if err := x.Accept(ctx, order, id, time.Now()); err != nil {
			return err
		}
		channels[i] = x.TrackingChannel(order)
	}
	sub := x.Subscribe(ctx, channels...)
	defer sub.Close()
	for range tracked {
		if _, err := sub.Receive(ctx); err != nil {
			return err
		}
	}
	var sent sync.Map // "driver|lat" -> time sent
	rec := newRecorder()
	var got atomic.Int64
	done := make(chan struct{})
	go func() {
		defer close(done)
		for msg := range sub.Channel() {
			f := strings.SplitN(msg.Payload, "|", 3)
			if t0, ok := sent.LoadAndDelete(f[0] + "|" + f[1]); ok {
				rec.add(time.Since(t0.(time.Time)))
				got.Add(1)
			}
		}
	}()
	// ~2,000 updates/s: each driver pings every 50 ms, far above a phone's 1-4 s.
	stop := time.Now().Add(phase)
	tick := time.NewTicker(500 * time.Microsecond)
	var seq int
	for time.Now().Before(stop) {
		<-tick.C
		i := seq % tracked
		seq++
		p := domain.Point{Lat: centre.Lat + float64(seq)*1e-6, Lng: centre.Lng}
		key := fmt.Sprintf("drv-%d|%s", i, strconv.FormatFloat(p.Lat, 'f', 6, 64))
		sent.Store(key, time.Now())
		if _, _, err := x.Ping(ctx, fmt.Sprintf("drv-%d", i), p, time.Now()); err != nil {
			return err
		}
	}
	tick.Stop()
	time.Sleep(200 * time.Millisecond)
	_ = sub.Close()
	<-done
	fmt.Printf("== fan-out ==\nlocation update -> tracking subscriber (Redis pub/sub, %d channels, %d updates): %s\n", tracked, got.Load(), rec)
	return nil
}

func serverTime(ctx context.Context, rdb *redis.Client, embedded bool, cmd string) string {
	if embedded {
		return ""
	}
	info, err := rdb.Info(ctx, "commandstats").Result()
	if err != nil {
		return ""
	}
	for _, line := range strings.Split(info, "\n") {
		if strings.HasPrefix(line, "cmdstat_"+cmd+":") {
			for _, f := range strings.Split(strings.TrimSpace(line), ",") {
				if v, ok := strings.CutPrefix(f, "usec_per_call="); ok {
					return "; server " + v + " µs/call"
				}
			}
		}
	}
	return ""
}

func parallel(n int, fn func(w int) error) error {
	var wg sync.WaitGroup
	errs := make([]error, n)
	for w := range n {
		wg.Go(func() { errs[w] = fn(w) })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// timed runs fn from workers goroutines for d and returns how many calls finished.
func timed(d time.Duration, workers int, fn func(r *rand.Rand) error) (int64, error) {
	var calls atomic.Int64
	stop := time.Now().Add(d)
	err := parallel(workers, func(w int) error {
		r := rand.New(rand.NewPCG(uint64(w), 3))
		for time.Now().Before(stop) {
			if err := fn(r); err != nil {
				return err
			}
			calls.Add(1)
		}
		return nil
	})
	return calls.Load(), err
}

type recorder struct {
	mu sync.Mutex
	d  []time.Duration
}

func newRecorder() *recorder { return &recorder{} }

func (r *recorder) add(d time.Duration) {
	r.mu.Lock()
	r.d = append(r.d, d)
	r.mu.Unlock()
}

func (r *recorder) String() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.d) == 0 {
		return "no samples"
	}
	s := slices.Clone(r.d)
	slices.Sort(s)
	q := func(p float64) time.Duration { return s[int(p*float64(len(s)-1))] }
	return fmt.Sprintf("p50 %s p99 %s (n=%d)", q(0.50).Round(time.Microsecond), q(0.99).Round(time.Microsecond), len(s))
}
