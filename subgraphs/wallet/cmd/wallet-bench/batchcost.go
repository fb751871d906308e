package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/dizhtime/dizhtime/platform/endpoints"
	"github.com/dizhtime/dizhtime/platform/postgres"
	"github.com/dizhtime/dizhtime/subgraphs/wallet/adapters"
	"github.com/dizhtime/dizhtime/subgraphs/wallet/app"
	"github.com/dizhtime/dizhtime/subgraphs/wallet/domain"
)

// runBatchCost measures what one wallet_post_batch call costs its PostgreSQL backend, by
// batch size: PayOrder requests (each over its own customer, so nothing waits) posted in
// batches of each size, one after another on ONE connection, the backend's CPU read from
// /proc before and after. A least-squares line through the per-batch figures splits the
// cost into a fixed part per call and a part per operation: what the batcher's batch
// size (and so the number of flushers) trades against.
func runBatchCost(sizes string, ops int, extraSQL string) error {
	ctx := context.Background()
	schema := "wallet_batchcost_" + strconv.Itoa(rand.IntN(1e9))
	_, dropSchema, err := scratchSchema(ctx, schema, 1)
	if err != nil {
		return err
	}
	defer dropSchema()
	pool, err := postgres.Open(ctx, withParam(endpoints.Postgres(), "search_path", schema), postgres.WithMaxConns(1))
	if err != nil {
		return err
	}
	defer pool.Close()
	if err := adapters.Migrate(ctx, pool); err != nil {
		return err
	}
	if extraSQL != "" {
		b, err := os.ReadFile(extraSQL)
		if err != nil {
			return err
		}
		if _, err := pool.Exec(ctx, string(b)); err != nil {
			return fmt.Errorf("-batch-cost-sql: %w", err)
		}
	}
	repo := adapters.NewLedgerRepository(pool, nil)
	wallet, err := newApp(repo)
	if err != nil {
		return err
	}
	const customers = 64
	for i := range customers {
		if _, err := wallet.TopUpCredited(ctx, fmt.Sprintf("c%d", i), adapters.SandboxName, fmt.Sprintf("seed-%d", i), domain.MustMoney(1<<50, "UZS")); err != nil {
			return err
		}
	}
	req := func(i int) app.PostRequest {
		order := uuid.NewString()
		tx, err := domain.Pay(domain.PayOrder{OrderID: order, CustomerID: fmt.Sprintf("c%d", i%customers), Total: domain.MustMoney(1000, "UZS")}, domain.DefaultLoyalty)
		if err != nil {
			panic(err)
		}
		return app.PostRequest{Tx: tx, TxID: uuid.Must(uuid.NewV7()).String(), IdempotencyKey: "pay:" + order,
			RequestHash: []byte("pay|" + order), Counterparty: "r1", Actor: "bench"}
	}
	var pid int
	if err := pool.QueryRow(ctx, `SELECT pg_backend_pid()`).Scan(&pid); err != nil {
		return err
	}
	run := func(size, n int) (time.Duration, error) {
		t0, _, _ := procCPU(pid)
		for b := 0; b < n; b++ {
			reqs := make([]app.PostRequest, size)
			for i := range reqs {
				reqs[i] = req(i)
			}
			_, errs, err := repo.PostBatch(ctx, reqs)
			if err != nil {
				return 0, err
			}
			for _, e := range errs {
				if e != nil {
					return 0, e
				}
			}
		}
		t1, _, _ := procCPU(pid)
		return t1 - t0, nil
	}
	// Warm up, then ANALYZE (as the compare run does) and warm the plans again.
	if _, err := run(16, ops/16+1); err != nil {
		return err
	}
	if _, err := pool.Exec(ctx, "ANALYZE"); err != nil {
		return err
	}
	if _, err := run(8, 20); err != nil {
		return err
	}
	fmt.Printf("wallet_post_batch, PayOrders on one connection (backend pid %d), backend CPU from /proc (10 ms ticks), %d operations per size; load %s\n", pid, ops, loadavg())
	fmt.Printf("%6s %9s %12s %10s\n", "size", "batches", "µs/batch", "µs/op")
	var xs, ys []float64
	for _, s := range strings.Split(sizes, ",") {
		size, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || size < 1 || size > 64 {
			return fmt.Errorf("-batch-cost wants sizes within 1..64, got %q", s)
		}
		n := max(ops/size, 1)
		cpu, err := run(size, n)
		if err != nil {
			return err
		}
		perBatch := float64(cpu.Microseconds()) / float64(n)
		fmt.Printf("%6d %9d %12.0f %10.0f\n", size, n, perBatch, perBatch/float64(size))
		xs, ys = append(xs, float64(size)), append(ys, perBatch)
	}
	if len(xs) >= 2 {
		var mx, my float64
		for i := range xs {
			mx, my = mx+xs[i], my+ys[i]
		}
		mx, my = mx/float64(len(xs)), my/float64(len(xs))
		var sxy, sxx float64
		for i := range xs {
			sxy += (xs[i] - mx) * (ys[i] - my)
			sxx += (xs[i] - mx) * (xs[i] - mx)
		}
		slope := sxy / sxx
		fmt.Printf("fit: %.0f µs fixed per call + %.0f µs per operation\n", my-slope*mx, slope)
	}
	return nil
}
