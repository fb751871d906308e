package adapters_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/dizhtime/dizhtime/subgraphs/wallet/app"
)

// A batch of order.created and a batch of order.status.changed over the same orders,
// the two in opposite orders, run at the same moment in their own transactions (as two
// consumer groups do) round after round. Both batch steps lock their orders first in one
// fixed order, so neither ever waits for a lock the other holds while holding one it
// wants: no transaction ends in a deadlock (which the consumer would answer by running
// the whole batch again message by message). Each deadlock is counted; every order ends
// cancelled, so the customer must be whole and the escrow empty.
func TestSaga_createdAndStatusChangedBatchesOverTheSameOrdersNeverDeadlock(t *testing.T) {
	a, repo, pool := newWallet(t, 8)
	const rounds, perBatch = 30, 8
	topUp(t, a, "u1", rounds*perBatch*1_000, "UZS", "pi-1")
	ctx := context.Background()
	deadlocks, applied := 0, 0
	for r := range rounds {
		var created []app.OrderCreated
		var changed []app.OrderStatusChanged
		for i := range perBatch {
			id := fmt.Sprintf("lock-%d-%d", r, i)
			created = append(created, app.OrderCreated{OrderCreatedV2: orderCreated(id, "u1", 1_000)})
			changed = append(changed, app.OrderStatusChanged{OrderStatusChangedV2: cancelled(id)})
		}
		slices.Reverse(changed) // arrival order differs between the topics
		if r%2 == 1 {
			slices.Reverse(created)
			slices.Reverse(changed)
		}
		start := make(chan struct{})
		errs := make([]error, 2)
		var wg sync.WaitGroup
		for k, step := range []func(context.Context, app.Tx) error{
			func(ctx context.Context, tx app.Tx) error { return a.OnOrdersCreated(ctx, tx, created) },
			func(ctx context.Context, tx app.Tx) error { return a.OnOrdersStatusChanged(ctx, tx, changed) },
		} {
			wg.Go(func() {
				<-start
				errs[k] = pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error { return step(ctx, repo.Bound(tx)) })
			})
		}
		close(start)
		wg.Wait()
		for k, err := range errs {
			var pe *pgconn.PgError
			switch {
			case err == nil:
				applied++
			case errors.As(err, &pe) && pe.Code == "40P01":
				deadlocks++
				// Applied alone afterwards, as the consumer's fallback would.
				inConsumerTx(t, pool, repo, func(ctx context.Context, tx app.Tx) error {
					if k == 0 {
						return a.OnOrdersCreated(ctx, tx, created)
					}
					return a.OnOrdersStatusChanged(ctx, tx, changed)
				})
			default:
				t.Fatalf("round %d batch %d: %v", r, k, err)
			}
		}
	}
	t.Logf("%d batches applied, %d deadlocks", applied, deadlocks)
	if deadlocks != 0 {
		t.Errorf("%d of %d concurrent batch transactions deadlocked", deadlocks, 2*rounds)
	}
	if b := balance(t, pool, "customer_wallet:u1:UZS"); b != rounds*perBatch*1_000 {
		t.Errorf("wallet = %d after every order was cancelled, want %d", b, rounds*perBatch*1_000)
	}
	var escrow int64
	if err := pool.QueryRow(ctx, `SELECT coalesce(sum(balance), 0) FROM accounts WHERE kind = 'order_escrow'`).Scan(&escrow); err != nil {
		t.Fatal(err)
	}
	if escrow != 0 {
		t.Errorf("escrow holds %d of cancelled orders, want 0", escrow)
	}
	checkInvariants(t, pool)
}
