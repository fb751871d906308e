package adapters_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/dizhtime/dizhtime/events/contracts"

	"github.com/dizhtime/dizhtime/subgraphs/wallet/adapters"
	"github.com/dizhtime/dizhtime/subgraphs/wallet/app"
	"github.com/dizhtime/dizhtime/subgraphs/wallet/domain"
)

// payReq is the ledger request PayOrder would post for a plain money payment.
func payReq(t testing.TB, order, customer string, minor int64, key string) app.PostRequest {
	t.Helper()
	tx, err := domain.Pay(domain.PayOrder{OrderID: order, CustomerID: customer, Total: domain.MustMoney(minor, "UZS")}, domain.DefaultLoyalty)
	if err != nil {
		t.Fatal(err)
	}
	return app.PostRequest{Tx: tx, TxID: uuid.Must(uuid.NewV7()).String(), IdempotencyKey: key,
		RequestHash: []byte("pay|" + order + "|" + customer + fmt.Sprint(minor)), Counterparty: "r1", Actor: "test"}
}

func topUpReq(t testing.TB, user string, minor int64, key string) app.PostRequest {
	t.Helper()
	tx, err := domain.TopUp(user, "sandbox", domain.MustMoney(minor, "UZS"))
	if err != nil {
		t.Fatal(err)
	}
	return app.PostRequest{Tx: tx, TxID: uuid.Must(uuid.NewV7()).String(), IdempotencyKey: key,
		RequestHash: []byte("topup|" + key), Actor: "test"}
}

func TestPostBatch_aFailingOperationCommitsItsNeighbours(t *testing.T) {
	a, repo, pool := newWallet(t, 4)
	ctx := context.Background()
	topUp(t, a, "rich", 10_000, "UZS", "pi-rich")
	topUp(t, a, "poor", 1_000, "UZS", "pi-poor")

	batch := []app.PostRequest{
		payReq(t, "o1", "rich", 2_000, "pay:o1"),           // ok
		payReq(t, "o2", "poor", 5_000, "pay:o2"),           // insufficient funds: an outcome
		payReq(t, "o1", "rich", 2_000, "pay:o1:other-key"), // a second payment of o1: refused alone
		topUpReq(t, "newcomer", 700, "topup:newcomer"),     // ok, on an account the batch creates
		payReq(t, "o3", "rich", 3_000, "pay:o3"),           // ok
		payReq(t, "o4", "rich", 1_000_000, "pay:o4"),       // insufficient funds
		payReq(t, "o5", "poor", 400, "pay:o5"),             // ok, after its neighbour was refused
	}

	res, errs, err := repo.PostBatch(ctx, batch)
	if err != nil {
		t.Fatalf("the batch failed as a whole: %v", err)
	}
	want := []struct {
		status app.Status
		err    error
	}{
		{app.StatusOK, nil},
		{app.StatusInsufficientFunds, nil},
		{"", domain.ErrConflict},
		{app.StatusOK, nil},
		{app.StatusOK, nil},
		{app.StatusInsufficientFunds, nil},
		{app.StatusOK, nil},
	}
	for i, w := range want {
		switch {
		case w.err != nil:
			if !errors.Is(errs[i], w.err) {
				t.Errorf("op %d: error %v, want %v", i, errs[i], w.err)
			}
		case errs[i] != nil:
			t.Errorf("op %d: unexpected error %v", i, errs[i])
		case res[i].Status != w.status:
			t.Errorf("op %d: status %q, want %q", i, res[i].Status, w.status)
		}
	}
	for acct, want := range map[string]int64{
		"customer_wallet:rich:UZS":     10_000 - 2_000 - 3_000,
		"customer_wallet:poor:UZS":     1_000 - 400,
		"customer_wallet:newcomer:UZS": 700,
		"order_escrow:o1:UZS":          2_000,
		"order_escrow:o2:UZS":          0,
		"order_escrow:o3:UZS":          3_000,
		"order_escrow:o5:UZS":          400,
	} {
		if got := balance(t, pool, acct); got != want {
			t.Errorf("%s = %d, want %d", acct, got, want)
		}
	}
	var payments int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM transactions WHERE order_id = 'o1'`).Scan(&payments); err != nil {
		t.Fatal(err)
	}
	if payments != 1 {
		t.Errorf("order o1 has %d payments, want 1", payments)
	}
	// The refusals are stored outcomes: a retry of o2 answers the same, replayed.
	again, errs2, err := repo.PostBatch(ctx, []app.PostRequest{payReq(t, "o2", "poor", 5_000, "pay:o2")})
	if err != nil || errs2[0] != nil || again[0].Status != app.StatusInsufficientFunds || !again[0].Replayed {
		t.Errorf("retry of the refused o2: %+v %v %v, want a replayed insufficient_funds", again, errs2, err)
	}
	checkInvariants(t, pool)
}

func TestPostBatch_duplicateIdempotencyKeysInOneBatchHaveOneEffect(t *testing.T) {
	a, repo, pool := newWallet(t, 4)
	ctx := context.Background()
	topUp(t, a, "u1", 10_000, "UZS", "pi-1")
	var batch []app.PostRequest
	for range 10 {
		batch = append(batch, payReq(t, "o1", "u1", 1_500, "pay:o1")) // same request, new tx id each time
	}
	res, errs, err := repo.PostBatch(ctx, batch)
	if err != nil {
		t.Fatal(err)
	}
	replayed := 0
	for i := range batch {
		if errs[i] != nil || res[i].Status != app.StatusOK || res[i].TxID != res[0].TxID {
			t.Fatalf("op %d: %+v %v, want ok with the first operation's transaction %s", i, res[i], errs[i], res[0].TxID)
		}
		if res[i].Replayed {
			replayed++
		}
	}
	if replayed != len(batch)-1 {
		t.Errorf("%d of %d replayed, want all but the first", replayed, len(batch))
	}
	if got := balance(t, pool, "customer_wallet:u1:UZS"); got != 10_000-1_500 {
		t.Errorf("wallet = %d, want %d (charged once)", got, 10_000-1_500)
	}
	checkInvariants(t, pool)
}

// Concurrent callers of Post: the batcher coalesces them (fewer batches than
// operations), duplicates of one key, in one batch or across batches, have one effect,
// and every caller learns the one transaction.
func TestPost_concurrentCallersAreBatched_andConcurrentDuplicateKeysHaveOneEffect(t *testing.T) {
	a, repo, pool := newWallet(t, 8)
	repo.WithBatching(adapters.BatchConfig{Flushers: 2, Linger: time.Millisecond})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	const customers, orders, copies = 5, 40, 4
	for c := range customers {
		topUp(t, a, fmt.Sprintf("c%d", c), 1_000_000, "UZS", fmt.Sprintf("pi-%d", c))
	}
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		txOf = map[string]map[string]bool{}
	)
	for o := range orders {
		for range copies {
			wg.Go(func() {
				order := fmt.Sprintf("o%d", o)
				r, err := a.PayOrder(ctx, app.PayOrderCommand{PayOrder: domain.PayOrder{OrderID: order,
					CustomerID: fmt.Sprintf("c%d", o%customers), Total: domain.MustMoney(100, "UZS")},
					RestaurantID: "r1", IdempotencyKey: "pay:" + order, Actor: "test"})
				if err != nil {
					t.Errorf("pay %s: %v", order, err)
					return
				}
				mu.Lock()
				if txOf[order] == nil {
					txOf[order] = map[string]bool{}
				}
				txOf[order][r.TxID] = true
				mu.Unlock()
			})
		}
	}
	wg.Wait()
	for order, txs := range txOf {
		if len(txs) != 1 {
			t.Errorf("%s: callers saw %d transactions, want 1", order, len(txs))
		}
	}
	var payments int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM transactions WHERE kind = 'order_payment'`).Scan(&payments); err != nil {
		t.Fatal(err)
	}
	if payments != orders {
		t.Errorf("%d payments, want %d", payments, orders)
	}
	for c := range customers {
		want := int64(1_000_000 - 100*orders/customers)
		if got := balance(t, pool, fmt.Sprintf("customer_wallet:c%d:UZS", c)); got != want {
			t.Errorf("c%d = %d, want %d", c, got, want)
		}
	}
	batches, ops := repo.BatchStats()
	t.Logf("%d operations in %d batches", ops, batches)
	if batches >= ops {
		t.Errorf("%d operations went in %d batches: nothing was coalesced", ops, batches)
	}
	checkInvariants(t, pool)
}

// The saga's batch step: one transaction, one wallet_post_batch, the outbox rows of every
// order, and the same outcome each order gets from OnOrderCreated alone.
func TestSaga_aBatchOfOrderCreatedChargesEachOrderAsOneByOneWouldInOneTransaction(t *testing.T) {
	a, repo, pool := newWallet(t, 4)
	topUp(t, a, "u1", 10_000, "UZS", "pi-1")
	inConsumerTx(t, pool, repo, func(ctx context.Context, tx app.Tx) error {
		return a.OnOrderStatusChanged(ctx, tx, cancelled("o-ended"))
	})
	zero := orderCreated("o-zero", "u1", 0)
	batch := []app.OrderCreated{
		{OrderCreatedV2: orderCreated("o1", "u1", 6_000)},
		{OrderCreatedV2: orderCreated("o2", "u1", 6_000)},      // short after o1
		{OrderCreatedV2: orderCreated("o-ended", "u1", 1_000)}, // ended before it was charged
		{OrderCreatedV2: zero},                                 // refused input: declined
		{OrderCreatedV2: orderCreated("o3", "u1", 4_000)},      // fits after o2 was refused
		{OrderCreatedV2: orderCreated("o1", "u1", 6_000)},      // o1 again (a second event for it): one charge
	}
	inConsumerTx(t, pool, repo, func(ctx context.Context, tx app.Tx) error {
		return a.OnOrdersCreated(ctx, tx, batch)
	})
	evs := outboxEvents(t, pool)
	want := []struct{ subject, typ, code string }{
		{"o1", contracts.TypePaymentSucceeded, ""},
		{"o2", contracts.TypePaymentFailed, contracts.PaymentInsufficientFunds},
		{"o-ended", contracts.TypePaymentFailed, contracts.PaymentDeclined},
		{"o-zero", contracts.TypePaymentFailed, contracts.PaymentDeclined},
		{"o3", contracts.TypePaymentSucceeded, ""},
		{"o1", contracts.TypePaymentSucceeded, ""},
	}
	if len(evs) != len(want) {
		t.Fatalf("outbox = %v, want %d events", types(evs), len(want))
	}
	var firstO1 string
	for i, w := range want {
		e := evs[i]
		if e.Subject != w.subject || e.Type != w.typ {
			t.Fatalf("event %d = %s %s, want %s %s", i, e.Subject, e.Type, w.subject, w.typ)
		}
		switch w.typ {
		case contracts.TypePaymentFailed:
			var f contracts.PaymentFailedV1
			if err := e.Decode(&f); err != nil || f.Code != w.code {
				t.Fatalf("event %d: %+v %v, want code %s", i, f, err, w.code)
			}
		case contracts.TypePaymentSucceeded:
			var s contracts.PaymentSucceededV1
			if err := e.Decode(&s); err != nil {
				t.Fatal(err)
			}
			if w.subject == "o1" && firstO1 == "" {
				firstO1 = s.PaymentID
			} else if w.subject == "o1" && s.PaymentID != firstO1 {
				t.Fatalf("o1 answered with payments %s and %s, want one", firstO1, s.PaymentID)
			}
		}
	}
	if got := balance(t, pool, "customer_wallet:u1:UZS"); got != 0 {
		t.Errorf("wallet = %d, want 0 (o1 and o3 charged once each)", got)
	}
	if got := balance(t, pool, "order_escrow:o-ended:UZS"); got != 0 {
		t.Errorf("the ended order was charged: escrow %d", got)
	}
	checkInvariants(t, pool)
}

// A batch of fresh keys that all balance takes the set-based path: the short operation is
// refused alone, in order (the later one that fits after it is charged), and balances,
// postings and the keyed audit chain come out as wallet_post would write them one by one.
func TestPostBatch_refusesAShortOperationAloneInOrderAndChainsTheAuditOfTheRest(t *testing.T) {
	_, repo, pool := newWallet(t, 4)
	ctx := context.Background()
	batch := []app.PostRequest{
		topUpReq(t, "u1", 1_000, "topup:u1"),
		payReq(t, "o1", "u1", 600, "pay:o1"),
		payReq(t, "o2", "u1", 600, "pay:o2"), // short: 400 left
		payReq(t, "o3", "u1", 400, "pay:o3"), // fits exactly
		topUpReq(t, "u2", 50, "topup:u2"),
		payReq(t, "o4", "u2", 50, "pay:o4"),
	}
	res, errs, err := repo.PostBatch(ctx, batch)
	if err != nil {
		t.Fatal(err)
	}
	want := []app.Status{app.StatusOK, app.StatusOK, app.StatusInsufficientFunds, app.StatusOK, app.StatusOK, app.StatusOK}
	for i, w := range want {
		if errs[i] != nil || res[i].Status != w || res[i].Replayed {
			t.Fatalf("op %d: %+v %v, want %s", i, res[i], errs[i], w)
		}
		if (w == app.StatusOK) != (res[i].TxID == batch[i].TxID) {
			t.Fatalf("op %d: tx %q for request tx %s", i, res[i].TxID, batch[i].TxID)
		}
	}
	for acct, want := range map[string]int64{"customer_wallet:u1:UZS": 0, "customer_wallet:u2:UZS": 0,
		"order_escrow:o1:UZS": 600, "order_escrow:o2:UZS": 0, "order_escrow:o3:UZS": 400, "order_escrow:o4:UZS": 50} {
		if got := balance(t, pool, acct); got != want {
			t.Errorf("%s = %d, want %d", acct, got, want)
		}
	}
	var seq int64
	if err := pool.QueryRow(ctx, `SELECT audit_seq FROM accounts WHERE id = 'customer_wallet:u1:UZS'`).Scan(&seq); err != nil || seq != 3 {
		t.Errorf("u1's audit chain is %d long (%v), want 3 (top-up, o1, o3)", seq, err)
	}
	// Every outcome is stored under its key, the refusal too.
	again, errs2, err := repo.PostBatch(ctx, batch)
	if err != nil {
		t.Fatal(err)
	}
	for i, w := range want {
		if errs2[i] != nil || again[i].Status != w || !again[i].Replayed || again[i].TxID != res[i].TxID {
			t.Fatalf("replay of op %d: %+v %v, want %s replayed", i, again[i], errs2[i], w)
		}
	}
	checkInvariants(t, pool)
}

// A batch whose accounts are locked by a transaction that then commits the batch's own
// idempotency key: the batch decided on its fast path before the lock was granted (since
// 0010 the key check shares the lock's statement and snapshot), so the key's primary key
// stops the fast path's writes and the batch goes the slow way: the operation is replayed
// with the committed outcome, not applied twice.
func TestPostBatch_aKeyCommittedWhileTheBatchWaitedForItsAccountsIsReplayed(t *testing.T) {
	a, repo, pool := newWallet(t, 4)
	ctx := context.Background()
	topUp(t, a, "u1", 10_000, "UZS", "pi-1") // both accounts of the top-up below exist now
	before := balance(t, pool, "customer_wallet:u1:UZS")

	first := topUpReq(t, "u1", 700, "topup:again")
	tx, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	res1, errs1, err := repo.Bound(tx).PostBatch(ctx, []app.PostRequest{first})
	if err != nil || errs1[0] != nil || res1[0].Status != app.StatusOK {
		t.Fatalf("first post: %+v %v %v", res1, errs1, err)
	}

	second := first
	second.TxID = uuid.Must(uuid.NewV7()).String() // a retry: same key and request, new id
	type outcome struct {
		res  []app.PostResult
		errs []error
		err  error
	}
	done := make(chan outcome, 1)
	go func() {
		res, errs, err := repo.PostBatch(ctx, []app.PostRequest{second})
		done <- outcome{res, errs, err}
	}()
	// Wait until the second call is blocked on the accounts the first one holds.
	deadline := time.Now().Add(10 * time.Second)
	for {
		var waiting int
		if err := pool.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity
			WHERE wait_event_type = 'Lock' AND query LIKE '%wallet_post_batch%'`).Scan(&waiting); err != nil {
			t.Fatal(err)
		}
		if waiting > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the second post never waited for the first one's locks")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	o := <-done
	if o.err != nil || o.errs[0] != nil {
		t.Fatalf("second post: %v %v", o.err, o.errs)
	}
	if r := o.res[0]; r.Status != app.StatusOK || !r.Replayed || r.TxID != res1[0].TxID {
		t.Errorf("second post = %+v, want ok, replayed, transaction %s", r, res1[0].TxID)
	}
	if got := balance(t, pool, "customer_wallet:u1:UZS"); got != before+700 {
		t.Errorf("wallet = %d, want %d (credited once)", got, before+700)
	}
	checkInvariants(t, pool)
	// The chains the fast path wrote (its canonical rows built inline since 0010) verify
	// in Go.
	if rep, err := adapters.VerifyAudit(ctx, pool, []byte(adapters.DefaultAuditKey)); err != nil || !rep.OK() {
		t.Errorf("audit: %+v %v", rep, err)
	}
}

// Two transactions posting more operations than one wallet_post_batch call takes, over
// the same wallets in opposite orders (the saga's partitions do, each in its consumer
// transaction): each locks every existing account of its batch in id order before its
// first call, so one waits for the other instead of both deadlocking between calls.
func TestPostBatch_batchesOfSeveralCallsOverSharedWalletsDoNotDeadlock(t *testing.T) {
	a, repo, pool := newWallet(t, 4)
	ctx := context.Background()
	for i := range 20 {
		topUp(t, a, fmt.Sprintf("w%02d", i), 1_000_000, "UZS", fmt.Sprintf("pi-%d", i))
	}
	batch := func(name string, first, second int) []app.PostRequest {
		var reqs []app.PostRequest
		for i := range 100 { // 64 over ten wallets, then 36 over ten others
			w := first + i%10
			if i >= 64 {
				w = second + i%10
			}
			order := fmt.Sprintf("%s-%d", name, i)
			reqs = append(reqs, payReq(t, order, fmt.Sprintf("w%02d", w), 100, "pay:"+order))
		}
		return reqs
	}
	var wg, begun sync.WaitGroup
	errs := make([]error, 2)
	begun.Add(2)
	for k, reqs := range [][]app.PostRequest{batch("a", 10, 0), batch("b", 0, 10)} {
		wg.Go(func() {
			errs[k] = pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
				if _, err := tx.Exec(ctx, "SELECT 1"); err != nil {
					return err
				}
				begun.Done()
				begun.Wait() // both start their batches at once
				res, opErrs, err := repo.Bound(tx).PostBatch(ctx, reqs)
				if err != nil {
					return err
				}
				for i := range res {
					if opErrs[i] != nil || res[i].Status != app.StatusOK {
						return fmt.Errorf("op %d: %+v %v", i, res[i], opErrs[i])
					}
				}
				time.Sleep(50 * time.Millisecond) // hold the locks a while, as a consumer does
				return nil
			})
		})
	}
	wg.Wait()
	for k, err := range errs {
		if err != nil {
			t.Errorf("transaction %d: %v", k, err)
		}
	}
	var paid int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM transactions WHERE kind = 'order_payment'`).Scan(&paid); err != nil {
		t.Fatal(err)
	}
	if paid != 200 {
		t.Errorf("%d payments, want 200", paid)
	}
	checkInvariants(t, pool)
}
