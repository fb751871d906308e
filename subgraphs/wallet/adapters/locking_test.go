package adapters_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/dizhtime/dizhtime/events/consumer"
	"github.com/dizhtime/dizhtime/events/outbox"
	"github.com/dizhtime/dizhtime/platform/postgres"
	"github.com/dizhtime/dizhtime/subgraphs/wallet/adapters"
	"github.com/dizhtime/dizhtime/subgraphs/wallet/app"
	"github.com/dizhtime/dizhtime/subgraphs/wallet/domain"
	"github.com/dizhtime/dizhtime/subgraphs/wallet/internal/testdb"
)

// Migration 0006 on a ledger that already holds money: the column nobody read goes, every
// balance and audit chain stays, and wallet_post keeps working on the new schema.
func TestMigration0006_dropsTheUnreadVersionColumnFromAPopulatedLedgerKeepingEveryBalanceAndChain(t *testing.T) {
	ctx := context.Background()
	_, pool := testdb.Empty(t, 4)
	// The ledger as release 0005 left it, populated through the application.
	old := fstest.MapFS{}
	for _, name := range []string{"0001_ledger.sql", "0002_order_endings.sql", "0003_topup_intents.sql",
		"0004_locking_is_pessimistic.sql", "0005_keyed_audit_chain.sql"} {
		b, err := os.ReadFile(filepath.Join("migrations", name))
		if err != nil {
			t.Fatal(err)
		}
		old[name] = &fstest.MapFile{Data: b}
	}
	if err := postgres.Migrate(ctx, pool, "wallet", old); err != nil {
		t.Fatalf("migrate to 0005: %v", err)
	}
	if err := outbox.Migrate(ctx, pool); err != nil {
		t.Fatal(err)
	}
	if err := consumer.Migrate(ctx, pool); err != nil {
		t.Fatal(err)
	}
	// Release 0005 had no wallet_post_batch (0007): its ledger posted one by one.
	a, err := app.New(adapters.NewLedgerRepository(pool, nil).WithoutBatching(), nopGateway{},
		app.Config{Loyalty: domain.DefaultLoyalty, Split: domain.Split{PlatformFeeBps: 1500, DriverBps: 1000}})
	if err != nil {
		t.Fatal(err)
	}
	topUp(t, a, "u1", 10_000, "UZS", "pi-1")
	if _, err := a.PayOrder(ctx, pay("o1", "u1", 6_000)); err != nil {
		t.Fatal(err)
	}
	var versionSum, seqSum int64
	if err := pool.QueryRow(ctx, `SELECT sum(version), sum(audit_seq) FROM accounts`).Scan(&versionSum, &seqSum); err != nil {
		t.Fatalf("before 0006 accounts.version should exist: %v", err)
	}
	if versionSum != seqSum || versionSum == 0 {
		t.Fatalf("before 0006: version sums to %d and audit_seq to %d; the column was meant to be a change counter equal to audit_seq", versionSum, seqSum)
	}

	if err := adapters.Migrate(ctx, pool); err != nil {
		t.Fatalf("migrate 0005 -> 0006: %v", err)
	}
	var n int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM information_schema.columns
		WHERE table_schema = current_schema() AND table_name = 'accounts' AND column_name = 'version'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Fatal("accounts.version survived migration 0006")
	}
	var comment string
	if err := pool.QueryRow(ctx, `SELECT obj_description(to_regclass('accounts'), 'pg_class')`).Scan(&comment); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(comment, "row-locked (pessimistic)") {
		t.Errorf("accounts' comment = %q, want it to say the balances are row-locked", comment)
	}
	if b := balance(t, pool, "customer_wallet:u1:UZS"); b != 4_000 {
		t.Errorf("wallet after 0006 = %d, want 4000", b)
	}
	if b := balance(t, pool, "order_escrow:o1:UZS"); b != 6_000 {
		t.Errorf("escrow after 0006 = %d, want 6000", b)
	}
	// wallet_post as 0006 rewrote it: it writes to the accounts it moves and extends
	// their audit chains after the rows written by 0005's function.
	topUp(t, a, "u1", 3_000, "UZS", "pi-2")
	if _, err := a.PayOrder(ctx, pay("o2", "u1", 7_000)); err != nil {
		t.Fatal(err)
	}
	if b := balance(t, pool, "customer_wallet:u1:UZS"); b != 0 {
		t.Errorf("wallet = %d, want 0", b)
	}
	bals, err := a.Balances(ctx, "u1")
	if err != nil || len(bals) != 1 || bals[0].Balance != 0 {
		t.Errorf("Balances(u1) = %+v, %v; want the wallet at 0", bals, err)
	}
	checkInvariants(t, pool)
}

// Balances are row-locked, not versioned: a writer that finds an account's row locked by
// a transaction in flight waits for it (it never reads the old balance, and has no
// version to compare and retry on), and then decides on the balance that transaction
// left.
func TestLedger_balancesAreRowLocked_aWriterWaitsForTheRowAndDecidesOnTheBalanceLeftBehind(t *testing.T) {
	a, repo, pool := newWallet(t, 4)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	topUp(t, a, "u1", 10_000, "UZS", "pi-1")

	tx, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tx.Rollback(context.Background()) }()
	var holder int32
	if err := tx.QueryRow(ctx, `SELECT pg_backend_pid()`).Scan(&holder); err != nil {
		t.Fatal(err)
	}
	if r, err := a.PayOrderIn(ctx, repo.Bound(tx), pay("o1", "u1", 6_000)); err != nil || r.Status != app.StatusOK {
		t.Fatalf("first payment in its transaction: %+v, %v", r, err)
	}

	second := make(chan error, 1)
	go func() {
		_, err := a.PayOrder(ctx, pay("o2", "u1", 6_000))
		second <- err
	}()
	// Wait until PostgreSQL itself reports the second writer blocked by the first one's
	// transaction (no sleep decides anything here; the deadline only bounds a hang).
	for {
		var waiting int
		if err := pool.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity WHERE $1 = ANY (pg_blocking_pids(pid))`, holder).Scan(&waiting); err != nil {
			t.Fatal(err)
		}
		if waiting > 0 {
			break
		}
		select {
		case err := <-second:
			t.Fatalf("the second payment finished (%v) while the first held the account's row: it did not wait for the row lock", err)
		case <-ctx.Done():
			t.Fatal("the second payment never showed up as waiting for the first one's row lock")
		case <-time.After(20 * time.Millisecond):
		}
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-second; !errors.Is(err, domain.ErrInsufficientFunds) {
		t.Fatalf("second payment after the first committed: %v, want insufficient funds (4000 left of 10000)", err)
	}
	if b := balance(t, pool, "customer_wallet:u1:UZS"); b != 4_000 {
		t.Errorf("wallet = %d, want 4000", b)
	}
	checkInvariants(t, pool)
}
