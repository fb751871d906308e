package adapters_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/dizhtime/dizhtime/subgraphs/wallet/adapters"
	"github.com/dizhtime/dizhtime/subgraphs/wallet/app"
	"github.com/dizhtime/dizhtime/subgraphs/wallet/domain"
)

func openPipe(t *testing.T, repo *adapters.LedgerRepository) *adapters.Pipe {
	t.Helper()
	p, err := repo.OpenPipe()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func send(t *testing.T, p *adapters.Pipe, reqs ...app.PostRequest) []app.PostRequest {
	t.Helper()
	if err := p.Send(reqs); err != nil {
		t.Fatalf("send: %v", err)
	}
	return reqs
}

// waitReleased waits until no connection of pool is in use (a flusher gives its
// connection back after it has handed out its last batch's outcomes).
func waitReleased(t *testing.T, pool *pgxpool.Pool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); pool.Stat().AcquiredConns() > 0; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d connections still held", pool.Stat().AcquiredConns())
		}
	}
}

// A batch sent behind another on the same connection, before the first one's results
// are read, runs after it has committed: it sees the first one's effects on their
// shared wallet.
func TestPipeline_aBatchSentBehindAnotherOnItsWalletsSeesItsEffects(t *testing.T) {
	_, repo, pool := newWallet(t, 4)
	p := openPipe(t, repo)
	first := send(t, p, topUpReq(t, "u1", 1_000, "topup:u1"))
	second := send(t, p, payReq(t, "o1", "u1", 800, "pay:o1"))
	third := send(t, p, payReq(t, "o2", "u1", 600, "pay:o2"), payReq(t, "o3", "u1", 150, "pay:o3"))
	for i, w := range []struct {
		reqs []app.PostRequest
		want []app.Status
	}{
		{first, []app.Status{app.StatusOK}},
		{second, []app.Status{app.StatusOK}},
		{third, []app.Status{app.StatusInsufficientFunds, app.StatusOK}},
	} {
		res, errs, err := p.Read(w.reqs)
		if err != nil {
			t.Fatalf("batch %d: %v", i+1, err)
		}
		for j, st := range w.want {
			if errs[j] != nil || res[j].Status != st {
				t.Errorf("batch %d op %d: %+v %v, want %s", i+1, j, res[j], errs[j], st)
			}
		}
	}
	if p.Retiring() {
		t.Error("the connection retires after batches that all answered")
	}
	p.Release()
	if got := pool.Stat().AcquiredConns(); got != 0 {
		t.Errorf("%d connections held after Release", got)
	}
	for acct, want := range map[string]int64{
		"customer_wallet:u1:UZS": 1_000 - 800 - 150, "order_escrow:o1:UZS": 800, "order_escrow:o3:UZS": 150,
	} {
		if got := balance(t, pool, acct); got != want {
			t.Errorf("%s = %d, want %d", acct, got, want)
		}
	}
	checkInvariants(t, pool)
}

// Each batch is its own transaction: one failing as a whole (here a transaction id that
// is no uuid) leaves the batches behind it in the pipeline untouched, and the connection
// goes back to the pool in working order.
func TestPipeline_aBatchFailingAsAWholeDoesNotFailTheNext(t *testing.T) {
	_, repo, pool := newWallet(t, 4)
	p := openPipe(t, repo)
	bad := topUpReq(t, "u1", 1_000, "topup:u1")
	bad.TxID = "not-a-uuid"
	first := send(t, p, bad)
	second := send(t, p, topUpReq(t, "u2", 500, "topup:u2"))
	if _, _, err := p.Read(first); err == nil {
		t.Fatal("the batch with a malformed transaction id went through")
	}
	res, errs, err := p.Read(second)
	if err != nil || errs[0] != nil || res[0].Status != app.StatusOK {
		t.Fatalf("the batch behind the failed one: %+v %v %v, want ok", res, errs, err)
	}
	if !p.Retiring() {
		t.Error("after a batch failed as a whole the connection should retire")
	}
	p.Release()
	if got := pool.Stat().AcquiredConns(); got != 0 {
		t.Errorf("%d connections held after Release", got)
	}
	if got := balance(t, pool, "customer_wallet:u2:UZS"); got != 500 {
		t.Errorf("u2 = %d, want 500", got)
	}
	if got := balance(t, pool, "customer_wallet:u1:UZS"); got != 0 {
		t.Errorf("u1 = %d, want 0 (its batch failed)", got)
	}
	// The connection was deallocated and handed back; a fresh pipeline works.
	p = openPipe(t, repo)
	again := send(t, p, topUpReq(t, "u1", 1_000, "topup:u1"))
	if res, errs, err := p.Read(again); err != nil || errs[0] != nil || res[0].Status != app.StatusOK {
		t.Fatalf("after the failure: %+v %v %v", res, errs, err)
	}
	p.Release()
	checkInvariants(t, pool)
}

// A pipeline whose context is cancelled (the watchdog of a batch that takes too long)
// fails its batches and its connection is closed, not given back for reuse.
func TestPipeline_aBrokenPipelineFailsItsBatchesAndItsConnectionIsClosed(t *testing.T) {
	_, repo, pool := newWallet(t, 4)
	p := openPipe(t, repo)
	first := send(t, p, topUpReq(t, "u1", 1_000, "topup:u1"))
	p.Break()
	if _, _, err := p.Read(first); err == nil {
		t.Fatal("read on a broken pipeline answered")
	}
	if !p.Closed() || !p.Retiring() {
		t.Fatalf("closed %v, retiring %v: want both", p.Closed(), p.Retiring())
	}
	p.Release()
	waitReleased(t, pool) // the pool destroys a closed connection in the background
	var one int
	if err := pool.QueryRow(context.Background(), "SELECT 1").Scan(&one); err != nil {
		t.Fatalf("the pool after a broken pipeline: %v", err)
	}
}

// Through Post with pipelined flushers (one flusher's batches in flight share wallets; a
// burst larger than a batch brings in a second flusher, which ends once it is not
// needed): as many payments as each balance covers succeed, the rest are refused,
// nothing is applied twice or lost, and the flushers give their connections back once
// the work is done.
func TestPost_pipelinedFlushersOverSharedWalletsSpendEachBalanceExactly(t *testing.T) {
	for _, cfg := range []adapters.BatchConfig{{Flushers: 1, Pipeline: 3}, {Flushers: 2, Pipeline: 2}} {
		t.Run(fmt.Sprintf("flushers=%d,pipeline=%d", cfg.Flushers, cfg.Pipeline), func(t *testing.T) {
			a, repo, pool := newWallet(t, 4)
			repo.WithBatching(cfg)
			spendExactly(t, a, pool, 3, 100)
			batches, ops := repo.BatchStats()
			t.Logf("%d operations in %d batches", ops, batches)
			waitReleased(t, pool)
			checkInvariants(t, pool)
		})
	}
}

// spendExactly pays perCustomer orders of each of customers at once, more than their
// funds cover, and checks what was paid and refused.
func spendExactly(t *testing.T, a *app.Application, pool *pgxpool.Pool, customers, perCustomer int) {
	t.Helper()
	const price, funds = 300, 10_000
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for c := range customers {
		topUp(t, a, fmt.Sprintf("c%d", c), funds, "UZS", fmt.Sprintf("pi-%d", c))
	}
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		paid    = map[string]int{}
		refused = map[string]int{}
	)
	for c := range customers {
		for o := range perCustomer {
			wg.Go(func() {
				customer, order := fmt.Sprintf("c%d", c), fmt.Sprintf("o%d-%d", c, o)
				_, err := a.PayOrder(ctx, app.PayOrderCommand{PayOrder: domain.PayOrder{OrderID: order,
					CustomerID: customer, Total: domain.MustMoney(price, "UZS")},
					RestaurantID: "r1", IdempotencyKey: "pay:" + order, Actor: "test"})
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					paid[customer]++
				case errors.Is(err, domain.ErrInsufficientFunds):
					refused[customer]++
				default:
					t.Errorf("pay %s: %v", order, err)
				}
			})
		}
	}
	wg.Wait()
	for c := range customers {
		customer := fmt.Sprintf("c%d", c)
		if paid[customer] != funds/price || refused[customer] != perCustomer-funds/price {
			t.Errorf("%s: %d paid, %d refused; want %d and %d", customer, paid[customer], refused[customer], funds/price, perCustomer-funds/price)
		}
		if got := balance(t, pool, "customer_wallet:"+customer+":UZS"); got != funds%price {
			t.Errorf("%s = %d, want %d", customer, got, funds%price)
		}
	}
}
