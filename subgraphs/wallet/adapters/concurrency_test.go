package adapters_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/dizhtime/dizhtime/subgraphs/wallet/adapters"
	"github.com/dizhtime/dizhtime/subgraphs/wallet/app"
	"github.com/dizhtime/dizhtime/subgraphs/wallet/domain"
	"github.com/dizhtime/dizhtime/subgraphs/wallet/internal/testdb"
)

// workload runs n random operations on a few hot accounts: top-ups (with a points
// grant), payments (every other one partly with points) and partial refunds, every one
// sent twice under the same idempotency key (a client retrying).
func workload(ctx context.Context, a *app.Application, seed uint64, n, workers int) (errs []error) {
	var mu sync.Mutex
	jobs := make(chan int)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(seed, uint64(w)))
			for i := range jobs {
				user := fmt.Sprintf("u%d", rng.IntN(4))
				order := fmt.Sprintf("o%d-%d", seed, rng.IntN(n/3+1))
				var err error
				for range 2 {
					switch i % 3 {
					case 0:
						_, err = a.TopUpCredited(ctx, user, "sandbox", fmt.Sprintf("pi-%d-%d", seed, i), domain.MustMoney(int64(1000+rng.IntN(5000)), "UZS"))
						if err == nil {
							_, err = a.AdjustBalance(ctx, "load", user, domain.MustMoney(200, "PTS"), "load grant", fmt.Sprintf("pts-%d-%d", seed, i))
						}
					case 1:
						_, err = a.PayOrder(ctx, app.PayOrderCommand{PayOrder: domain.PayOrder{OrderID: order, CustomerID: user,
							Total: domain.MustMoney(int64(500+i%7*300), "UZS"), RedeemPoints: int64(i % 2 * (50 + i%5*40))},
							RestaurantID: "r1", IdempotencyKey: "pay:" + order, Actor: "load"})
					case 2:
						amt := domain.MustMoney(int64(100+rng.IntN(400)), "UZS")
						_, err = a.Refund(ctx, app.RefundCommand{OrderID: order, Amount: &amt, Reason: "load", IdempotencyKey: fmt.Sprintf("refund-%d-%d", seed, i), Actor: "load"})
					}
					if errors.Is(err, domain.ErrInsufficientFunds) || errors.Is(err, domain.ErrNotFound) ||
						errors.Is(err, domain.ErrConflict) || domain.IsInputError(err) {
						err = nil // business outcomes: short wallet, unknown order, other customer's order, over-refund
					}
				}
				if err != nil {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
				}
			}
		})
	}
	for i := range n {
		select {
		case jobs <- i:
		case <-ctx.Done():
		}
	}
	close(jobs)
	wg.Wait()
	return errs
}

func TestLedger_hundredsOfConcurrentPaysRefundsAndTopUpsOnHotAccountsKeepEveryInvariant(t *testing.T) {
	a, _, pool := newWallet(t, 16)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if errs := workload(ctx, a, 1, 600, 32); len(errs) > 0 {
		t.Fatalf("%d operations failed, first: %v", len(errs), errs[0])
	}
	var txs, keys int
	if err := pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM transactions), (SELECT count(*) FROM idempotency_keys WHERE status = 'ok')`).Scan(&txs, &keys); err != nil {
		t.Fatal(err)
	}
	if txs != keys {
		t.Errorf("%d transactions for %d successful idempotency keys: a retried request had a second effect", txs, keys)
	}
	if txs < 200 {
		t.Errorf("only %d transactions happened; the workload is too weak to mean anything", txs)
	}
	var pointsRefunds int
	if err := pool.QueryRow(ctx, `SELECT count(DISTINCT p.tx_id) FROM postings p JOIN transactions t ON t.id = p.tx_id
		WHERE t.kind = 'refund' AND p.account_id LIKE 'loyalty_points:%'`).Scan(&pointsRefunds); err != nil {
		t.Fatal(err)
	}
	if pointsRefunds < 10 {
		t.Errorf("only %d refunds gave points back; the workload does not exercise orders paid with points", pointsRefunds)
	}
	checkInvariants(t, pool)
}

// TestLedger_aSIGKILLedProcessMidOperationLosesNothing runs the workload in a child
// process (this test binary), kills it with SIGKILL while it writes, then runs the same
// workload again to completion: every invariant holds, and the retried operations find
// their keys instead of applying twice.
func TestLedger_aSIGKILLedProcessMidOperationLosesNothing(t *testing.T) {
	schema, pool := testdb.Schema(t, 4)
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperWorkloadProcess$", "-test.v")
	cmd.Env = append(os.Environ(), "WALLET_HELPER_SCHEMA="+schema)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Kill it once it has written something (and is writing more).
	deadline := time.Now().Add(30 * time.Second)
	for {
		var n int
		if err := pool.QueryRow(context.Background(), `SELECT count(*) FROM transactions`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n >= 50 {
			break
		}
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			t.Fatal("the child never wrote 50 transactions")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	checkInvariants(t, pool)

	repo := adapters.NewLedgerRepository(pool, nil)
	a, err := app.New(repo, nopGateway{}, app.Config{Loyalty: domain.DefaultLoyalty, Split: domain.Split{PlatformFeeBps: 1500, DriverBps: 1000}})
	if err != nil {
		t.Fatal(err)
	}
	if errs := workload(context.Background(), a, 7, 2000, 8); len(errs) > 0 {
		t.Fatalf("resuming after the kill: %d failures, first %v", len(errs), errs[0])
	}
	var txs, keys int
	if err := pool.QueryRow(context.Background(), `SELECT (SELECT count(*) FROM transactions), (SELECT count(*) FROM idempotency_keys WHERE status = 'ok')`).Scan(&txs, &keys); err != nil {
		t.Fatal(err)
	}
	if txs != keys {
		t.Errorf("%d transactions for %d keys after the restart: something applied twice", txs, keys)
	}
	checkInvariants(t, pool)
}

// TestHelperWorkloadProcess is the child of the SIGKILL test; it does nothing otherwise.
func TestHelperWorkloadProcess(t *testing.T) {
	schema := os.Getenv("WALLET_HELPER_SCHEMA")
	if schema == "" {
		return
	}
	pool, err := testdbPool(schema)
	if err != nil {
		t.Fatal(err)
	}
	repo := adapters.NewLedgerRepository(pool, nil)
	a, err := app.New(repo, nopGateway{}, app.Config{Loyalty: domain.DefaultLoyalty, Split: domain.Split{PlatformFeeBps: 1500, DriverBps: 1000}})
	if err != nil {
		t.Fatal(err)
	}
	workload(context.Background(), a, 7, 2000, 8) // same seed as the resumption: same keys
}
