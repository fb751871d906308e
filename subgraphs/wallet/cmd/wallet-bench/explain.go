package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/dizhtime/dizhtime/platform/endpoints"
	"github.com/dizhtime/dizhtime/platform/postgres"
	"github.com/dizhtime/dizhtime/subgraphs/wallet/adapters"
	"github.com/dizhtime/dizhtime/subgraphs/wallet/domain"
)

// runExplain prints the plans and timings of the statements inside one batch of
// PayOrders (auto_explain, nested statements, on one connection), on a freshly migrated
// schema after seeding accounts and `warm` batches, then the same after ANALYZE: which
// statement the planner gets wrong while the statistics are those of the empty tables.
func runExplain(accounts, warmOps, batch int) error {
	ctx := context.Background()
	schema := fmt.Sprintf("wallet_explain_%d", rand.IntN(1e9))
	_, dropSchema, err := scratchSchema(ctx, schema, 1)
	if err != nil {
		return err
	}
	defer dropSchema()
	var (
		mu      sync.Mutex
		notices []string
		capture bool
	)
	pool, err := postgres.Open(ctx, withParam(endpoints.Postgres(), "search_path", schema), postgres.WithMaxConns(1), func(c *pgxpool.Config) {
		c.ConnConfig.OnNotice = func(_ *pgconn.PgConn, n *pgconn.Notice) {
			mu.Lock()
			if capture {
				notices = append(notices, n.Message)
			}
			mu.Unlock()
		}
	})
	if err != nil {
		return err
	}
	defer pool.Close()
	if err := adapters.Migrate(ctx, pool); err != nil {
		return err
	}
	repo := adapters.NewLedgerRepository(pool, nil).WithBatching(adapters.BatchConfig{Linger: 2e6})
	wallet, err := newApp(repo)
	if err != nil {
		return err
	}
	for i := range accounts {
		if _, err := wallet.TopUpCredited(ctx, fmt.Sprintf("c%d", i), adapters.SandboxName, fmt.Sprintf("seed-%d", i), domain.MustMoney(1<<50, "UZS")); err != nil {
			return err
		}
	}
	payBatch := func(n int) error {
		var wg sync.WaitGroup
		errs := make(chan error, n)
		for range n {
			wg.Go(func() {
				order := uuid.NewString()
				if _, err := wallet.PayOrder(ctx, appPay(order, fmt.Sprintf("c%d", rand.IntN(accounts)))); err != nil {
					errs <- err
				}
			})
		}
		wg.Wait()
		close(errs)
		return <-errs
	}
	for done := 0; done < warmOps; done += batch {
		if err := payBatch(batch); err != nil {
			return err
		}
	}
	for _, phase := range []string{"statistics from the migration", "after ANALYZE"} {
		if phase == "after ANALYZE" {
			if _, err := pool.Exec(ctx, "ANALYZE"); err != nil {
				return err
			}
		}
		for _, s := range []string{"LOAD 'auto_explain'", "SET auto_explain.log_min_duration = 0", "SET auto_explain.log_analyze = on",
			"SET auto_explain.log_nested_statements = on", "SET auto_explain.log_level = notice", "SET auto_explain.log_buffers = on"} {
			if _, err := pool.Exec(ctx, s); err != nil {
				return fmt.Errorf("%s: %w", s, err)
			}
		}
		mu.Lock()
		capture, notices = true, nil
		mu.Unlock()
		if err := payBatch(batch); err != nil {
			return err
		}
		mu.Lock()
		capture = false
		got := notices
		mu.Unlock()
		if _, err := pool.Exec(ctx, "SET auto_explain.log_min_duration = -1"); err != nil {
			return err
		}
		fmt.Printf("=== %s: %d accounts, %d PayOrders before, one batch of %d\n", phase, accounts, warmOps, batch)
		for _, n := range got {
			fmt.Println(strings.TrimSpace(n))
			fmt.Println("---")
		}
	}
	return nil
}
