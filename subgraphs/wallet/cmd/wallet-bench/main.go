// Command wallet-bench measures PayOrder throughput against a real PostgreSQL: 1, 16
// and 64 concurrent clients, on spread (many customers) and hot (few customers)
// accounts, as the bare ledger operation (one round trip) and as the saga step (the
// consumer's transaction: processed_events + payment + payment.success in the outbox).
//
//	go run ./cmd/wallet-bench -duration 3s -conns 8 [-sync-commit on] [-outbox-notify=false]
//
// With -compare it runs DizhTime's PayOrder (batched) side by side with pgledger's
// transfer (pgledger.sql loaded into a database of its own, -pgledger-sql; without it a
// minimal equivalent transfer function), 20 workers over 50 and 10 accounts, alternated,
// with p50/p99, the PostgreSQL CPU per transaction read from /proc (the run's own
// backends, and every postgres process) and the load average; then the saga path for
// real: order.created events drained from Kafka by the wallet's consumer in batch mode.
// Both systems first run -warmup operations, then both databases are ANALYZEd and the
// pools reconnected, so neither is planned on the statistics of empty tables (see
// compare.go: pgledger's foreign-key checks otherwise seq-scan its growing tables). The
// consumer framework alone is events/cmd/consumer-bench's subject.
//
//	go run ./cmd/wallet-bench -compare -duration 5s [-pgledger-sql path/to/pgledger.sql]
package main

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime/pprof"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/dizhtime/dizhtime/events/contracts"
	"github.com/dizhtime/dizhtime/events/outbox"
	"github.com/dizhtime/dizhtime/platform/endpoints"
	"github.com/dizhtime/dizhtime/platform/postgres"
	"github.com/dizhtime/dizhtime/subgraphs/wallet/adapters"
	"github.com/dizhtime/dizhtime/subgraphs/wallet/app"
	"github.com/dizhtime/dizhtime/subgraphs/wallet/domain"
	"github.com/dizhtime/dizhtime/subgraphs/wallet/service"
)

type nopGateway struct{}

func (nopGateway) Name() string { return adapters.SandboxName }
func (nopGateway) CreateIntent(context.Context, app.PaymentIntent) error {
	return nil
}

func main() {
	duration := flag.Duration("duration", 3*time.Second, "time per measurement")
	conns := flag.Int("conns", 8, "pooled connections")
	syncCommit := flag.String("sync-commit", "", "SET synchronous_commit for the benchmark's sessions (on/off; empty: server default)")
	clients := flag.String("clients", "1,16,64", "concurrent clients")
	modes := flag.String("modes", "ledger,saga", "ledger and/or saga")
	notify := flag.Bool("outbox-notify", true, "saga: the outbox NOTIFYs the relay at commit (as the service does)")
	compare := flag.Bool("compare", false, "side by side with pgledger: PayOrder (batched) and pgledger's transfer, then the saga through Kafka")
	workers := flag.Int("workers", 20, "compare: concurrent workers")
	accounts := flag.String("accounts", "50,10", "compare: account counts")
	rounds := flag.Int("rounds", 2, "compare: runs per system and account count, alternated")
	pgledgerSQL := flag.String("pgledger-sql", "", "compare: pgledger.sql to load into a separate database (empty: a minimal equivalent transfer function)")
	warmup := flag.Int("warmup", 2000, "compare: operations each system runs (unmeasured) before both databases are ANALYZEd and the pools reconnected")
	analyzeAt := flag.String("analyze-at", "warm", "compare: when both databases are ANALYZEd: warm (after -warmup operations, as a ledger in use) or seed (right after the accounts are seeded, every other table empty: the old harness, whose cached plans seq-scan pgledger's growing tables)")
	flushers := flag.Int("flushers", 0, "compare: batches in flight at once (0: the ledger's default)")
	linger := flag.Duration("linger", 0, "compare: how long a batch waits for more operations (at most 2ms)")
	pipeline := flag.Int("pipeline", 0, "compare: batches each flusher keeps in flight on its connection (1: no pipelining, each batch waits for the previous one's results; 0: the ledger's default)")
	sagaEvents := flag.Int("saga-events", 20000, "compare: order.created events the saga consumer drains per account count (0: skip)")
	sagaOneTx := flag.Bool("saga-one-tx", false, "compare: the saga consumer applies each fetched batch in one transaction across its partitions (consumer.Config.OneTransaction; default false: one transaction per partition side by side, as the service does)")
	sagaByPartition := flag.Bool("saga-by-partition", false, "compare: the saga consumer groups a fetch's events by partition, as before consumer.Config.ShardKey (default: by the customer's wallet, as the service does)")
	sagaBatch := flag.Int("saga-batch", service.Defaults().ConsumerBatchSize, "compare: the saga consumer's batch (messages fetched together; the service's consumer_batch_size)")
	explain := flag.Int("explain", 0, "print the plans of one batch of this many PayOrders (auto_explain) before and after ANALYZE, then exit")
	batchCost := flag.String("batch-cost", "", "print the PostgreSQL CPU of one wallet_post_batch call by batch size (e.g. 1,2,4,8,16,32,64; one connection), fixed and per-operation parts, then exit")
	batchCostSQL := flag.String("batch-cost-sql", "", "-batch-cost: SQL run after the migrations (to measure a schema change before writing its migration)")
	batchCostOps := flag.Int("batch-cost-ops", 2000, "-batch-cost: operations per size")
	cpuProfile := flag.String("cpuprofile", "", "write this process's CPU profile (the callers, the batcher, pgx, the saga consumer) to this file")
	flag.Parse()
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "wallet-bench:", err)
			os.Exit(1)
		}
		defer pprof.StopCPUProfile()
	}
	if *batchCost != "" {
		if err := runBatchCost(*batchCost, *batchCostOps, *batchCostSQL); err != nil {
			fmt.Fprintln(os.Stderr, "wallet-bench:", err)
			os.Exit(1)
		}
		return
	}
	if *explain > 0 {
		if err := runExplain(50, 2000, *explain); err != nil {
			fmt.Fprintln(os.Stderr, "wallet-bench:", err)
			os.Exit(1)
		}
		return
	}
	if *compare {
		if *analyzeAt != "warm" && *analyzeAt != "seed" {
			fmt.Fprintln(os.Stderr, "wallet-bench: -analyze-at wants warm or seed, got", *analyzeAt)
			os.Exit(2)
		}
		cfg := compareConfig{duration: *duration, workers: *workers, conns: int32(*conns), rounds: *rounds,
			pgledger: *pgledgerSQL, sagaEvents: *sagaEvents, sagaBatch: *sagaBatch, sagaOneTx: *sagaOneTx, sagaByPartition: *sagaByPartition, warmup: *warmup, analyzeAt: *analyzeAt,
			batch: adapters.BatchConfig{Flushers: *flushers, Linger: *linger, Pipeline: *pipeline}}
		for _, a := range strings.Split(*accounts, ",") {
			var n int
			if _, err := fmt.Sscan(a, &n); err != nil || n < 2 {
				fmt.Fprintln(os.Stderr, "wallet-bench: -accounts wants numbers >= 2, got", a)
				os.Exit(2)
			}
			cfg.accounts = append(cfg.accounts, n)
		}
		if err := runCompare(cfg); err != nil {
			fmt.Fprintln(os.Stderr, "wallet-bench:", err)
			os.Exit(1)
		}
		return
	}
	if err := run(*duration, int32(*conns), *syncCommit, *clients, *modes, *notify); err != nil {
		fmt.Fprintln(os.Stderr, "wallet-bench:", err)
		os.Exit(1)
	}
}

func run(d time.Duration, conns int32, syncCommit, clientList, modes string, notify bool) error {
	ctx := context.Background()
	schema := fmt.Sprintf("wallet_bench_%d", time.Now().UnixNano()%1e9)
	admin, dropSchema, err := scratchSchema(ctx, schema, 2)
	if err != nil {
		return err
	}
	defer dropSchema()
	var settings []string
	for _, s := range []string{"fsync", "synchronous_commit", "full_page_writes", "shared_buffers", "max_wal_size", "server_version"} {
		var v string
		_ = admin.QueryRow(ctx, "SHOW "+s).Scan(&v)
		settings = append(settings, s+"="+v)
	}
	url := endpoints.Postgres()
	sep := "?"
	if strings.Contains(url, "?") {
		sep = "&"
	}
	url += sep + "search_path=" + schema
	pool, err := postgres.Open(ctx, url, postgres.WithMaxConns(conns), func(c *pgxpool.Config) {
		if syncCommit != "" {
			c.ConnConfig.RuntimeParams["synchronous_commit"] = syncCommit
		}
	})
	if err != nil {
		return err
	}
	defer pool.Close()
	if err := adapters.Migrate(ctx, pool); err != nil {
		return err
	}
	var sc string
	_ = pool.QueryRow(ctx, "SHOW synchronous_commit").Scan(&sc)
	fmt.Printf("server: %s; benchmark sessions: synchronous_commit=%s; pool %d connections; %s per run; outbox notify=%t\n",
		strings.Join(settings, " "), sc, conns, d, notify)

	var ob *outbox.Outbox
	if !notify {
		ob = outbox.New(outbox.WithoutNotify())
	}
	repo := adapters.NewLedgerRepository(pool, ob)
	a, err := app.New(repo, nopGateway{}, app.Config{Loyalty: domain.DefaultLoyalty, Split: domain.Split{PlatformFeeBps: 1500, DriverBps: 1000}})
	if err != nil {
		return err
	}
	const spread, hot = 1000, 10
	for i := range spread {
		if _, err := a.TopUpCredited(ctx, fmt.Sprintf("c%d", i), adapters.SandboxName, fmt.Sprintf("seed-%d", i), domain.MustMoney(1<<50, "UZS")); err != nil {
			return err
		}
	}
	fmt.Printf("%-6s %-7s %7s %10s %10s\n", "mode", "accts", "clients", "tx/s", "p50 ms")
	for _, mode := range strings.Split(modes, ",") {
		for _, accounts := range []int{spread, hot} {
			for _, cs := range strings.Split(clientList, ",") {
				var c int
				fmt.Sscan(cs, &c)
				n, p50, err := measure(ctx, a, repo, pool, mode, accounts, c, d)
				if err != nil {
					return err
				}
				label := "spread"
				if accounts == hot {
					label = "hot"
				}
				fmt.Printf("%-6s %-7s %7d %10.0f %10.2f\n", mode, fmt.Sprintf("%s/%d", label, accounts), c, n, p50)
			}
		}
	}
	return nil
}

func measure(ctx context.Context, a *app.Application, repo *adapters.LedgerRepository, pool *pgxpool.Pool, mode string, accounts, clients int, d time.Duration) (float64, float64, error) {
	var (
		done     atomic.Int64
		firstErr atomic.Value
		wg       sync.WaitGroup
		latMu    sync.Mutex
		lats     []time.Duration
	)
	stop := time.Now().Add(d)
	for range clients {
		wg.Go(func() {
			var mine []time.Duration
			for time.Now().Before(stop) {
				order := uuid.NewString()
				customer := fmt.Sprintf("c%d", rand.IntN(accounts))
				start := time.Now()
				var err error
				switch mode {
				case "ledger":
					_, err = a.PayOrder(ctx, app.PayOrderCommand{PayOrder: domain.PayOrder{OrderID: order, CustomerID: customer,
						Total: domain.MustMoney(1000, "UZS")}, RestaurantID: "r1", IdempotencyKey: "pay:" + order, Actor: "bench"})
				case "saga":
					err = pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
						if _, err := tx.Exec(ctx, `INSERT INTO processed_events (consumer, event_id) VALUES ('wallet-bench', $1)`, uuid.NewString()); err != nil {
							return err
						}
						m := contracts.Money{AmountMinor: 1000, Currency: "UZS"}
						return a.OnOrderCreated(ctx, repo.Bound(tx), contracts.OrderCreatedV2{OrderID: order, CustomerID: customer,
							RestaurantID: "r1", Subtotal: m, Total: m, PlacedAt: time.Now()})
					})
				}
				if err != nil {
					firstErr.CompareAndSwap(nil, err)
					return
				}
				mine = append(mine, time.Since(start))
				done.Add(1)
			}
			latMu.Lock()
			lats = append(lats, mine...)
			latMu.Unlock()
		})
	}
	wg.Wait()
	if e := firstErr.Load(); e != nil {
		return 0, 0, e.(error)
	}
	p50 := 0.0
	if len(lats) > 0 {
		sortDurations(lats)
		p50 = float64(lats[len(lats)/2].Microseconds()) / 1000
	}
	return float64(done.Load()) / d.Seconds(), p50, nil
}

func sortDurations(d []time.Duration) {
	// insertion-free: use the standard library
	slicesSort(d)
}

// scratchSchema opens an admin pool of conns connections and creates schema for one run;
// drop removes the schema with everything in it and closes the pool.
func scratchSchema(ctx context.Context, schema string, conns int32) (admin *pgxpool.Pool, drop func(), err error) {
	admin, err = postgres.Open(ctx, endpoints.Postgres(), postgres.WithMaxConns(conns))
	if err != nil {
		return nil, nil, err
	}
	if _, err := admin.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		admin.Close()
		return nil, nil, err
	}
	return admin, func() {
		admin.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
		admin.Close()
	}, nil
}
