// Command search-bench measures search latency (p50/p99 at N concurrent clients) and
// indexing throughput over a generated city of restaurants with menus, on Elasticsearch
// (DIZHTIME_ELASTICSEARCH_URL) and on Bleve in a temporary directory. Loopback only;
// it deletes what it creates.
//
//	go run ./cmd/search-bench -restaurants 50000 -dishes 12 -clients 50 -duration 20s
//
// Searches are measured after a warm-up (-warmup, -bleve-warmup).
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/dizhtime/dizhtime/platform/endpoints"
	"github.com/dizhtime/dizhtime/platform/searchindex"
	"github.com/dizhtime/dizhtime/subgraphs/search/adapters"
	"github.com/dizhtime/dizhtime/subgraphs/search/app"
	"github.com/dizhtime/dizhtime/subgraphs/search/domain"
)

var (
	reuse string
	keep  bool
	// warmup and bleveWarmup: search load before measuring, per backend.
	warmup, bleveWarmup time.Duration
	facets              bool
	// perKind prints latency per query of the mix.
	perKind bool
	// bleveDir keeps the Bleve index; reuseBleve: it existed, so searches run on it as it is.
	bleveDir   string
	reuseBleve bool
)

type bulkIndex interface {
	app.Index
	PutMany(ctx context.Context, docs []domain.Restaurant) error
}

func main() {
	n := flag.Int("restaurants", 50_000, "restaurants to index")
	dishes := flag.Int("dishes", 12, "dishes per menu")
	clients := flag.Int("clients", 50, "concurrent search clients")
	duration := flag.Duration("duration", 20*time.Second, "search phase length per backend")
	backends := flag.String("backends", "elasticsearch,bleve", "comma-separated: elasticsearch, bleve")
	flag.StringVar(&reuse, "es-index", "", "Elasticsearch alias to search as it is (skips indexing and updates; with -keep from an earlier run)")
	// A freshly started Elasticsearch searched at ~310 q/s (5.3 ms of CPU per search) for
	// two and a half minutes on 2 cores, then its JIT caught up: ~440 q/s, 3.4 ms.
	flag.DurationVar(&warmup, "warmup", 3*time.Minute, "Elasticsearch: search load before measuring (its JIT needs minutes on a fresh node; 0 skips it)")
	flag.DurationVar(&bleveWarmup, "bleve-warmup", 10*time.Second, "Bleve: search load before measuring (its merges after the bulk load)")
	flag.BoolVar(&facets, "facets", true, "every search asks for facets (as a first page showing filters does)")
	flag.BoolVar(&perKind, "per-query", false, "also print p50/p99 per query of the mix")
	flag.StringVar(&bleveDir, "bleve-dir", "", "keep the Bleve index in this directory; when it exists, search it as it is")
	flag.BoolVar(&keep, "keep", false, "keep the Elasticsearch index (prints its alias) for -es-index and profiling")
	cpuProfile := flag.String("cpuprofile", "", "write a Go CPU profile of the whole run (Bleve runs in this process)")
	flag.Parse()
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "search-bench:", err)
			os.Exit(1)
		}
		defer pprof.StopCPUProfile()
	}
	docs := city(*n, *dishes)
	fmt.Printf("%d restaurants, %d dishes each, %d clients, %s per backend\n", *n, *dishes, *clients, *duration)
	for _, b := range []string{"elasticsearch", "bleve"} {
		if !slices.Contains(splitComma(*backends), b) {
			continue
		}
		if err := bench(b, docs, *clients, *duration); err != nil {
			fmt.Fprintln(os.Stderr, "search-bench:", b+":", err)
			pprof.StopCPUProfile()
			os.Exit(1)
		}
	}
}

func splitComma(s string) []string {
	var out []string
	start := 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == ',' {
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return out
}

func open(ctx context.Context, backend string) (bulkIndex, func(), error) {
	if backend == "elasticsearch" {
		es, err := timedElasticsearch(ctx)
		if err != nil {
			return nil, nil, err
		}
		alias := reuse
		if alias == "" {
			alias = fmt.Sprintf("search-bench-%d", rand.Int64N(1<<40))
		}
		c, err := adapters.NewElasticCatalog(es, alias)
		if err != nil {
			return nil, nil, err
		}
		idx, err := c.Live(ctx)
		if keep || reuse != "" {
			fmt.Printf("elasticsearch index alias %s (kept)\n", alias)
			return idx, func() {}, err
		}
		return idx, func() { _ = c.DropAll(context.Background()) }, err
	}
	dir := bleveDir
	if dir == "" {
		var err error
		if dir, err = os.MkdirTemp("", "search-bench-*"); err != nil {
			return nil, nil, err
		}
	} else if _, err := os.Stat(dir); err == nil {
		reuseBleve = true
	}
	c, err := adapters.OpenBleveCatalog(dir, "restaurants")
	if err != nil {
		return nil, nil, err
	}
	idx, err := c.Live(ctx)
	if bleveDir != "" {
		return idx, func() { _ = c.Close() }, err
	}
	return idx, func() { _ = c.Close(); _ = os.RemoveAll(dir) }, err
}

func bench(backend string, docs []domain.Restaurant, clients int, d time.Duration) error {
	ctx := context.Background()
	idx, cleanup, err := open(ctx, backend)
	if err != nil {
		return err
	}
	defer cleanup()
	if (backend == "elasticsearch" && reuse == "") || (backend == "bleve" && !reuseBleve) {
		if err := load(ctx, backend, idx, docs); err != nil {
			return err
		}
	}
	w := warmup
	if backend == "bleve" {
		w = bleveWarmup
	}
	if w > 0 {
		t := time.Now()
		done, _ := searchLoad(ctx, idx, clients, w)
		fmt.Printf("%-13s warm-up: %d searches in %s\n", backend, len(done), time.Since(t).Round(time.Second))
	}
	before := loadAverage()
	cpu0, gc0 := serviceCPU(ctx, backend)
	own0 := ownCPU()
	samples, failures := searchLoad(ctx, idx, clients, d)
	own1 := ownCPU()
	cpu1, gc1 := serviceCPU(ctx, backend)
	lat := make([]time.Duration, len(samples))
	for i, s := range samples {
		lat[i] = s.took
	}
	slices.Sort(lat)
	pct := func(p float64) time.Duration { return lat[min(len(lat)-1, int(float64(len(lat))*p))] }
	fmt.Printf("%-13s search: %d queries in %s (%.0f/s), p50 %s, p90 %s, p99 %s, max %s, %d errors\n", backend, len(lat), d,
		float64(len(lat))/d.Seconds(), pct(0.50).Round(10*time.Microsecond), pct(0.90).Round(10*time.Microsecond),
		pct(0.99).Round(10*time.Microsecond), lat[len(lat)-1].Round(10*time.Microsecond), failures)
	fmt.Printf("%-13s load average (1m 5m 15m) before %s, after %s\n", backend, before, loadAverage())
	fmt.Printf("%-13s service CPU: %.1f ms per search (%s over %d searches)", backend,
		float64((cpu1-cpu0).Microseconds())/1000/float64(len(lat)), (cpu1 - cpu0).Round(time.Millisecond), len(lat))
	if backend == "elasticsearch" {
		fmt.Printf("; JVM GC during the run: %s", gc1.since(gc0))
	}
	fmt.Println()
	if backend == "elasticsearch" {
		var adapter, raw, own []time.Duration
		for _, s := range samples {
			adapter, raw, own = append(adapter, s.took), append(raw, s.es), append(own, s.took-s.es)
		}
		for _, l := range [][]time.Duration{adapter, raw, own} {
			slices.Sort(l)
		}
		p := func(l []time.Duration, q float64) time.Duration {
			return l[min(len(l)-1, int(float64(len(l))*q))].Round(10 * time.Microsecond)
		}
		fmt.Printf("%-13s adapter vs raw: adapter (subgraph side) p50 %s p99 %s; raw Elasticsearch (the same requests, answer read, not decoded) p50 %s p99 %s; the adapter's own share p50 %s p99 %s; adapter CPU %.2f ms per search (this process)\n",
			backend, p(adapter, 0.5), p(adapter, 0.99), p(raw, 0.5), p(raw, 0.99), p(own, 0.5), p(own, 0.99),
			float64((own1-own0).Microseconds())/1000/float64(len(samples)))
	}
	if perKind {
		printKinds(backend, samples)
	}
	return nil
}

// printKinds prints p50/p99 per query of the mix, to find the expensive ones.
func printKinds(backend string, samples []sample) {
	byKind := map[int][]time.Duration{}
	for _, s := range samples {
		byKind[s.kind] = append(byKind[s.kind], s.took)
	}
	mix := queries()
	for k := range mix {
		l := byKind[k]
		if len(l) == 0 {
			continue
		}
		slices.Sort(l)
		in := mix[k]
		fmt.Printf("%-13s   query %d %-12q sort %d radius %v filters %+v: %d, p50 %s, p99 %s\n", backend, k, in.Text, in.Sort,
			radius(in), in.Filters, len(l), l[len(l)/2].Round(10*time.Microsecond), l[min(len(l)-1, len(l)*99/100)].Round(10*time.Microsecond))
	}
}

func radius(in domain.QueryInput) string {
	switch {
	case in.RadiusMeters != nil:
		return fmt.Sprintf("%dm", *in.RadiusMeters)
	case in.Near != nil:
		return "default"
	default:
		return "none"
	}
}

// sample is one search's latency and its place in the query mix; es is the part of it
// spent in Elasticsearch round trips (request sent to answer read), for Elasticsearch.
type sample struct {
	kind int
	took time.Duration
	es   time.Duration
}

// esTimeKey holds, in a search's context, the *atomic.Int64 its Elasticsearch round trips
// add their nanoseconds to.
type esTimeKey struct{}

// timedTransport times each request to Elasticsearch until its whole answer is read, so
// the bench compares the adapter's search with the raw query it sends.
type timedTransport struct{ base http.RoundTripper }

func (t timedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	start := time.Now()
	res, err := t.base.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	body, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil {
		return nil, err
	}
	res.Body = io.NopCloser(bytes.NewReader(body))
	if acc, ok := req.Context().Value(esTimeKey{}).(*atomic.Int64); ok {
		acc.Add(int64(time.Since(start)))
	}
	return res, nil
}

// timedElasticsearch is searchindex.ConnectElasticsearch's client with its requests timed.
func timedElasticsearch(ctx context.Context) (*searchindex.Elastic, error) {
	if _, err := searchindex.ConnectElasticsearch(ctx, endpoints.Elasticsearch()); err != nil {
		return nil, err // reachable and healthy, as the subgraph checks
	}
	return searchindex.NewElastic(endpoints.Elasticsearch(), timedTransport{&http.Transport{ResponseHeaderTimeout: 30 * time.Second,
		MaxIdleConnsPerHost: 64, DisableCompression: true}})
}

// ownCPU is this process's CPU time (the adapter's decoding, for Elasticsearch).
func ownCPU() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// searchLoad runs clients searching back to back for d and returns every search and
// the number of failed searches.
func searchLoad(ctx context.Context, idx bulkIndex, clients int, d time.Duration) ([]sample, int) {
	q := queries()
	var mu sync.Mutex
	var lat []sample
	var failures int
	deadline := time.Now().Add(d)
	var wg sync.WaitGroup
	for c := range clients {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(c), uint64(time.Now().UnixNano())))
			var mine []sample
			bad := 0
			for time.Now().Before(deadline) {
				kind := r.IntN(len(q))
				in := q[kind]
				if in.Near != nil {
					// Users are all over the city: a fixed point per query would let caches
					// answer the benchmark.
					in.Near = &domain.GeoPoint{Lat: centre.Lat + (r.Float64()-0.5)*0.2, Lon: centre.Lon + (r.Float64()-0.5)*0.26}
				}
				in.Facets = facets
				query, err := domain.NewQuery(in)
				if err != nil {
					panic(err)
				}
				var es atomic.Int64
				t := time.Now()
				if _, err := idx.Search(context.WithValue(ctx, esTimeKey{}, &es), query); err != nil {
					bad++
				}
				mine = append(mine, sample{kind, time.Since(t), time.Duration(es.Load())})
			}
			mu.Lock()
			lat, failures = append(lat, mine...), failures+bad
			mu.Unlock()
		})
	}
	wg.Wait()
	return lat, failures
}

// load indexes docs in bulk, then measures one-at-a-time projected updates.
func load(ctx context.Context, backend string, idx bulkIndex, docs []domain.Restaurant) error {
	start := time.Now()
	const batch = 500
	for i := 0; i < len(docs); i += batch {
		if err := idx.PutMany(ctx, docs[i:min(i+batch, len(docs))]); err != nil {
			return err
		}
	}
	if err := idx.Refresh(ctx); err != nil {
		return err
	}
	took := time.Since(start)
	fmt.Printf("%-13s indexing: %d restaurants in %s = %.0f docs/s (bulk batches of %d)\n", backend, len(docs),
		took.Round(time.Millisecond), float64(len(docs))/took.Seconds(), batch)
	if c, ok := idx.(app.Compactor); ok {
		// As a rebuild does before swapping the alias.
		t := time.Now()
		if err := c.Compact(ctx); err != nil {
			return err
		}
		fmt.Printf("%-13s compacted into one segment in %s\n", backend, time.Since(t).Round(time.Millisecond))
	}

	// One-at-a-time projected updates (what the consumer does: read, check versions, write).
	upd := time.Now()
	const updates = 500
	for i := range updates {
		id := docs[i].ID
		err := idx.Update(ctx, id, func(cur *domain.Restaurant) (*domain.Restaurant, error) {
			return cur, cur.ApplyMenu(cur.Dishes, cur.MenuVersion+1, time.Now())
		})
		if err != nil {
			return err
		}
	}
	ut := time.Since(upd)
	fmt.Printf("%-13s projected updates: %d sequential read-check-write updates = %.0f updates/s\n", backend, updates, updates/ut.Seconds())

	// Batched, as the projection consumer writes a burst of events (app.BatchIndex).
	bi, ok := idx.(app.BatchIndex)
	if !ok {
		return nil
	}
	const batched, batchOf = 5000, 500
	upd = time.Now()
	for i := 0; i < min(batched, len(docs)); i += batchOf {
		ids := make([]string, 0, batchOf)
		for _, d := range docs[i:min(i+batchOf, len(docs))] {
			ids = append(ids, d.ID)
		}
		failed, err := bi.UpdateMany(ctx, ids, func(_ string, cur *domain.Restaurant) (*domain.Restaurant, error) {
			return cur, cur.ApplyMenu(cur.Dishes, cur.MenuVersion+1, time.Now())
		})
		if err == nil && len(failed) > 0 {
			err = fmt.Errorf("%d updates failed", len(failed))
		}
		if err != nil {
			return err
		}
	}
	ut = time.Since(upd)
	n := min(batched, len(docs))
	fmt.Printf("%-13s projected updates: %d read-check-write updates in batches of %d = %.0f updates/s\n", backend, n, batchOf, float64(n)/ut.Seconds())
	return nil
}

// gcStats are Elasticsearch's JVM collector counters and heap.
type gcStats struct {
	YoungCount, YoungMillis, OldCount, OldMillis int64
	HeapUsedPercent, HeapMaxBytes                int64
}

func (g gcStats) since(before gcStats) string {
	return fmt.Sprintf("%d young collections (%d ms), %d old (%d ms), heap %d%% of %d MB after",
		g.YoungCount-before.YoungCount, g.YoungMillis-before.YoungMillis, g.OldCount-before.OldCount,
		g.OldMillis-before.OldMillis, g.HeapUsedPercent, g.HeapMaxBytes>>20)
}

// serviceCPU is the CPU time the search service has used: this process for Bleve (it
// runs in here), the Elasticsearch node for Elasticsearch (with its GC counters).
// Latency on a shared machine depends on the neighbours; CPU per search much less.
func serviceCPU(ctx context.Context, backend string) (time.Duration, gcStats) {
	if backend != "elasticsearch" {
		var ru syscall.Rusage
		_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
		return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), gcStats{}
	}
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, endpoints.Elasticsearch()+"/_nodes/_local/stats/process,jvm", nil)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, gcStats{}
	}
	defer res.Body.Close()
	var out struct {
		Nodes map[string]struct {
			Process struct {
				CPU struct {
					TotalInMillis int64 `json:"total_in_millis"`
				} `json:"cpu"`
			} `json:"process"`
			JVM struct {
				Mem struct {
					HeapUsedPercent int64 `json:"heap_used_percent"`
					HeapMaxInBytes  int64 `json:"heap_max_in_bytes"`
				} `json:"mem"`
				GC struct {
					Collectors map[string]struct {
						Count  int64 `json:"collection_count"`
						Millis int64 `json:"collection_time_in_millis"`
					} `json:"collectors"`
				} `json:"gc"`
			} `json:"jvm"`
		} `json:"nodes"`
	}
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil {
		return 0, gcStats{}
	}
	for _, n := range out.Nodes {
		c := n.JVM.GC.Collectors
		return time.Duration(n.Process.CPU.TotalInMillis) * time.Millisecond, gcStats{
			YoungCount: c["young"].Count, YoungMillis: c["young"].Millis, OldCount: c["old"].Count, OldMillis: c["old"].Millis,
			HeapUsedPercent: n.JVM.Mem.HeapUsedPercent, HeapMaxBytes: n.JVM.Mem.HeapMaxInBytes}
	}
	return 0, gcStats{}
}

func loadAverage() string {
	raw, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(raw))
	return strings.Join(f[:min(3, len(f))], " ")
}

var centre = domain.GeoPoint{Lat: 41.3111, Lon: 69.2797}

var (
	cuisines = []string{"italian", "uzbek", "japanese", "american", "turkish", "korean", "georgian", "indian", "healthy", "chinese"}
	words    = []string{"pizza", "plov", "lagman", "burger", "sushi", "salad", "soup", "kebab", "noodles", "samsa", "manti",
		"shashlik", "ramen", "khachapuri", "curry", "dumplings", "steak", "pasta", "falafel", "tacos"}
	adjectives = []string{"spicy", "classic", "grilled", "crispy", "homemade", "smoked", "vegan", "double", "mini", "royal"}
	dietary    = []string{"vegan", "halal", "vegetarian", "gluten-free"}
)

// city makes n restaurants within ~15 km of the centre, each with a menu.
func city(n, dishes int) []domain.Restaurant {
	r := rand.New(rand.NewPCG(1, 2))
	out := make([]domain.Restaurant, 0, n)
	hours := []domain.DayRange{}
	for day := range 7 {
		hours = append(hours, domain.DayRange{Day: time.Weekday(day), Open: 10 * 60, Close: 23 * 60})
	}
	for i := range n {
		res, _ := domain.NewRestaurant(fmt.Sprintf("bench-%d", i))
		var tags []string
		if i%50 == 0 {
			tags = []string{domain.PromotedTag}
		}
		p := domain.Profile{
			Name:       fmt.Sprintf("%s %s %d", adjectives[r.IntN(len(adjectives))], words[r.IntN(len(words))], i),
			Cuisines:   []string{cuisines[r.IntN(len(cuisines))]},
			IsOpen:     r.IntN(10) > 0,
			Location:   domain.GeoPoint{Lat: centre.Lat + (r.Float64()-0.5)*0.27, Lon: centre.Lon + (r.Float64()-0.5)*0.36},
			PriceLevel: 1 + r.IntN(4), Rating: 3 + r.Float64()*2, Dietary: []string{dietary[r.IntN(len(dietary))]}, Tags: tags,
			Hours: domain.WeeklyHours{Zone: time.UTC, Ranges: hours},
		}
		_ = res.ApplyProfile(p, 1, time.Now())
		menu := make([]domain.Dish, dishes)
		for j := range menu {
			menu[j] = domain.Dish{ID: fmt.Sprintf("bench-%d-%d", i, j),
				Name:        adjectives[r.IntN(len(adjectives))] + " " + words[r.IntN(len(words))],
				Description: "with " + words[r.IntN(len(words))] + " and " + adjectives[r.IntN(len(adjectives))] + " sauce",
				PriceMinor:  int64(20_000+r.IntN(200_000)) * 100, Currency: "UZS", Available: true}
		}
		_ = res.ApplyMenu(menu, 1, time.Now())
		out = append(out, *res)
	}
	return out
}

// queries is the mix clients send: typo-tolerant text near the user (within the default
// delivery radius when none is given), filters, sorts, and facets on every query.
func queries() []domain.QueryInput {
	near := func(dlat, dlon float64) *domain.GeoPoint {
		return &domain.GeoPoint{Lat: centre.Lat + dlat, Lon: centre.Lon + dlon}
	}
	r5, r10 := 5000, 10000
	now := time.Date(2026, 11, 30, 14, 0, 0, 0, time.UTC)
	return []domain.QueryInput{
		{Text: "piza", Near: near(0.01, 0.01), RadiusMeters: &r5, First: 20},
		{Text: "spicy ramen", Near: near(-0.02, 0.03), RadiusMeters: &r10, First: 20},
		{Text: "plov", Near: near(0, 0), First: 20, Filters: domain.Filters{MaxPriceLevel: 2, OpenAt: &now}},
		{Text: "burgr", Near: near(0.03, -0.02), RadiusMeters: &r10, Sort: domain.SortDistance, First: 20},
		{Text: "sushi", Near: near(0.01, 0), RadiusMeters: &r5, First: 20, Filters: domain.Filters{MinRating: 4.5}, Sort: domain.SortRating},
		{Near: near(-0.01, -0.01), RadiusMeters: &r5, First: 20, Filters: domain.Filters{Cuisines: []string{"uzbek", "turkish"}, Dietary: []string{"halal"}}},
		{Text: "vegan curry", Near: near(0.02, 0.02), RadiusMeters: &r10, First: 20},
		{Text: "khachapuri", First: 20},
	}
}
