package adapters_test

import (
	"context"
	"testing"
	"time"

	"github.com/dizhtime/dizhtime/subgraphs/wallet/app"
)

// Migration 0013: a batch creates the accounts it is missing (a payment's order escrow, a
// new customer's wallet) in its write statement, with their final balance and audit chain
// head, instead of creating, locking and updating them. The created accounts are as if
// made the old way (balances, chains and verify-audit agree; a refused payment's escrow
// exists at zero), and when another transaction creates one of them while the batch runs,
// the batch waits for it, then takes the slow way and every operation still gets its
// outcome once.
func TestPostBatch_createsMissingAccountsWithTheirFinalState_andYieldsToAConcurrentCreator(t *testing.T) {
	a, repo, pool := newWallet(t, 4)
	ctx := context.Background()
	topUp(t, a, "rich", 10_000, "UZS", "pi-rich")

	// Fast path: two new escrows, a new wallet topped up then paying, one refusal.
	res, errs, err := repo.PostBatch(ctx, []app.PostRequest{
		payReq(t, "o1", "rich", 2_000, "pay:o1"),
		topUpReq(t, "newcomer", 700, "topup:newcomer"),
		payReq(t, "o2", "newcomer", 500, "pay:o2"),
		payReq(t, "o3", "newcomer", 500, "pay:o3"), // short: 200 left
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []app.Status{app.StatusOK, app.StatusOK, app.StatusOK, app.StatusInsufficientFunds}
	for i := range want {
		if errs[i] != nil || res[i].Status != want[i] {
			t.Fatalf("operation %d: %+v, %v; want %s", i, res[i], errs[i], want[i])
		}
	}
	for id, want := range map[string]int64{"order_escrow:o1:UZS": 2_000, "customer_wallet:newcomer:UZS": 200,
		"order_escrow:o2:UZS": 500, "order_escrow:o3:UZS": 0} {
		if b := balance(t, pool, id); b != want {
			t.Errorf("%s = %d, want %d", id, b, want)
		}
	}
	checkInvariants(t, pool)

	// Another transaction creates o4's escrow while the batch runs: the batch's insert waits
	// for it, fails on the key once it commits, and the slow path pays o4 once.
	other, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Rollback(ctx)
	if _, err := other.Exec(ctx, `INSERT INTO accounts (id, kind, owner, currency) VALUES ('order_escrow:o4:UZS', 'order_escrow', 'o4', 'UZS')`); err != nil {
		t.Fatal(err)
	}
	type outcome struct {
		res  []app.PostResult
		errs []error
		err  error
	}
	done := make(chan outcome, 1)
	go func() {
		res, errs, err := repo.PostBatch(ctx, []app.PostRequest{payReq(t, "o4", "rich", 3_000, "pay:o4"), payReq(t, "o5", "rich", 1_000, "pay:o5")})
		done <- outcome{res, errs, err}
	}()
	time.Sleep(300 * time.Millisecond) // the batch is waiting on o4's escrow key by now
	if err := other.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	o := <-done
	if o.err != nil {
		t.Fatal(o.err)
	}
	for i, r := range o.res {
		if o.errs[i] != nil || r.Status != app.StatusOK || r.Replayed {
			t.Fatalf("operation %d after the concurrent creation: %+v, %v; want ok", i, r, o.errs[i])
		}
	}
	for id, want := range map[string]int64{"order_escrow:o4:UZS": 3_000, "order_escrow:o5:UZS": 1_000, "customer_wallet:rich:UZS": 4_000} {
		if b := balance(t, pool, id); b != want {
			t.Errorf("%s = %d, want %d", id, b, want)
		}
	}
	checkInvariants(t, pool)
}
