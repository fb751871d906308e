package adapters_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/dizhtime/dizhtime/subgraphs/wallet/adapters"
	"github.com/jackc/pgx/v5/pgxpool"
)

// The audit chain covers audit rows; a posting edited behind the triggers' back leaves
// the chain intact, and only re-deriving balances from postings sees it.
func TestVerifyAudit_reDerivesEveryBalanceFromThePostingsAndReportsEachDifference(t *testing.T) {
	a, _, pool := newWallet(t, 4)
	ctx := context.Background()
	topUp(t, a, "u1", 10_000, "UZS", "pi-1")
	behindTheTriggers(t, pool, func(ctx context.Context, conn *pgxpool.Conn) error {
		_, err := conn.Exec(ctx, `UPDATE postings SET amount = 12000 WHERE account_id = 'customer_wallet:u1:UZS'`)
		return err
	})
	rep, err := adapters.VerifyAudit(ctx, pool, []byte(adapters.DefaultAuditKey))
	if err != nil {
		t.Fatal(err)
	}
	all := strings.Join(rep.Problems, "\n")
	for _, want := range []string{"account customer_wallet:u1:UZS: balance 10000 but its postings sum to 12000",
		"UZS postings sum to 2000", "currency UZS: all postings sum to 2000"} {
		if !strings.Contains(all, want) {
			t.Errorf("report %q lacks %q", all, want)
		}
	}
}

func TestVerifyAudit_theChainIsKeyed_aWrongKeyOrARowReHashedWithoutTheKeyIsReported(t *testing.T) {
	a, _, pool := newWallet(t, 4)
	ctx := context.Background()
	topUp(t, a, "u1", 10_000, "UZS", "pi-1")
	topUp(t, a, "u1", 5_000, "UZS", "pi-2")
	if rep, err := adapters.VerifyAudit(ctx, pool, []byte(adapters.DefaultAuditKey)); err != nil || !rep.OK() {
		t.Fatalf("with the key: %+v, %v", rep, err)
	}
	if rep, err := adapters.VerifyAudit(ctx, pool, []byte("another-key-of-16+")); err != nil || rep.OK() {
		t.Fatalf("with another key: %+v, %v; want every chain reported", rep, err)
	}
	// A database administrator edits a row and re-hashes the chain the only way open to
	// someone without the key: plain sha256, marking the rows unkeyed.
	behindTheTriggers(t, pool, func(ctx context.Context, conn *pgxpool.Conn) error {
		_, err := conn.Exec(ctx, `UPDATE audit_log SET amount = 20000, balance_after = 20000, keyed = false,
			hash = sha256(prev_hash || audit_canonical(account_id, seq, tx_id, kind, currency, 20000, 20000, actor, reason, trace_id, at_us))
			WHERE account_id = 'customer_wallet:u1:UZS' AND seq = 1`)
		return err
	})
	rep, err := adapters.VerifyAudit(ctx, pool, []byte(adapters.DefaultAuditKey))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.Join(rep.Problems, "\n"), "account_id=customer_wallet:u1:UZS, seq=1): an unkeyed row") {
		t.Fatalf("re-hashed row verified as %+v", rep)
	}
}

func TestAuditHeads_exportedHeadsCatchAHistoryRewrittenEvenWithTheKey(t *testing.T) {
	a, _, pool := newWallet(t, 4)
	ctx := context.Background()
	topUp(t, a, "u1", 10_000, "UZS", "pi-1")
	key := []byte(adapters.DefaultAuditKey)
	path, err := adapters.ExportAuditHeads(ctx, pool, key, t.TempDir(), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if problems, err := adapters.CheckAuditHeads(ctx, pool, key, path); err != nil || len(problems) != 0 {
		t.Fatalf("untouched history: %v, %v", problems, err)
	}
	// Someone holding the key and the database rewrites the top-up and re-keys the row:
	// the chain verifies again, the exported head does not.
	ak := adapters.NewAuditKey(key)
	var prev []byte
	var canonical string
	if err := pool.QueryRow(ctx, `SELECT prev_hash, convert_from(audit_canonical(account_id, seq, tx_id, kind, currency, 20000, 20000,
		actor, reason, trace_id, at_us), 'UTF8') FROM audit_log WHERE account_id = 'customer_wallet:u1:UZS' AND seq = 1`).Scan(&prev, &canonical); err != nil {
		t.Fatal(err)
	}
	forged := ak.Sum(prev, []byte(canonical))
	behindTheTriggers(t, pool, func(ctx context.Context, conn *pgxpool.Conn) error {
		_, err := conn.Exec(ctx, `UPDATE audit_log SET amount = 20000, balance_after = 20000, hash = $1 WHERE account_id = 'customer_wallet:u1:UZS' AND seq = 1`, forged)
		if err == nil {
			_, err = conn.Exec(ctx, `UPDATE accounts SET audit_head = $1, balance = 20000 WHERE id = 'customer_wallet:u1:UZS'`, forged)
		}
		return err
	})
	problems, err := adapters.CheckAuditHeads(ctx, pool, key, path)
	if err != nil || !strings.Contains(strings.Join(problems, "\n"), "account_id=customer_wallet:u1:UZS, seq=1) no longer has the hash exported") {
		t.Fatalf("rewritten history against the exported heads: %v, %v", problems, err)
	}
	if problems, _ := adapters.CheckAuditHeads(ctx, pool, []byte("another-key-of-16+"), path); len(problems) != 1 || !strings.Contains(problems[0], "signature") {
		t.Errorf("heads file checked with another key: %v, want a signature problem", problems)
	}
}
