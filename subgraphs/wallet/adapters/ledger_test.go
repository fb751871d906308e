package adapters_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/dizhtime/dizhtime/events"
	"github.com/dizhtime/dizhtime/events/contracts"
	"github.com/dizhtime/dizhtime/subgraphs/wallet/adapters"
	"github.com/dizhtime/dizhtime/subgraphs/wallet/app"
	"github.com/dizhtime/dizhtime/subgraphs/wallet/domain"
	"github.com/dizhtime/dizhtime/subgraphs/wallet/internal/testdb"
)

type nopGateway struct{}

func (nopGateway) Name() string { return "sandbox" }
func (nopGateway) CreateIntent(context.Context, app.PaymentIntent) error {
	return errors.New("not in this test")
}

func newWallet(t testing.TB, maxConns int32) (*app.Application, *adapters.LedgerRepository, *pgxpool.Pool) {
	t.Helper()
	_, pool := testdb.Schema(t, maxConns)
	repo := adapters.NewLedgerRepository(pool, nil)
	a, err := app.New(repo, nopGateway{}, app.Config{Loyalty: domain.DefaultLoyalty, Split: domain.Split{PlatformFeeBps: 1500, DriverBps: 1000}})
	if err != nil {
		t.Fatal(err)
	}
	return a, repo, pool
}

func topUp(t testing.TB, a *app.Application, user string, minor int64, cur, intent string) {
	t.Helper()
	if _, err := a.TopUpCredited(context.Background(), user, "sandbox", intent, domain.MustMoney(minor, cur)); err != nil {
		t.Fatalf("top up %s: %v", user, err)
	}
}

func balance(t testing.TB, pool *pgxpool.Pool, account string) int64 {
	t.Helper()
	var b int64
	err := pool.QueryRow(context.Background(), `SELECT balance FROM accounts WHERE id = $1`, account).Scan(&b)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0
	}
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// checkInvariants is what must hold after anything: every currency's postings sum to
// zero, every transaction balances, every balance equals its postings, nothing that may
// not be negative is, and the audit chain verifies.
func checkInvariants(t testing.TB, pool *pgxpool.Pool) {
	t.Helper()
	ctx := context.Background()
	var bad []string
	collect := func(q string) {
		rows, err := pool.Query(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				t.Fatal(err)
			}
			bad = append(bad, s)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
	}
	collect(`SELECT 'currency ' || currency || ' sums to ' || sum(amount) FROM postings GROUP BY currency HAVING sum(amount) <> 0`)
	collect(`SELECT 'transaction ' || tx_id || ' ' || currency || ' sums to ' || sum(amount) FROM postings GROUP BY tx_id, currency HAVING sum(amount) <> 0`)
	collect(`SELECT 'account ' || a.id || ' balance ' || a.balance || ' but postings ' || coalesce(sum(p.amount), 0)
		FROM accounts a LEFT JOIN postings p ON p.account_id = a.id GROUP BY a.id HAVING a.balance <> coalesce(sum(p.amount), 0)`)
	collect(`SELECT 'account ' || id || ' is negative: ' || balance FROM accounts WHERE NOT allow_negative AND balance < 0`)
	collect(`SELECT 'idempotency key ' || key || ' says ok without its transaction' FROM idempotency_keys i
		WHERE status = 'ok' AND NOT EXISTS (SELECT 1 FROM transactions t WHERE t.id = i.tx_id)`)
	// Refunds never give back more of a currency than the order's payment took in it:
	// money to the wallet, points to the loyalty account.
	collect(`WITH moved AS (
			SELECT t.order_id, a.kind, t.kind AS tx_kind, p.amount
			FROM transactions t JOIN postings p ON p.tx_id = t.id JOIN accounts a ON a.id = p.account_id
			WHERE t.kind IN ('order_payment', 'refund') AND a.kind IN ('customer_wallet', 'loyalty_points'))
		SELECT 'order ' || order_id || ' refunded ' || sum(amount) FILTER (WHERE tx_kind = 'refund') || ' ' || kind
			|| ' but its payment took ' || coalesce(-sum(amount) FILTER (WHERE tx_kind = 'order_payment'), 0)
		FROM moved GROUP BY order_id, kind
		HAVING coalesce(sum(amount) FILTER (WHERE tx_kind = 'refund'), 0) > coalesce(-sum(amount) FILTER (WHERE tx_kind = 'order_payment'), 0)`)
	rep, err := adapters.VerifyAudit(ctx, pool, []byte(adapters.DefaultAuditKey))
	if err != nil {
		t.Fatal(err)
	}
	bad = append(bad, rep.Problems...)
	if len(bad) > 0 {
		t.Fatalf("ledger invariants broken:\n%s", strings.Join(bad, "\n"))
	}
}

func pay(order, customer string, minor int64) app.PayOrderCommand {
	return app.PayOrderCommand{PayOrder: domain.PayOrder{OrderID: order, CustomerID: customer, Total: domain.MustMoney(minor, "UZS")},
		RestaurantID: "r1", IdempotencyKey: "pay:" + order, Actor: "test"}
}

func TestPayOrder_movesTheTotalToEscrowAndRefusesWhenTheBalanceIsShort(t *testing.T) {
	a, _, pool := newWallet(t, 4)
	ctx := context.Background()
	topUp(t, a, "u1", 10_000, "UZS", "pi-1")
	if _, err := a.PayOrder(ctx, pay("o1", "u1", 6_000)); err != nil {
		t.Fatal(err)
	}
	if _, err := a.PayOrder(ctx, pay("o2", "u1", 6_000)); !errors.Is(err, domain.ErrInsufficientFunds) {
		t.Fatalf("second payment error = %v, want insufficient funds", err)
	}
	if b := balance(t, pool, "customer_wallet:u1:UZS"); b != 4_000 {
		t.Errorf("wallet = %d, want 4000", b)
	}
	if b := balance(t, pool, "order_escrow:o1:UZS"); b != 6_000 {
		t.Errorf("escrow = %d, want 6000", b)
	}
	checkInvariants(t, pool)
}

func TestIdempotencyKey_returnsTheOriginalResultForTheSameRequestAndConflictsForAnother(t *testing.T) {
	a, _, pool := newWallet(t, 4)
	ctx := context.Background()
	topUp(t, a, "u1", 10_000, "UZS", "pi-1")
	first, err := a.PayOrder(ctx, pay("o1", "u1", 1_000))
	if err != nil {
		t.Fatal(err)
	}
	again, err := a.PayOrder(ctx, pay("o1", "u1", 1_000))
	if err != nil || !again.Replayed || again.TxID != first.TxID {
		t.Fatalf("retry = %+v, %v; want the original transaction %s replayed", again, err, first.TxID)
	}
	if _, err := a.PayOrder(ctx, pay("o1", "u1", 2_000)); !errors.Is(err, domain.ErrConflict) {
		t.Fatalf("same key, other amount: %v, want conflict", err)
	}
	other := pay("o1", "u1", 1_000)
	other.IdempotencyKey = "another-key"
	if _, err := a.PayOrder(ctx, other); !errors.Is(err, domain.ErrConflict) {
		t.Fatalf("paying an order twice under another key: %v, want conflict", err)
	}
	// A refusal is an outcome too: the retry sees it even after a top-up.
	if _, err := a.PayOrder(ctx, pay("o2", "u1", 50_000)); !errors.Is(err, domain.ErrInsufficientFunds) {
		t.Fatal(err)
	}
	topUp(t, a, "u1", 100_000, "UZS", "pi-2")
	if _, err := a.PayOrder(ctx, pay("o2", "u1", 50_000)); !errors.Is(err, domain.ErrInsufficientFunds) {
		t.Fatalf("retried refusal = %v, want the original insufficient funds", err)
	}
	topUp(t, a, "u1", 100_000, "UZS", "pi-2") // the same webhook twice credits once
	if b := balance(t, pool, "customer_wallet:u1:UZS"); b != 109_000 {
		t.Errorf("wallet = %d, want 109000", b)
	}
	checkInvariants(t, pool)
}

func TestLedger_refusesToUpdateOrDeletePostingsTransactionsAndAuditRows(t *testing.T) {
	a, _, pool := newWallet(t, 4)
	ctx := context.Background()
	topUp(t, a, "u1", 10_000, "UZS", "pi-1")
	for _, stmt := range []string{
		`UPDATE postings SET amount = amount + 1`,
		`DELETE FROM postings`,
		`TRUNCATE postings CASCADE`,
		`UPDATE transactions SET amount = 1`,
		`DELETE FROM audit_log`,
		`UPDATE audit_log SET amount = 1`,
	} {
		if _, err := pool.Exec(ctx, stmt); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: error = %v, want append-only refusal", stmt, err)
		}
	}
	checkInvariants(t, pool)
}

func TestVerifyAudit_failsNamingTheRowSomeoneEditedDirectly(t *testing.T) {
	a, _, pool := newWallet(t, 4)
	ctx := context.Background()
	topUp(t, a, "u1", 10_000, "UZS", "pi-1")
	topUp(t, a, "u1", 5_000, "UZS", "pi-2")
	if rep, err := adapters.VerifyAudit(ctx, pool, []byte(adapters.DefaultAuditKey)); err != nil || !rep.OK() || rep.Rows != 4 {
		t.Fatalf("untouched log: %+v, %v", rep, err)
	}
	// Someone with DDL rights bypasses the triggers and rewrites history.
	behindTheTriggers(t, pool, func(ctx context.Context, conn *pgxpool.Conn) error {
		_, err := conn.Exec(ctx, `UPDATE audit_log SET amount = 99999 WHERE account_id = 'customer_wallet:u1:UZS' AND seq = 1`)
		return err
	})
	rep, err := adapters.VerifyAudit(ctx, pool, []byte(adapters.DefaultAuditKey))
	if err != nil {
		t.Fatal(err)
	}
	if rep.OK() || !strings.Contains(strings.Join(rep.Problems, "\n"), "account_id=customer_wallet:u1:UZS, seq=1") {
		t.Fatalf("tampered log verified as %+v; want the edited row named", rep)
	}
}

func outboxEvents(t testing.TB, pool *pgxpool.Pool) []events.Envelope {
	t.Helper()
	rows, err := pool.Query(context.Background(), `SELECT value FROM outbox ORDER BY seq`)
	if err != nil {
		t.Fatal(err)
	}
	vals, err := pgx.CollectRows(rows, pgx.RowTo[[]byte])
	if err != nil {
		t.Fatal(err)
	}
	var out []events.Envelope
	for _, v := range vals {
		var e events.Envelope
		if err := json.Unmarshal(v, &e); err != nil {
			t.Fatal(err)
		}
		out = append(out, e)
	}
	return out
}

func inConsumerTx(t testing.TB, pool *pgxpool.Pool, repo *adapters.LedgerRepository, fn func(ctx context.Context, tx app.Tx) error) {
	t.Helper()
	ctx := context.Background()
	if err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error { return fn(ctx, repo.Bound(tx)) }); err != nil {
		t.Fatal(err)
	}
}

func orderCreated(order, customer string, total int64) contracts.OrderCreatedV2 {
	m := contracts.Money{AmountMinor: total, Currency: "UZS"}
	return contracts.OrderCreatedV2{OrderID: order, CustomerID: customer, RestaurantID: "r1", Subtotal: m, Total: m, PlacedAt: time.Now()}
}

func TestSaga_paysOnOrderCreatedAndPublishesSuccessOrFailureThroughTheOutbox(t *testing.T) {
	a, repo, pool := newWallet(t, 4)
	topUp(t, a, "u1", 10_000, "UZS", "pi-1")
	inConsumerTx(t, pool, repo, func(ctx context.Context, tx app.Tx) error {
		return a.OnOrderCreated(ctx, tx, orderCreated("o1", "u1", 7_000))
	})
	inConsumerTx(t, pool, repo, func(ctx context.Context, tx app.Tx) error {
		return a.OnOrderCreated(ctx, tx, orderCreated("o2", "u1", 7_000))
	})
	evs := outboxEvents(t, pool)
	if len(evs) != 2 || evs[0].Type != contracts.TypePaymentSucceeded || evs[1].Type != contracts.TypePaymentFailed {
		t.Fatalf("outbox = %v, want payment.success then payment.failed", types(evs))
	}
	var failed contracts.PaymentFailedV1
	if err := evs[1].Decode(&failed); err != nil || failed.Code != contracts.PaymentInsufficientFunds || evs[1].Subject != "o2" {
		t.Fatalf("failure = %+v, %v", failed, err)
	}
	checkInvariants(t, pool)
}

func types(evs []events.Envelope) []string {
	var out []string
	for _, e := range evs {
		out = append(out, e.Type)
	}
	return out
}

func TestSaga_refundsACancelledOrderOnceAndPublishesPaymentRefunded(t *testing.T) {
	a, repo, pool := newWallet(t, 4)
	topUp(t, a, "u1", 10_000, "UZS", "pi-1")
	inConsumerTx(t, pool, repo, func(ctx context.Context, tx app.Tx) error {
		return a.OnOrderCreated(ctx, tx, orderCreated("o1", "u1", 7_000))
	})
	for range 2 { // the same status change delivered twice under different event ids
		inConsumerTx(t, pool, repo, func(ctx context.Context, tx app.Tx) error {
			return a.OnOrderStatusChanged(ctx, tx, contracts.OrderStatusChangedV2{OrderID: "o1", From: "paid", To: contracts.OrderCancelled, Reason: "customer cancelled"})
		})
	}
	if b := balance(t, pool, "customer_wallet:u1:UZS"); b != 10_000 {
		t.Errorf("wallet after refund = %d, want 10000", b)
	}
	evs := outboxEvents(t, pool)
	if got := types(evs); len(got) != 2 || got[1] != contracts.TypePaymentRefunded {
		t.Fatalf("outbox = %v, want payment.success, payment.refunded", got)
	}
	var refunded contracts.PaymentRefundedV1
	if err := evs[1].Decode(&refunded); err != nil || refunded.Amount.AmountMinor != 7_000 {
		t.Fatalf("refund event = %+v, %v", refunded, err)
	}
	// A cancelled order that was never paid refunds nothing.
	inConsumerTx(t, pool, repo, func(ctx context.Context, tx app.Tx) error {
		return a.OnOrderStatusChanged(ctx, tx, contracts.OrderStatusChangedV2{OrderID: "never-paid", To: "rejected"})
	})
	checkInvariants(t, pool)
}

func TestSaga_settlesADeliveredOrderByTheSplitAndAwardsPoints(t *testing.T) {
	a, repo, pool := newWallet(t, 4)
	topUp(t, a, "u1", 100_000, "UZS", "pi-1")
	inConsumerTx(t, pool, repo, func(ctx context.Context, tx app.Tx) error {
		return a.OnOrderCreated(ctx, tx, orderCreated("o1", "u1", 10_001))
	})
	inConsumerTx(t, pool, repo, func(ctx context.Context, tx app.Tx) error {
		return a.OnDispatchAssigned(ctx, tx, contracts.DispatchAssignedV1{OrderID: "o1", DriverID: "d1", RestaurantID: "r1"})
	})
	for range 2 {
		inConsumerTx(t, pool, repo, func(ctx context.Context, tx app.Tx) error {
			return a.OnOrderStatusChanged(ctx, tx, contracts.OrderStatusChangedV2{OrderID: "o1", From: "picked_up", To: contracts.OrderDelivered})
		})
	}
	want := map[string]int64{
		"order_escrow:o1:UZS": 0, "platform_fee:platform:UZS": 1_500, "driver_earnings:d1:UZS": 1_000,
		"restaurant_payable:r1:UZS": 7_501, "loyalty_points:u1:PTS": 100,
	}
	for acct, w := range want {
		if b := balance(t, pool, acct); b != w {
			t.Errorf("%s = %d, want %d", acct, b, w)
		}
	}
	// A refund after settlement comes back from the restaurant.
	one := domain.MustMoney(1_000, "UZS")
	if _, err := a.Refund(context.Background(), app.RefundCommand{OrderID: "o1", Amount: &one, Reason: "cold food", IdempotencyKey: "r-1", Actor: "admin"}); err != nil {
		t.Fatal(err)
	}
	if b := balance(t, pool, "restaurant_payable:r1:UZS"); b != 6_501 {
		t.Errorf("restaurant after late refund = %d, want 6501", b)
	}
	checkInvariants(t, pool)
}

func TestRefund_neverReturnsMoreThanWasPaidUnderConcurrentRequests(t *testing.T) {
	a, _, pool := newWallet(t, 8)
	ctx := context.Background()
	topUp(t, a, "u1", 10_000, "UZS", "pi-1")
	if _, err := a.PayOrder(ctx, pay("o1", "u1", 5_000)); err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 20)
	for i := range 20 {
		go func() {
			amt := domain.MustMoney(700, "UZS")
			_, err := a.Refund(ctx, app.RefundCommand{OrderID: "o1", Amount: &amt, Reason: "partial", IdempotencyKey: fmt.Sprintf("r-%d", i), Actor: "t"})
			errs <- err
		}()
	}
	ok := 0
	for range 20 {
		err := <-errs
		switch {
		case err == nil:
			ok++
		case domain.IsInputError(err):
		default:
			t.Errorf("refund: %v", err)
		}
	}
	if ok != 7 {
		t.Errorf("%d refunds of 700 succeeded on a 5000 payment, want 7", ok)
	}
	if b := balance(t, pool, "order_escrow:o1:UZS"); b != 100 {
		t.Errorf("escrow = %d, want 100 left", b)
	}
	checkInvariants(t, pool)
}

// behindTheTriggers runs fn on a connection with triggers off (session_replication_role
// replica: what someone allowed to disable them can do) and turns them on again before the
// connection goes back to the pool.
func behindTheTriggers(t testing.TB, pool *pgxpool.Pool, fn func(ctx context.Context, conn *pgxpool.Conn) error) {
	t.Helper()
	ctx := context.Background()
	conn, err := pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, `SET session_replication_role = replica`); err != nil {
		t.Fatal(err)
	}
	err = fn(ctx, conn)
	if _, rerr := conn.Exec(ctx, `RESET session_replication_role`); err == nil {
		err = rerr
	}
	if err != nil {
		t.Fatal(err)
	}
}
