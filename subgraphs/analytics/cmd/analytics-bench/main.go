// Command analytics-bench generates N synthetic domain events (a city's orders with their
// status changes, payments, refunds, dispatch, deliveries and driver locations, spread over
// a month), ingests them in batches into each OLAP backend — decode + write, as the
// consumer does, without Kafka — and reports events/s, then runs every dashboard query
// repeatedly (random restaurants and ranges, and the whole platform) and reports p50/p99,
// side by side for ClickHouse and the embedded DuckDB.
//
//	analytics-bench -events 10000000 -backends clickhouse,duckdb
//
// ClickHouse is the server at DIZHTIME_CLICKHOUSE_URL (deploy/local/services.sh up
// clickhouse), in a database of its own, dropped at the end; DuckDB is a file in a
// temporary directory.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/dizhtime/dizhtime/events"
	"github.com/dizhtime/dizhtime/events/contracts"
	"github.com/dizhtime/dizhtime/subgraphs/analytics/adapters"
	"github.com/dizhtime/dizhtime/subgraphs/analytics/app"
	"github.com/dizhtime/dizhtime/subgraphs/analytics/domain"
	"github.com/dizhtime/dizhtime/subgraphs/analytics/service"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "analytics-bench:", err)
		os.Exit(1)
	}
}

type options struct {
	events, batch, chunk, repeat, restaurants, drivers, days int
	backends                                                 []string
}

func run() error {
	var o options
	var backends string
	flag.IntVar(&o.events, "events", 1_000_000, "synthetic events to ingest (about 12 per order)")
	flag.IntVar(&o.batch, "batch", 50_000, "events per batch write (the consumer's default batch size)")
	flag.IntVar(&o.chunk, "chunk", 500_000, "events generated ahead (untimed) and then ingested (timed) at a time")
	flag.IntVar(&o.repeat, "repeat", 30, "runs of each dashboard query")
	flag.IntVar(&o.restaurants, "restaurants", 2000, "restaurants in the synthetic city")
	flag.IntVar(&o.drivers, "drivers", 3000, "drivers in the synthetic city")
	flag.IntVar(&o.days, "days", 30, "days the events spread over (ending now)")
	flag.StringVar(&backends, "backends", "clickhouse,duckdb", "backends to measure")
	flag.StringVar(&reuseCH, "clickhouse-database", "", "query this kept ClickHouse database (-keep) instead of ingesting into a new one")
	flag.StringVar(&reuseDuck, "duckdb-path", "", "query this kept DuckDB file (-keep) instead of ingesting into a new one")
	flag.BoolVar(&keep, "keep", false, "keep the ClickHouse database and the DuckDB file (their names are printed)")
	flag.BoolVar(&traceRuns, "trace", false, "print every query run's latency with its range and scope (to stderr)")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the whole run to this file")
	trickleDay := flag.String("trickle", "", "instead: the live trickle's CPU per order, a DuckDB day already holding these orders (e.g. 0,10000,100000)")
	flag.IntVar(&duckdbThreads, "duckdb-threads", 0, "DuckDB's threads (0: its default, one per core)")
	flag.IntVar(&trickleRate, "trickle-rate", 5, "trickle: orders placed per second")
	flag.DurationVar(&trickleSpan, "trickle-span", time.Minute, "trickle: event time measured (batches of -trickle-wait of it)")
	flag.DurationVar(&trickleWait, "trickle-wait", 200*time.Millisecond, "trickle: the consumer's batch wait: a batch holds the events of this much time")
	flag.Parse()
	if *trickleDay != "" {
		return trickle(context.Background(), *trickleDay, *cpuProfile, o)
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	o.backends = strings.Split(backends, ",")
	ctx := context.Background()
	results := map[string]*result{}
	for _, b := range o.backends {
		r, err := measure(ctx, b, o)
		if err != nil {
			return fmt.Errorf("%s: %w", b, err)
		}
		results[b] = r
	}
	fmt.Printf("\nanalytics-bench: %d events (%d per batch), %d restaurants, %d drivers, %d days; each query %d runs\n",
		o.events, o.batch, o.restaurants, o.drivers, o.days, o.repeat)
	fmt.Printf("%-40s", "figure")
	for _, b := range o.backends {
		fmt.Printf(" | %-34s", b)
	}
	fmt.Println()
	row := func(name string, cell func(r *result) string) {
		fmt.Printf("%-40s", name)
		for _, b := range o.backends {
			fmt.Printf(" | %-34s", cell(results[b]))
		}
		fmt.Println()
	}
	row("ingest events/s (decode + write)", func(r *result) string {
		if r.took == 0 {
			return "- (kept store, not ingested)"
		}
		return fmt.Sprintf("%.0f (%s)", float64(o.events)/r.took.Seconds(), r.took.Round(time.Millisecond))
	})
	row("store write events/s (time in Write)", func(r *result) string {
		if r.took == 0 {
			return "-"
		}
		return fmt.Sprintf("%.0f (%s)", float64(o.events)/r.writeTook.Seconds(), r.writeTook.Round(time.Millisecond))
	})
	row("ingest CPU-s: bench / server", func(r *result) string {
		return fmt.Sprintf("%.1f / %s", r.cpu.Seconds(), secondsOr(r.serverCPU))
	})
	row("ingest events per CPU-second", func(r *result) string {
		if r.took == 0 {
			return "-"
		}
		all := r.cpu + max(r.serverCPU, 0)
		return fmt.Sprintf("%.0f bench, %.0f bench+server", float64(o.events)/r.cpu.Seconds(), float64(o.events)/all.Seconds())
	})
	row("load average during ingest (1m)", func(r *result) string { return r.ingestLoad })
	row("load average during queries (1m)", func(r *result) string { return r.queryLoad })
	row("queries CPU-s: bench / server", func(r *result) string {
		return fmt.Sprintf("%.1f / %s", r.queryCPU.Seconds(), secondsOr(r.queryServerCPU))
	})
	var steps []string
	for _, b := range o.backends {
		for k := range results[b].steps {
			if !slices.Contains(steps, k) {
				steps = append(steps, k)
			}
		}
	}
	slices.Sort(steps)
	for _, k := range steps {
		row("write step: "+k, func(r *result) string {
			d, ok := r.steps[k]
			if !ok || r.writeTook == 0 {
				return "-"
			}
			return fmt.Sprintf("%s (%.0f%% of Write)", d.Round(time.Millisecond), 100*d.Seconds()/r.writeTook.Seconds())
		})
	}
	for _, q := range queryNames {
		row("query "+q+" p50/p99", func(r *result) string {
			return fmt.Sprintf("p50 %s p99 %s", pct(r.latencies[q], 0.5), pct(r.latencies[q], 0.99))
		})
	}
	return nil
}

type result struct {
	// cpu is this process's CPU time (user + system) while ingesting (decode + write), and
	// serverCPU the ClickHouse server's (-1: not known; it is the shared server, so other
	// work on it counts too): on a shared machine the wall-clock rate moves with the load,
	// events per CPU second less so.
	cpu, serverCPU time.Duration
	// took is the wall-clock time of the ingestion (the generation of the events is not in
	// it), writeTook the part spent inside the store's Write.
	took, writeTook          time.Duration
	queryCPU, queryServerCPU time.Duration
	ingestLoad, queryLoad    string
	latencies                map[string][]time.Duration
	// steps is the wall-clock time the store's writes spent in each step.
	steps map[string]time.Duration
}

func secondsOr(d time.Duration) string {
	if d < 0 {
		return "?"
	}
	return fmt.Sprintf("%.1f", d.Seconds())
}

// serverCPU is the CPU time of the ClickHouse server process (-1 when not found or not
// ClickHouse): /proc/<pid>/stat's utime + stime of the process named clickhouse-server.
func serverCPU(backend string) time.Duration {
	if backend != service.BackendClickHouse {
		return -1
	}
	dirs, _ := filepath.Glob("/proc/[0-9]*/stat")
	var total time.Duration = -1
	for _, d := range dirs {
		b, err := os.ReadFile(d)
		if err != nil {
			continue
		}
		st := string(b)
		open, shut := strings.IndexByte(st, '('), strings.LastIndexByte(st, ')')
		if open < 0 || shut < open || !strings.HasPrefix(st[open+1:shut], "clickhouse") {
			continue
		}
		f := strings.Fields(st[shut+1:])
		if len(f) < 13 {
			continue
		}
		var ut, stt int64
		fmt.Sscan(f[11], &ut)
		fmt.Sscan(f[12], &stt)
		if total < 0 {
			total = 0
		}
		total += time.Duration(ut+stt) * 10 * time.Millisecond // USER_HZ 100
	}
	return total
}

func load1() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	return strings.Fields(string(b))[0]
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	return strings.Join(f[:min(3, len(f))], " ")
}

func pct(d []time.Duration, q float64) string {
	if len(d) == 0 {
		return "-"
	}
	s := slices.Clone(d)
	slices.Sort(s)
	i := int(q * float64(len(s)-1))
	return s[i].Round(10 * time.Microsecond).String()
}

var (
	traceRuns          bool
	keep               bool
	reuseCH, reuseDuck string
	duckdbThreads      int
)

// reusing reports whether backend's store is a kept one, queried without ingesting.
func reusing(backend string) bool {
	return backend == service.BackendClickHouse && reuseCH != "" || backend == service.BackendDuckDB && reuseDuck != ""
}

func open(ctx context.Context, backend string) (app.Store, func(), error) {
	switch backend {
	case service.BackendClickHouse:
		name := fmt.Sprintf("analytics_bench_%d", rand.Int64N(1<<40))
		if reuseCH != "" {
			name = reuseCH
		}
		s, err := adapters.OpenClickHouse(ctx, service.DefaultClickHouseURL(), name)
		if err != nil {
			return nil, nil, err
		}
		return s, func() {
			if keep || reuseCH != "" {
				fmt.Fprintln(os.Stderr, "clickhouse: kept database", s.Database())
			} else {
				_ = s.DropDatabase(context.Background())
			}
			_ = s.Close()
		}, nil
	case service.BackendDuckDB:
		if reuseDuck != "" {
			s, err := adapters.OpenDuckDB(ctx, reuseDuck, adapters.WithDuckDBThreads(duckdbThreads))
			if err != nil {
				return nil, nil, err
			}
			return s, func() { _ = s.Close() }, nil
		}
		dir, err := os.MkdirTemp("", "analytics-bench")
		if err != nil {
			return nil, nil, err
		}
		s, err := adapters.OpenDuckDB(ctx, filepath.Join(dir, "bench.duckdb"), adapters.WithDuckDBThreads(duckdbThreads))
		if err != nil {
			return nil, nil, err
		}
		return s, func() {
			_ = s.Close()
			if keep {
				fmt.Fprintln(os.Stderr, "duckdb: kept file", filepath.Join(dir, "bench.duckdb"))
			} else {
				_ = os.RemoveAll(dir)
			}
		}, nil
	}
	return nil, nil, fmt.Errorf("unknown backend %q", backend)
}

func measure(ctx context.Context, backend string, o options) (*result, error) {
	store, closeStore, err := open(ctx, backend)
	if err != nil {
		return nil, err
	}
	defer closeStore()
	gen := newGenerator(o)
	res := &result{latencies: map[string][]time.Duration{}}
	written := 0
	srv0 := serverCPU(backend)
	var loads []string
	if reusing(backend) {
		written = o.events // the kept store holds them; nothing is ingested
		n, err := store.(interface {
			EventCount(context.Context) (int64, error)
		}).EventCount(ctx)
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(os.Stderr, "%s: querying the kept store of %d events (no ingestion in this run)\n", backend, n)
		fmt.Printf("%s: kept store of %d events\n", backend, n)
	}
	for written < o.events {
		n := min(o.chunk, o.events-written)
		var batches [][]events.Envelope
		for k := 0; k < n; k += o.batch {
			batches = append(batches, gen.next(min(o.batch, n-k)))
		}
		loads = append(loads, load1())
		cpu0, start := cpuTime(), time.Now()
		inWrite, err := ingest(ctx, store, batches)
		res.took += time.Since(start)
		res.cpu += cpuTime() - cpu0
		res.writeTook += inWrite
		if err != nil {
			return nil, err
		}
		written += n
		fmt.Fprintf(os.Stderr, "%s: %d events in %s (%.0f/s; load %s)\n", backend, written, res.took.Round(time.Millisecond),
			float64(written)/res.took.Seconds(), load1())
	}
	loads = append(loads, load1())
	res.ingestLoad = strings.Join(loads[:min(len(loads), 3)], " ")
	if reusing(backend) {
		res.ingestLoad = "(not ingested in this run)"
	}
	if len(loads) > 3 {
		res.ingestLoad = loads[0] + " .. " + slices.Max(loads) + " (max) .. " + loads[len(loads)-1]
	}
	res.serverCPU = -1
	if srv0 >= 0 {
		res.serverCPU = serverCPU(backend) - srv0
	}
	srv0, cpu0 := serverCPU(backend), cpuTime()
	queryLoad0 := load1()
	now := time.Now().UTC()
	rng := rand.New(rand.NewPCG(7, 7))
	for i := range o.repeat {
		days := []int{1, 7, 30}[i%3]
		to := now.Add(-time.Duration(rng.IntN(24)) * time.Hour)
		r, err := domain.NewRange(to.Add(-time.Duration(days)*24*time.Hour), to, "Asia/Tashkent")
		if err != nil {
			return nil, err
		}
		scope := domain.Scope{}
		if i%2 == 1 {
			scope.RestaurantIDs = []string{gen.restaurant(rng.IntN(o.restaurants))}
		}
		for _, q := range queryNames {
			start := time.Now()
			if err := runQuery(ctx, store, q, r, scope, now); err != nil {
				return nil, fmt.Errorf("query %s: %w", q, err)
			}
			took := time.Since(start)
			res.latencies[q] = append(res.latencies[q], took)
			if traceRuns {
				who := "platform"
				if !scope.All() {
					who = "restaurant"
				}
				fmt.Fprintf(os.Stderr, "%s run %2d %-18s %2dd %-10s %s\n", backend, i, q, days, who, took.Round(100*time.Microsecond))
			}
		}
	}
	res.queryCPU = cpuTime() - cpu0
	res.queryServerCPU = -1
	if srv0 >= 0 {
		res.queryServerCPU = serverCPU(backend) - srv0
	}
	res.queryLoad = queryLoad0 + " .. " + load1()
	if st, ok := store.(interface {
		WriteSteps() map[string]time.Duration
	}); ok {
		res.steps = st.WriteSteps()
	}
	return res, nil
}

// ingest decodes the batches (each on every CPU) and writes them, decoding the next batch
// while the store writes the last, as the consumer would with a prefetch; it returns the
// time spent inside the store's Write.
func ingest(ctx context.Context, store app.Store, batches [][]events.Envelope) (time.Duration, error) {
	decoded := make(chan domain.Batch, 2)
	errs := make(chan error, 1)
	go func() {
		defer close(decoded)
		for _, envs := range batches {
			b, bad := app.BatchOf(envs)
			if len(bad) > 0 {
				errs <- fmt.Errorf("%d synthetic events undecodable", len(bad))
				return
			}
			select {
			case decoded <- b:
			case <-ctx.Done():
				return
			}
		}
	}()
	var inWrite time.Duration
	for b := range decoded {
		start := time.Now()
		err := store.Write(ctx, b)
		inWrite += time.Since(start)
		if err != nil {
			for range decoded {
			}
			return inWrite, err
		}
	}
	select {
	case err := <-errs:
		return inWrite, err
	default:
		return inWrite, nil
	}
}

var queryNames = []string{"salesSeries", "salesByRestaurant", "salesByZone", "orderFunnel", "deliveryTimes", "rates", "topDishes", "drivers", "liveMetrics"}

func runQuery(ctx context.Context, s app.Store, name string, r domain.Range, scope domain.Scope, now time.Time) error {
	var err error
	switch name {
	case "salesSeries":
		var slots []domain.SlotSales
		slots, err = s.SalesSlots(ctx, r, scope)
		_ = domain.Series(slots, domain.Day, r)
	case "salesByRestaurant":
		_, err = s.SalesBreakdown(ctx, r, scope, domain.ByRestaurant, 20)
	case "salesByZone":
		_, err = s.SalesBreakdown(ctx, r, scope, domain.ByZone, 20)
	case "orderFunnel":
		_, err = s.Funnel(ctx, r, scope)
	case "deliveryTimes":
		_, err = s.DeliveryTimes(ctx, r, scope)
	case "rates":
		_, err = s.Rates(ctx, r, scope)
	case "topDishes":
		_, err = s.TopDishes(ctx, r, scope, 10)
	case "drivers":
		_, err = s.Drivers(ctx, r, 20, 1000)
	case "liveMetrics":
		_, err = s.Live(ctx, now, domain.Day.Start(now, r.Zone))
	}
	return err
}

// generator makes a synthetic city's events, order by order, in time order per order.
type generator struct {
	o       options
	rng     *rand.Rand
	pending []events.Envelope
	seq     int
	start   time.Time
	span    time.Duration
}

func newGenerator(o options) *generator {
	now := time.Now().UTC()
	return &generator{o: o, rng: rand.New(rand.NewPCG(1, 2)), start: now.Add(-time.Duration(o.days) * 24 * time.Hour), span: time.Duration(o.days) * 24 * time.Hour}
}

func (g *generator) restaurant(i int) string { return fmt.Sprintf("r%05d", i) }

func (g *generator) env(subject string, at time.Time, p events.Payload) events.Envelope {
	g.seq++
	data, _ := json.Marshal(p)
	return events.Envelope{ID: fmt.Sprintf("bench-%012d", g.seq), Type: p.EventType(), Version: p.EventVersion(), Source: "bench",
		Time: at, Subject: subject, Data: data}
}

func (g *generator) next(n int) []events.Envelope {
	for len(g.pending) < n {
		g.order()
	}
	out := g.pending[:n:n]
	g.pending = slices.Clone(g.pending[n:])
	return out
}

func (g *generator) order() {
	// Orders are placed in time order through the span (as a live stream brings them), a
	// few minutes' jitter apart; each order's events follow within the next hour or two.
	g.orderAt(g.start.Add(time.Duration(float64(g.span)*float64(g.seq)/float64(g.o.events)) + time.Duration(g.rng.Int64N(int64(5*time.Minute)))))
}

// orderAt appends the events of one order placed at at.
func (g *generator) orderAt(at time.Time) {
	r := g.rng
	id := fmt.Sprintf("o%010d", g.seq)
	rest := g.restaurant(int(r.ExpFloat64()*float64(g.o.restaurants)/4) % g.o.restaurants)
	driver := fmt.Sprintf("d%05d", r.IntN(g.o.drivers))
	money := func(n int64) contracts.Money { return contracts.Money{AmountMinor: n, Currency: "UZS"} }
	var items []contracts.OrderItem
	var subtotal int64
	for i := range 1 + r.IntN(3) {
		price := int64(10_000 + r.IntN(90)*1000)
		q := 1 + r.IntN(2)
		items = append(items, contracts.OrderItem{MenuItemID: fmt.Sprintf("%s-m%02d", rest, r.IntN(12)+i*0), Name: "Dish", Quantity: q, UnitPrice: money(price)})
		subtotal += price * int64(q)
	}
	lat, lng := 41.2+r.Float64()*0.2, 69.1+r.Float64()*0.3
	g.pending = append(g.pending, g.env(id, at, contracts.OrderCreatedV2{OrderID: id, CustomerID: fmt.Sprintf("c%06d", r.IntN(200_000)),
		RestaurantID: rest, Items: items, Subtotal: money(subtotal), DeliveryFee: money(8000), Total: money(subtotal + 8000),
		DeliveryAddress: contracts.Address{Lat: lat, Lng: lng}, PlacedAt: at}))
	status := func(from, to, reason string, after time.Duration) {
		at = at.Add(after)
		g.pending = append(g.pending, g.env(id, at, contracts.OrderStatusChangedV2{OrderID: id, RestaurantID: rest, From: from, To: to, Reason: reason, ChangedAt: at}))
	}
	sec := func(lo, hi int) time.Duration { return time.Duration(lo+r.IntN(hi-lo)) * time.Second }
	if r.IntN(100) < 5 {
		status("placed", "payment_failed", "insufficient_funds", sec(1, 5))
		return
	}
	status("placed", "paid", "", sec(1, 5))
	g.pending = append(g.pending, g.env(id, at, contracts.PaymentSucceededV1{PaymentID: "p" + id, OrderID: id, Amount: money(subtotal + 8000), Method: "wallet", PaidAt: at}))
	if r.IntN(100) < 5 {
		status("paid", "cancelled", "customer_cancelled", sec(10, 120))
		g.pending = append(g.pending, g.env(id, at, contracts.PaymentRefundedV1{RefundID: "rf" + id, PaymentID: "p" + id, OrderID: id, Amount: money(subtotal + 8000), Reason: "cancelled", RefundedAt: at}))
		return
	}
	status("paid", "accepted", "", sec(20, 300))
	g.pending = append(g.pending, g.env(id, at, contracts.DispatchAssignedV1{OrderID: id, DriverID: driver, RestaurantID: rest, AssignedAt: at}))
	status("accepted", "ready_for_pickup", "", sec(300, 1500))
	g.pending = append(g.pending, g.env(driver, at, contracts.DriverLocationV1{DriverID: driver, Lat: lat, Lng: lng, OrderID: id, RecordedAt: at}))
	status("ready_for_pickup", "picked_up", "", sec(30, 600))
	g.pending = append(g.pending, g.env(driver, at.Add(time.Minute), contracts.DriverLocationV1{DriverID: driver, Lat: lat, Lng: lng, OrderID: id, RecordedAt: at.Add(time.Minute)}))
	status("picked_up", "delivered", "", sec(300, 1800))
	g.pending = append(g.pending, g.env("del-"+id, at, contracts.DeliveryStatusChangedV1{DeliveryID: "del-" + id, OrderID: id, DriverID: driver, From: "arrived_at_dropoff", To: "delivered", ChangedAt: at}))
	g.pending = append(g.pending, g.env(driver, at.Add(time.Minute), contracts.DriverLocationV1{DriverID: driver, Lat: lat, Lng: lng, RecordedAt: at.Add(time.Minute)}))
}
