package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/dizhtime/dizhtime/platform/endpoints"
	"github.com/dizhtime/dizhtime/platform/postgres"
	"github.com/dizhtime/dizhtime/subgraphs/wallet/adapters"
	"github.com/dizhtime/dizhtime/subgraphs/wallet/app"
	"github.com/dizhtime/dizhtime/subgraphs/wallet/domain"
)

// compareConfig is the side-by-side run: DizhTime's PayOrder and pgledger's transfer,
// the same workers, accounts and pool size, alternated in one run.
type compareConfig struct {
	duration   time.Duration
	workers    int
	accounts   []int
	conns      int32
	rounds     int
	pgledger   string // path of pgledger.sql; "" = the minimal equivalent below
	sagaEvents int
	sagaBatch  int
	sagaOneTx  bool
	// sagaByPartition groups the saga consumer's fetches by partition (no ShardKey).
	sagaByPartition bool
	warmup          int    // operations each system runs before ANALYZE (analyzeAt "warm")
	analyzeAt       string // "warm" or "seed"
	batch           adapters.BatchConfig
}

// minimalTransfer is what stands in for pgledger when its SQL is not at hand: a transfer
// between two accounts with pgledger's shape (accounts locked in id order, balances and
// versions updated, one transfer row and two entry rows), no idempotency, audit or event.
const minimalTransfer = `
CREATE TABLE pgledger_accounts (id text PRIMARY KEY, name text NOT NULL, currency text NOT NULL,
	balance numeric NOT NULL DEFAULT 0, version bigint NOT NULL DEFAULT 0,
	allow_negative_balance boolean NOT NULL DEFAULT true, created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE pgledger_transfers (id text PRIMARY KEY, from_account_id text NOT NULL REFERENCES pgledger_accounts,
	to_account_id text NOT NULL REFERENCES pgledger_accounts, amount numeric NOT NULL, created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE pgledger_entries (id text PRIMARY KEY, account_id text NOT NULL REFERENCES pgledger_accounts,
	transfer_id text NOT NULL REFERENCES pgledger_transfers, amount numeric NOT NULL,
	account_previous_balance numeric NOT NULL, account_current_balance numeric NOT NULL,
	account_version bigint NOT NULL, created_at timestamptz NOT NULL DEFAULT now());
CREATE INDEX ON pgledger_transfers (from_account_id);
CREATE INDEX ON pgledger_transfers (to_account_id);
CREATE INDEX ON pgledger_entries (account_id);
CREATE INDEX ON pgledger_entries (transfer_id);
CREATE FUNCTION pgledger_create_account(p_name text, p_currency text) RETURNS TABLE (id text) LANGUAGE sql AS $$
	INSERT INTO pgledger_accounts (id, name, currency) VALUES ('pgla_' || gen_random_uuid(), p_name, p_currency) RETURNING id $$;
CREATE FUNCTION pgledger_create_transfer(p_from text, p_to text, p_amount numeric) RETURNS TABLE (id text) LANGUAGE plpgsql AS $$
DECLARE
	v_id text := 'pglt_' || gen_random_uuid();
	f pgledger_accounts;
	t pgledger_accounts;
BEGIN
	PERFORM 1 FROM pgledger_accounts a WHERE a.id IN (p_from, p_to) ORDER BY a.id FOR UPDATE;
	UPDATE pgledger_accounts a SET balance = a.balance - p_amount, version = a.version + 1, updated_at = now()
		WHERE a.id = p_from RETURNING * INTO f;
	UPDATE pgledger_accounts a SET balance = a.balance + p_amount, version = a.version + 1, updated_at = now()
		WHERE a.id = p_to RETURNING * INTO t;
	INSERT INTO pgledger_transfers (id, from_account_id, to_account_id, amount) VALUES (v_id, p_from, p_to, p_amount);
	INSERT INTO pgledger_entries (id, account_id, transfer_id, amount, account_previous_balance, account_current_balance, account_version)
		VALUES ('pgle_' || gen_random_uuid(), p_from, v_id, -p_amount, f.balance + p_amount, f.balance, f.version),
		       ('pgle_' || gen_random_uuid(), p_to, v_id, p_amount, t.balance - p_amount, t.balance, t.version);
	RETURN QUERY SELECT v_id;
END $$;`

// ulidShim stands in for the scoville-pgsql-ulid extension pgledger.sql calls: the id's
// text form without dashes (cheaper than a real ULID encoding, which favours pgledger).
const ulidShim = `CREATE FUNCTION uuid_to_ulid(u uuid) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT replace(u::text, '-', '') $$;`

// figures is one measured run.
type figures struct {
	system          string
	accounts        int
	tx              int64
	elapsed         time.Duration
	p50, p99        time.Duration
	backendCPU      time.Duration // the run's own PostgreSQL backends
	serverCPU       time.Duration // every postgres process (others' load included)
	loadEnd         string
	batches, posted int64
	clientCPU       time.Duration // this process: the callers, the batcher, pgx
}

func (f figures) rate() float64 { return float64(f.tx) / f.elapsed.Seconds() }

func (f figures) cpuPerTx(d time.Duration) float64 {
	if f.tx == 0 {
		return 0
	}
	return float64(d.Microseconds()) / float64(f.tx)
}

func runCompare(cfg compareConfig) error {
	ctx := context.Background()
	suffix := strconv.FormatInt(time.Now().UnixNano()%1e9, 10)
	schema := "wallet_bench_" + suffix
	admin, dropSchema, err := scratchSchema(ctx, schema, 2)
	if err != nil {
		return err
	}
	defer dropSchema()
	pgdb := "pgledger_bench_" + suffix
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+pgdb); err != nil {
		return fmt.Errorf("a separate database for pgledger: %w", err)
	}
	defer admin.Exec(context.Background(), "DROP DATABASE "+pgdb+" WITH (FORCE)")

	app := "wallet-bench-" + suffix
	walletPool, err := openPool(ctx, withParam(endpoints.Postgres(), "search_path", schema), cfg.conns, app+"-wallet", sagaTx.Option())
	if err != nil {
		return err
	}
	defer walletPool.Close()
	pgURL, err := postgres.EnsureDatabase(ctx, endpoints.Postgres(), pgdb)
	if err != nil {
		return err
	}
	pgPool, err := openPool(ctx, pgURL, cfg.conns, app+"-pgledger")
	if err != nil {
		return err
	}
	defer pgPool.Close()

	source := "minimal equivalent transfer function (pgledger.sql not given: -pgledger-sql)"
	schemaSQL := minimalTransfer
	if cfg.pgledger != "" {
		b, err := os.ReadFile(cfg.pgledger)
		if err != nil {
			return fmt.Errorf("pgledger SQL: %w", err)
		}
		schemaSQL = ulidShim + "\n" + string(b)
		abs, _ := filepath.Abs(cfg.pgledger)
		source = "pgledger.sql from " + abs + " (uuid_to_ulid shimmed)"
	}
	if _, err := pgPool.Exec(ctx, schemaSQL); err != nil {
		return fmt.Errorf("load pgledger: %w", err)
	}
	if err := adapters.Migrate(ctx, walletPool); err != nil {
		return err
	}
	repo := adapters.NewLedgerRepository(walletPool, nil).WithBatching(cfg.batch)
	wallet, err := newApp(repo)
	if err != nil {
		return err
	}
	maxAccts := 0
	for _, n := range cfg.accounts {
		maxAccts = max(maxAccts, n)
	}
	for i := range maxAccts {
		if _, err := wallet.TopUpCredited(ctx, fmt.Sprintf("c%d", i), adapters.SandboxName, fmt.Sprintf("seed-%d", i), domain.MustMoney(1<<50, "UZS")); err != nil {
			return err
		}
	}
	pgAccounts := make([]string, maxAccts)
	for i := range pgAccounts {
		if err := pgPool.QueryRow(ctx, `SELECT id FROM pgledger_create_account('acct', 'UZS')`).Scan(&pgAccounts[i]); err != nil {
			return fmt.Errorf("pgledger account: %w", err)
		}
	}
	pgledgerTransfer := func(accts int) func(context.Context) error {
		return func(ctx context.Context) error {
			perm := rand.Perm(accts)
			_, err := pgPool.Exec(ctx, `SELECT id FROM pgledger_create_transfer($1, $2, $3::numeric)`,
				pgAccounts[perm[0]], pgAccounts[perm[1]], 1+rand.IntN(1000))
			return err
		}
	}
	payOrder := func(accts int) func(context.Context) error {
		return func(ctx context.Context) error {
			_, err := wallet.PayOrder(ctx, appPay(uuid.NewString(), fmt.Sprintf("c%d", rand.IntN(accts))))
			return err
		}
	}
	// Statistics as a ledger in use has them. ANALYZE right after seeding (-analyze-at
	// seed, the old harness) records pgledger_transfers and pgledger_entries as empty:
	// the foreign-key checks' cached plans (entries -> transfers, -> accounts) then
	// seq-scan tables that grow by thousands of rows a second, and stay so until
	// autovacuum happens to analyse the new database; pgledger paid 1.3-2.9 ms of
	// backend CPU per transfer for it. So both systems first run cfg.warmup operations,
	// then both databases are analysed and the pools reconnected (no session keeps a
	// plan made before).
	analyze := func() error {
		for _, p := range []*pgxpool.Pool{pgPool, walletPool} {
			if _, err := p.Exec(ctx, "ANALYZE"); err != nil {
				return err
			}
		}
		return nil
	}
	statsNote := "ANALYZE right after seeding (pgledger's transfers and entries empty)"
	if cfg.analyzeAt == "seed" {
		if err := analyze(); err != nil {
			return err
		}
	} else {
		for _, w := range []struct {
			pool *pgxpool.Pool
			op   func(context.Context) error
		}{{pgPool, pgledgerTransfer(maxAccts)}, {walletPool, payOrder(maxAccts)}} {
			if err := runOps(ctx, cfg.workers, cfg.warmup, w.op); err != nil {
				return fmt.Errorf("warm-up: %w", err)
			}
		}
		if err := analyze(); err != nil {
			return err
		}
		pgPool.Reset()
		walletPool.Reset()
		statsNote = fmt.Sprintf("ANALYZE after %d warm-up operations per system, pools reconnected", cfg.warmup)
	}
	fmt.Printf("wallet PayOrder vs pgledger transfer: %d workers, %s per run, %d round(s) alternated, pool %d connections each; %s; pgledger: %s\n",
		cfg.workers, cfg.duration, cfg.rounds, cfg.conns, statsNote, source)
	scans0, err := tableScans(ctx, pgPool, walletPool)
	if err != nil {
		return err
	}

	var all []figures
	for _, accts := range cfg.accounts {
		for round := range cfg.rounds {
			systems := []string{"pgledger", "payorder"}
			if round%2 == 1 {
				systems = []string{"payorder", "pgledger"}
			}
			for _, sys := range systems {
				var f figures
				var err error
				switch sys {
				case "pgledger":
					f, err = measureClosedLoop(ctx, pgPool, app+"-pgledger", sys, accts, cfg, pgledgerTransfer(accts))
				case "payorder":
					b0, o0 := repo.BatchStats()
					f, err = measureClosedLoop(ctx, walletPool, app+"-wallet", sys, accts, cfg, payOrder(accts))
					b1, o1 := repo.BatchStats()
					f.batches, f.posted = b1-b0, o1-o0
				}
				if err != nil {
					return fmt.Errorf("%s over %d accounts: %w", sys, accts, err)
				}
				all = append(all, f)
			}
		}
	}
	scans1, err := tableScans(ctx, pgPool, walletPool)
	if err != nil {
		return err
	}
	sagas := map[int]figures{}
	if cfg.sagaEvents > 0 {
		for _, accts := range cfg.accounts {
			f, err := measureSaga(ctx, walletPool, app+"-wallet", wallet, repo, accts, cfg.sagaEvents, cfg.sagaBatch, cfg.sagaOneTx, cfg.sagaByPartition)
			if err != nil {
				return fmt.Errorf("saga over %d accounts: %w", accts, err)
			}
			sagas[accts] = f
		}
	}
	if err := checkLedger(ctx, walletPool); err != nil {
		return err
	}
	printCompare(all, sagas, cfg)
	printScans(scans0, scans1)
	return nil
}

// runOps runs n operations over workers workers, unmeasured (the warm-up).
func runOps(ctx context.Context, workers, n int, op func(context.Context) error) error {
	var (
		next     atomic.Int64
		firstErr atomic.Value
		wg       sync.WaitGroup
	)
	for range workers {
		wg.Go(func() {
			for next.Add(1) <= int64(n) {
				if err := op(ctx); err != nil {
					firstErr.CompareAndSwap(nil, err)
					return
				}
			}
		})
	}
	wg.Wait()
	if e := firstErr.Load(); e != nil {
		return e.(error)
	}
	return nil
}

// tableScans reads, per table of both ledgers, how many sequential and index scans
// PostgreSQL counted (pg_stat_user_tables of each pool's current schema: pgledger's
// database, the wallet's schema). The counters are
// flushed by each backend at most once a second, hence the pause.
func tableScans(ctx context.Context, pools ...*pgxpool.Pool) (map[string][2]int64, error) {
	time.Sleep(1500 * time.Millisecond)
	out := map[string][2]int64{}
	for _, p := range pools {
		rows, _ := p.Query(ctx, `SELECT relname, coalesce(seq_scan, 0), coalesce(idx_scan, 0) FROM pg_stat_user_tables
			WHERE schemaname = current_schema()`)
		for rows.Next() {
			var name string
			var seq, idx int64
			if err := rows.Scan(&name, &seq, &idx); err != nil {
				return nil, err
			}
			out[name] = [2]int64{seq, idx}
		}
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// printScans says which tables were read by sequential scan during the measured rounds:
// on tables that grow during a run that is a plan made on stale statistics.
func printScans(before, after map[string][2]int64) {
	var parts []string
	for _, name := range sortedKeys(after) {
		d := [2]int64{after[name][0] - before[name][0], after[name][1] - before[name][1]}
		if d[0] == 0 && d[1] == 0 {
			continue
		}
		parts = append(parts, fmt.Sprintf("%s %d seq / %d idx", name, d[0], d[1]))
	}
	fmt.Printf("scans during the measured rounds (pg_stat_user_tables): %s\n", strings.Join(parts, ", "))
}

func appPay(order, customer string) app.PayOrderCommand {
	return app.PayOrderCommand{PayOrder: domain.PayOrder{OrderID: order, CustomerID: customer,
		Total: domain.MustMoney(1000, "UZS")}, RestaurantID: "r1", IdempotencyKey: "pay:" + order, Actor: "bench"}
}

func withParam(url, k, v string) string {
	sep := "?"
	if strings.Contains(url, "?") {
		sep = "&"
	}
	return url + sep + k + "=" + v
}

// openPool opens a pool of exactly conns connections named app (application_name), so
// the run's own backends can be found in pg_stat_activity and read in /proc.
func openPool(ctx context.Context, url string, conns int32, appName string, opts ...postgres.Option) (*pgxpool.Pool, error) {
	return postgres.Open(ctx, url, append([]postgres.Option{postgres.WithMaxConns(conns), func(c *pgxpool.Config) {
		c.MinConns = conns
		c.ConnConfig.RuntimeParams["application_name"] = appName
	}}, opts...)...)
}

// sagaTx times the saga consumer's transactions on the wallet's pool: from taking a
// pooled connection to handing it back (one partition batch: dedupe, payments, outbox
// rows, commit). Recording is on only while measureSaga's window is open.
var sagaTx = &postgres.HoldTimes{}

// measureClosedLoop runs cfg.workers workers calling op back to back for cfg.duration.
func measureClosedLoop(ctx context.Context, pool *pgxpool.Pool, appName, system string, accounts int, cfg compareConfig, op func(context.Context) error) (figures, error) {
	var (
		done     atomic.Int64
		firstErr atomic.Value
		wg       sync.WaitGroup
		mu       sync.Mutex
		lats     []time.Duration
	)
	warm(ctx, pool, cfg.conns)
	cpu0, err := postgresCPU(ctx, pool, appName)
	if err != nil {
		return figures{}, err
	}
	self0 := selfCPU()
	start := time.Now()
	stop := start.Add(cfg.duration)
	for range cfg.workers {
		wg.Go(func() {
			var mine []time.Duration
			for time.Now().Before(stop) {
				t0 := time.Now()
				if err := op(ctx); err != nil {
					firstErr.CompareAndSwap(nil, err)
					return
				}
				mine = append(mine, time.Since(t0))
				done.Add(1)
			}
			mu.Lock()
			lats = append(lats, mine...)
			mu.Unlock()
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	self1 := selfCPU()
	if e := firstErr.Load(); e != nil {
		return figures{}, e.(error)
	}
	cpu1, err := postgresCPU(ctx, pool, appName)
	if err != nil {
		return figures{}, err
	}
	f := figures{system: system, accounts: accounts, tx: done.Load(), elapsed: elapsed,
		backendCPU: cpu1.backends - cpu0.backends, serverCPU: cpu1.serverSince(cpu0), loadEnd: loadavg(), clientCPU: self1 - self0}
	f.p50, f.p99 = percentiles(lats)
	return f, nil
}

func warm(ctx context.Context, pool *pgxpool.Pool, n int32) {
	var conns []*pgxpool.Conn
	for range n {
		c, err := pool.Acquire(ctx)
		if err != nil {
			break
		}
		conns = append(conns, c)
	}
	for _, c := range conns {
		c.Release()
	}
}

func percentiles(lats []time.Duration) (p50, p99 time.Duration) {
	if len(lats) == 0 {
		return 0, 0
	}
	slicesSort(lats)
	return lats[len(lats)/2], lats[min(len(lats)-1, len(lats)*99/100)]
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

// cpuSample is CPU time so far: of the run's backends, and per postgres process (a
// process that exits between two samples drops out of the difference instead of making
// it negative, so the server figure undercounts rather than overcounts).
type cpuSample struct {
	backends time.Duration
	server   map[int]time.Duration
}

// serverSince is the CPU every postgres process alive at s spent since prev.
func (s cpuSample) serverSince(prev cpuSample) time.Duration {
	var d time.Duration
	for pid, t := range s.server {
		d += t - prev.server[pid] // a process started meanwhile counts whole
	}
	return d
}

// postgresCPU reads user+system CPU from /proc: of the backends serving application
// appName, and of every process named postgres (the server's background writers
// included, and whatever else the shared server runs meanwhile).
func postgresCPU(ctx context.Context, pool *pgxpool.Pool, appName string) (cpuSample, error) {
	rows, _ := pool.Query(ctx, `SELECT pid FROM pg_stat_activity WHERE application_name = $1`, appName)
	var pids []int
	for rows.Next() {
		var pid int
		if err := rows.Scan(&pid); err != nil {
			return cpuSample{}, err
		}
		pids = append(pids, pid)
	}
	if err := rows.Err(); err != nil {
		return cpuSample{}, err
	}
	s := cpuSample{server: map[int]time.Duration{}}
	for _, pid := range pids {
		if t, _, ok := procCPU(pid); ok {
			s.backends += t
		}
	}
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if t, comm, ok := procCPU(pid); ok && comm == "postgres" {
			s.server[pid] = t
		}
	}
	return s, nil
}

// procCPU is utime+stime of pid (clock ticks of 10ms) and its command name.
func procCPU(pid int) (time.Duration, string, bool) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, "", false
	}
	s := string(b)
	open, closing := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
	if open < 0 || closing < open {
		return 0, "", false
	}
	comm := s[open+1 : closing]
	f := strings.Fields(s[closing+1:])
	if len(f) < 13 {
		return 0, "", false
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+st) * 10 * time.Millisecond, comm, true
}

// checkLedger: after everything, every currency sums to zero and no customer wallet is
// negative (the guarantees the figures were bought with).
func checkLedger(ctx context.Context, pool *pgxpool.Pool) error {
	var unbalanced, negative int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM (SELECT currency FROM accounts GROUP BY currency HAVING sum(balance) <> 0) x`).Scan(&unbalanced); err != nil {
		return err
	}
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM accounts WHERE NOT allow_negative AND balance < 0`).Scan(&negative); err != nil {
		return err
	}
	if unbalanced != 0 || negative != 0 {
		return fmt.Errorf("ledger broken after the run: %d unbalanced currencies, %d negative accounts", unbalanced, negative)
	}
	return nil
}

func printCompare(all []figures, sagas map[int]figures, cfg compareConfig) {
	fmt.Println()
	fmt.Printf("%-9s %-6s %9s %8s %8s %14s %14s %10s %12s %6s %s\n", "system", "accts", "tx/s", "p50 ms", "p99 ms", "pg backend µs/tx", "all pg µs/tx", "tx/PG-CPU-s", "client µs/tx", "batch", "load at end")
	sum := map[string]map[int]*figures{}
	for _, f := range all {
		batch := "-"
		if f.batches > 0 {
			batch = fmt.Sprintf("%.1f", float64(f.posted)/float64(f.batches))
		}
		fmt.Printf("%-9s %-6d %9.0f %8.2f %8.2f %14.0f %14.0f %10.0f %12.0f %6s %s\n", f.system, f.accounts, f.rate(),
			ms(f.p50), ms(f.p99), f.cpuPerTx(f.backendCPU), f.cpuPerTx(f.serverCPU), perCPUSecond(f.tx, f.backendCPU), f.cpuPerTx(f.clientCPU), batch, f.loadEnd)
		if sum[f.system] == nil {
			sum[f.system] = map[int]*figures{}
		}
		agg := sum[f.system][f.accounts]
		if agg == nil {
			c := f
			sum[f.system][f.accounts] = &c
			continue
		}
		agg.tx += f.tx
		agg.elapsed += f.elapsed
		agg.backendCPU += f.backendCPU
		agg.serverCPU += f.serverCPU
		agg.clientCPU += f.clientCPU
		agg.p99 = max(agg.p99, f.p99)
	}
	for _, accts := range cfg.accounts {
		if s, ok := sagas[accts]; ok {
			fmt.Printf("%-9s %-6d %9.0f %8.2f %8.2f %14.0f %14.0f %10s %12s %6s %s (p50/p99: one consumer transaction)\n", "saga", accts, s.rate(), ms(s.p50), ms(s.p99),
				s.cpuPerTx(s.backendCPU), s.cpuPerTx(s.serverCPU), fmt.Sprintf("%.0f", perCPUSecond(s.tx, s.backendCPU)), "-",
				fmt.Sprintf("%.1f", float64(s.posted)/float64(max(s.batches, 1))), s.loadEnd)
		}
	}
	fmt.Println()
	for _, accts := range cfg.accounts {
		pg, po := sum["pgledger"][accts], sum["payorder"][accts]
		if pg == nil || po == nil {
			continue
		}
		line := fmt.Sprintf("ratio %d accounts: payorder %.0f tx/s (p99 %.2f ms) vs pgledger %.0f tx/s (p99 %.2f ms) = %.2fx; Postgres backend CPU per tx %.0f vs %.0f µs = %.2fx (capacity %.0f vs %.0f tx per PG CPU-second = %.2fx); client CPU per tx %.0f vs %.0f µs",
			accts, po.rate(), ms(po.p99), pg.rate(), ms(pg.p99), po.rate()/pg.rate(),
			po.cpuPerTx(po.backendCPU), pg.cpuPerTx(pg.backendCPU), po.cpuPerTx(po.backendCPU)/max(pg.cpuPerTx(pg.backendCPU), 1),
			perCPUSecond(po.tx, po.backendCPU), perCPUSecond(pg.tx, pg.backendCPU), perCPUSecond(po.tx, po.backendCPU)/max(perCPUSecond(pg.tx, pg.backendCPU), 1),
			po.cpuPerTx(po.clientCPU), pg.cpuPerTx(pg.clientCPU))
		if s, ok := sagas[accts]; ok {
			line += fmt.Sprintf("; saga %.0f events/s = %.2fx pgledger, backend CPU %.0f µs/event, consumer transaction p50 %.2f ms p99 %.2f ms (%.1f events each)",
				s.rate(), s.rate()/pg.rate(), s.cpuPerTx(s.backendCPU), ms(s.p50), ms(s.p99), float64(s.posted)/float64(max(s.batches, 1)))
		}
		fmt.Println(line)
	}
	fmt.Printf("load average at the end (1m 5m 15m): %s\n", loadavg())
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// perCPUSecond is capacity: operations one CPU-second of that side paid for.
func perCPUSecond(n int64, cpu time.Duration) float64 {
	if cpu <= 0 {
		return 0
	}
	return float64(n) / cpu.Seconds()
}

// selfCPU is this process's user+system CPU so far.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
