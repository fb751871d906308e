// Command dispatch-bench measures dispatch's live index against plain Redis GEO
// baselines on the real services (loopback only), each comparison side by side in the
// same run, the two systems alternated round by round:
//
//   - matching with N online drivers: candidates from the in-memory H3 index, ranked by
//     pickup time (and, as a second figure, plus the atomic Redis reservation and its
//     release), against GEOSEARCH BYRADIUS 3 km ASC COUNT 10;
//   - location updates: updateLocation (validate, append to driver.location) until each
//     fix is in another replica's index, against GEOADD.
//
// Every figure prints p50/p99, throughput, the ratio to its baseline, Redis (and Kafka)
// CPU per operation read from /proc, and the load average. Then the fan-out from
// updateLocation to a deliveryTracking subscriber through the subgraph's handler.
//
//	go run ./cmd/dispatch-bench -drivers 10000,100000 -phase 3s -clients 8
package main

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
	kafkago "github.com/segmentio/kafka-go"

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
	driverCounts := flag.String("drivers", "10000,100000", "online driver counts to measure matching with")
	phase := flag.Duration("phase", 3*time.Second, "duration of each measured phase (split into alternating rounds)")
	clients := flag.Int("clients", 8, "concurrent clients")
	rounds := flag.Int("rounds", 3, "rounds per comparison: the system and its baseline alternate")
	tracked := flag.Int("tracked", 100, "tracked orders (WebSocket clients) in the GraphQL fan-out phase; 0 skips it")
	cpuProfile := flag.String("cpuprofile", "", "write this process's CPU profile (fill excluded: from the first measured phase) to this file")
	flag.IntVar(&locationBatch, "location-batch", 0, "location stream: fixes per produce batch (0: the default)")
	flag.StringVar(&locationCompression, "location-compression", "none", "location stream: produce batch compression (none, gzip, snappy, lz4, zstd)")
	partsFlag := flag.String("parts", "matching,reservation,location", "comparisons to run per market (comma-separated subset of matching, reservation, location)")
	flag.Parse()
	for _, p := range strings.Split(*partsFlag, ",") {
		switch p = strings.TrimSpace(p); p {
		case "matching", "reservation", "location":
			parts[p] = true
		default:
			return fmt.Errorf("-parts: unknown part %q", p)
		}
	}
	profileTo = *cpuProfile
	defer pprof.StopCPUProfile()
	if *phase > time.Minute || *rounds < 1 || *clients < 1 {
		return fmt.Errorf("-phase at most 1m, -rounds and -clients at least 1")
	}
	addr := endpoints.Redis()
	if host, _, err := net.SplitHostPort(addr); err != nil || !(host == "127.0.0.1" || host == "localhost" || host == "::1") {
		return fmt.Errorf("redis %s: the benchmark runs on loopback only", addr)
	}
	ctx := context.Background()
	rdb, err := redisdb.Connect(ctx, addr)
	if err != nil {
		return err
	}
	defer rdb.Close()
	rdb.Options().PoolSize = max(rdb.Options().PoolSize, 4*(*clients))
	redisPID, err := redisPID(ctx, rdb)
	if err != nil {
		return err
	}
	brokers := endpoints.Kafka()
	fmt.Printf("redis %s (pid %d), kafka %v (pid %d), phase %s in %d alternating rounds, %d clients, load average %s\n\n",
		addr, redisPID, brokers, kafkaPID(), *phase, *rounds, *clients, loadavg())

	for _, s := range strings.Split(*driverCounts, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 || n > 1_000_000 {
			return fmt.Errorf("-drivers %q: want counts between 1 and 1,000,000", s)
		}
		if err := market(ctx, rdb, redisPID, brokers, n, *phase, *clients, *rounds); err != nil {
			return err
		}
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
	fmt.Println("== fan-out ==")
	return graphqlFanOut(ctx, rdb, pg, *tracked, *phase)
}

func randomPoint(r *rand.Rand, shrink float64) domain.Point {
	return domain.Point{
		Lat: centre.Lat + (r.Float64()*2-1)*halfLat*shrink,
		Lng: centre.Lng + (r.Float64()*2-1)*halfLng*shrink,
	}
}

func cleanupPrefix(rdb *redis.Client, prefix string) {
	ctx := context.Background()
	iter := rdb.Scan(ctx, 0, prefix+"*", 5000).Iterator()
	var keys []string
	for iter.Next(ctx) {
		if keys = append(keys, iter.Val()); len(keys) == 1000 {
			rdb.Unlink(ctx, keys...)
			keys = keys[:0]
		}
	}
	if len(keys) > 0 {
		rdb.Unlink(ctx, keys...)
	}
}

func deleteTopic(brokers []string, topic string) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c := &kafkago.Client{Addr: kafkago.TCP(brokers...), Timeout: 10 * time.Second}
	_, _ = c.DeleteTopics(ctx, &kafkago.DeleteTopicsRequest{Topics: []string{topic}})
}

// -location-batch and -location-compression.
var (
	locationBatch       int
	locationCompression string
)

// parts are the comparisons -parts names.
var parts = map[string]bool{}

// market fills the index (and Redis, and the GEO baseline) with n online drivers, then
// runs the comparisons.
func market(ctx context.Context, rdb *redis.Client, redisPID int, brokers []string, n int, phase time.Duration, clients, rounds int) error {
	prefix := fmt.Sprintf("bench:dispatch:%d:", rand.Int64())
	defer cleanupPrefix(rdb, prefix)
	x := adapters.NewLiveIndex(rdb, prefix)
	geoKey := prefix + "baseline:geo"
	fmt.Printf("== %d online drivers in a 30 km box ==\n", n)

	// Fill: every driver goes online at a random point through the Redis script (its
	// state reaches this replica's index at once), and into the GEO baseline.
	vehicles := []domain.Vehicle{domain.VehicleBicycle, domain.VehicleScooter, domain.VehicleCar}
	start := time.Now()
	var next atomic.Int64
	if err := parallel(clients, func(w int) error {
		r := rand.New(rand.NewPCG(uint64(w), 1))
		for {
			i := next.Add(1) - 1
			if i >= int64(n) {
				return nil
			}
			p := randomPoint(r, 1)
			id := "drv-" + strconv.FormatInt(i, 10)
			if _, err := x.GoOnline(ctx, id, vehicles[i%3], p, time.Now()); err != nil {
				return err
			}
			if err := rdb.GeoAdd(ctx, geoKey, &redis.GeoLocation{Name: id, Longitude: p.Lng, Latitude: p.Lat}).Err(); err != nil {
				return err
			}
		}
	}); err != nil {
		return err
	}
	fmt.Printf("online (fill): %d drivers in %s (index holds %d)\n", n, time.Since(start).Round(time.Millisecond), x.Drivers.Len())

	if err := startProfile(); err != nil {
		return err
	}

	// Matching vs GEOSEARCH.
	var cands, rings atomic.Int64
	matching := system{name: "matching (in-memory H3 index, rings until 10 drivers are surely nearest, the 10 best by pickup time)", handler: true, op: func(ctx context.Context, r *rand.Rand) error {
		pickup := randomPoint(r, 0.66)
		cs, k, err := x.Best(ctx, pickup, 10, 10, nil)
		if err != nil {
			return err
		}
		cands.Add(int64(len(cs)))
		rings.Add(int64(k))
		return nil
	}}
	var seq atomic.Int64
	reserving := system{name: "matching + reservation (the above, then the atomic Redis reserve of the best driver and its release)", handler: true, op: func(ctx context.Context, r *rand.Rand) error {
		pickup := randomPoint(r, 0.66)
		cs, _, err := x.Best(ctx, pickup, 10, 10, nil)
		if err != nil {
			return err
		}
		order := "bench-o" + strconv.FormatInt(seq.Add(1), 10)
		for _, c := range cs {
			if err := x.Reserve(ctx, order, c.DriverID, time.Now().Add(time.Minute)); err == nil {
				return x.Release(ctx, order, c.DriverID)
			}
		}
		return nil // everyone near was reserved by the other clients this instant
	}}
	geosearch := system{name: "baseline GEOSEARCH BYRADIUS 3 km ASC COUNT 10", op: func(ctx context.Context, r *rand.Rand) error {
		pickup := randomPoint(r, 0.66)
		return rdb.GeoSearch(ctx, geoKey, &redis.GeoSearchQuery{
			Longitude: pickup.Lng, Latitude: pickup.Lat, Radius: 3, RadiusUnit: "km", Sort: "ASC", Count: 10,
		}).Err()
	}}
	if parts["matching"] {
		res, err := compare(ctx, redisPID, phase, clients, rounds, matching, geosearch)
		if err != nil {
			return err
		}
		fmt.Printf("  drivers returned per match %.1f (the best of those in the rings read; none ranked beyond them), rings read %.1f\n", float64(cands.Load())/float64(res[0].ops), float64(rings.Load())/float64(res[0].ops))
	}
	if parts["reservation"] {
		if _, err := compare(ctx, redisPID, phase, clients, rounds, reserving, geosearch); err != nil {
			return err
		}
	}

	// Location updates vs GEOADD.
	if parts["location"] {
		if err := locationUpdates(ctx, rdb, redisPID, brokers, x, geoKey, n, phase, clients, rounds); err != nil {
			return err
		}
	}
	fmt.Println()
	return nil
}

// system is one side of a comparison: op is one operation.
type system struct {
	name string
	op   func(ctx context.Context, r *rand.Rand) error
	// after, if set, runs after each round inside its measured time (waiting for the
	// round's updates to reach the index) and may add to the latencies.
	after func(ctx context.Context) error
	// handler: op runs in this process as a request handler would, so each client
	// yields between ops (a handler waits on its connection between requests; without
	// it 8 busy loops on 2 Ps run 10 ms each until Go preempts them, and an op that
	// straddles a preemption waits for the other clients' 10 ms slices: a p99 of the
	// benchmark's own making, 40 ms at load 14). The tail line then says how long this
	// process's threads waited for a CPU in the kernel's run queue and what the
	// collector did.
	handler bool
}

// result is one system's figures over all its rounds.
type result struct {
	ops           int64
	elapsed       time.Duration
	lat           *recorder
	runQueue      time.Duration
	gc            []string
	redisCPU      time.Duration
	kafkaCPU      time.Duration
	clientCPU     time.Duration
	load0, load1  string
	extraPerRound []string
}

func (r result) perSecond() float64 { return float64(r.ops) / r.elapsed.Seconds() }

func perOp(d time.Duration, ops int64) string {
	if ops == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f µs", float64(d.Microseconds())/float64(ops))
}

// compare alternates a and b for rounds rounds of phase/rounds each and prints both
// with the ratio of a's throughput to b's.
func compare(ctx context.Context, redisPID int, phase time.Duration, clients, rounds int, a, b system) ([2]result, error) {
	var res [2]result
	for i := range res {
		res[i].lat = newRecorder()
	}
	round := phase / time.Duration(rounds)
	for range rounds {
		for i, s := range [2]system{a, b} {
			r := &res[i]
			if r.load0 == "" {
				r.load0 = loadavg()
			}
			redis0, kafka0, self0, wait0, gc0 := procCPU(redisPID), procCPU(kafkaPID()), procCPU(os.Getpid()), runQueueWait(), readGC()
			t0 := time.Now()
			n, err := timed(round, clients, r.lat, s.handler, s.op)
			if err != nil {
				return res, fmt.Errorf("%s: %w", s.name, err)
			}
			if s.after != nil {
				if err := s.after(ctx); err != nil {
					return res, fmt.Errorf("%s: %w", s.name, err)
				}
			}
			r.elapsed += time.Since(t0)
			r.ops += n
			r.redisCPU += procCPU(redisPID) - redis0
			r.kafkaCPU += procCPU(kafkaPID()) - kafka0
			r.clientCPU += procCPU(os.Getpid()) - self0
			r.runQueue += runQueueWait() - wait0
			r.gc = append(r.gc, gcSince(gc0))
			r.load1 = loadavg()
		}
	}
	for i, s := range [2]system{a, b} {
		r := res[i]
		fmt.Printf("%s, %d clients: %.0f ops/s; latency %s; CPU per op: Redis %s, Kafka %s, this process %s; load %s -> %s\n",
			s.name, clients, r.perSecond(), r.lat, perOp(r.redisCPU, r.ops), perOp(r.kafkaCPU, r.ops), perOp(r.clientCPU, r.ops), r.load0, r.load1)
		if s.handler {
			fmt.Printf("  tail of %s: this process's threads waited for a CPU in the kernel's run queue %s per op (%.0f%% of the wall time of %d clients); per round: %s\n",
				strings.SplitN(s.name, " (", 2)[0], perOp(r.runQueue, r.ops), 100*r.runQueue.Seconds()/(r.elapsed.Seconds()*float64(clients)), clients, strings.Join(r.gc, "; "))
		}
	}
	fmt.Printf("  ratio: %.1fx the baseline's throughput (p99 %s vs %s)\n", res[0].perSecond()/res[1].perSecond(), res[0].lat.q(0.99), res[1].lat.q(0.99))
	return res, nil
}

func redisPID(ctx context.Context, rdb *redis.Client) (int, error) {
	info, err := rdb.Info(ctx, "server").Result()
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(info, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "process_id:"); ok {
			return strconv.Atoi(v)
		}
	}
	return 0, fmt.Errorf("redis INFO has no process_id")
}

var kafkaPIDOnce = sync.OnceValue(func() int {
	dirs, _ := os.ReadDir("/proc")
	for _, d := range dirs {
		pid, err := strconv.Atoi(d.Name())
		if err != nil {
			continue
		}
		cmd, err := os.ReadFile("/proc/" + d.Name() + "/cmdline")
		if err == nil && strings.Contains(string(cmd), "kafka.Kafka") {
			return pid
		}
	}
	return 0
})

// kafkaPID is the local broker's process (0 when not found: Kafka CPU then reads 0).
func kafkaPID() int { return kafkaPIDOnce() }

// procCPU is a process's user+system CPU time so far, from /proc/<pid>/stat.
func procCPU(pid int) time.Duration {
	if pid <= 0 {
		return 0
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	if len(f) < 13 {
		return 0
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+st) * time.Second / 100 // USER_HZ
}

func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
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

var seed atomic.Uint64

// timed runs op from workers goroutines for d, recording each call's latency, and
// returns how many calls finished.
//
// With yield (a handler system, see system.handler) each worker yields between calls.
func timed(d time.Duration, workers int, lat *recorder, yield bool, op func(ctx context.Context, r *rand.Rand) error) (int64, error) {
	var calls atomic.Int64
	stop := time.Now().Add(d)
	err := parallel(workers, func(w int) error {
		r := rand.New(rand.NewPCG(seed.Add(1), 3))
		local := make([]time.Duration, 0, 1<<14)
		defer func() { lat.addAll(local) }()
		for time.Now().Before(stop) {
			if yield {
				runtime.Gosched()
			}
			t0 := time.Now()
			if err := op(context.Background(), r); err != nil {
				return err
			}
			local = append(local, time.Since(t0))
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

func (r *recorder) addAll(d []time.Duration) {
	r.mu.Lock()
	r.d = append(r.d, d...)
	r.mu.Unlock()
}

func (r *recorder) q(p float64) time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.d) == 0 {
		return 0
	}
	s := slices.Clone(r.d)
	slices.Sort(s)
	return s[int(p*float64(len(s)-1))]
}

func round(d time.Duration) time.Duration {
	if d < time.Millisecond {
		return d.Round(100 * time.Nanosecond)
	}
	return d.Round(10 * time.Microsecond)
}

func (r *recorder) String() string {
	r.mu.Lock()
	n := len(r.d)
	r.mu.Unlock()
	if n == 0 {
		return "no samples"
	}
	return fmt.Sprintf("p50 %s p99 %s (n=%d)", round(r.q(0.50)), round(r.q(0.99)), n)
}

// profileTo is -cpuprofile; startProfile starts it once, after the first fill.
var profileTo string

func startProfile() error {
	if profileTo == "" {
		return nil
	}
	f, err := os.Create(profileTo)
	if err != nil {
		return err
	}
	profileTo = ""
	return pprof.StartCPUProfile(f)
}

// waitUntil polls ok every 10 ms for up to 30 s; past that it fails naming what never
// happened.
func waitUntil(what string, ok func() bool) error {
	for deadline := time.Now().Add(30 * time.Second); !ok(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			return fmt.Errorf("not %s after 30 s", what)
		}
	}
	return nil
}
