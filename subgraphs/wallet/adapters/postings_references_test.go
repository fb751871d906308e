package adapters_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/dizhtime/dizhtime/subgraphs/wallet/adapters"
)

// Migration 0012 checks postings' references once per statement instead of by foreign
// keys: a posting naming a transaction or an account that does not exist is still
// refused (whoever writes it, whichever row of a multi-row insert is wrong, with the
// foreign keys' SQLSTATE and constraint names), and the rows postings name can never go
// away: accounts refuse DELETE, TRUNCATE and a change of id as transactions always did.
func TestLedger_postingsMustNameATransactionAndAnAccountThatExist_andThoseNeverGoAway(t *testing.T) {
	a, _, pool := newWallet(t, 4)
	ctx := context.Background()
	topUp(t, a, "u1", 10_000, "UZS", "pi-1")
	var txID string
	if err := pool.QueryRow(ctx, `SELECT tx_id::text FROM postings WHERE account_id = 'customer_wallet:u1:UZS'`).Scan(&txID); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, stmt, constraint string
	}{
		{"an unknown transaction", `INSERT INTO postings (tx_id, account_id, currency, amount)
			VALUES ('` + txID + `', 'customer_wallet:u1:UZS', 'UZS', 5), (gen_random_uuid(), 'customer_wallet:u1:UZS', 'UZS', -5)`, "postings_tx_id_fkey"},
		{"an unknown account", `INSERT INTO postings (tx_id, account_id, currency, amount)
			VALUES ('` + txID + `', 'customer_wallet:u1:UZS', 'UZS', 5), ('` + txID + `', 'customer_wallet:nobody:UZS', 'UZS', -5)`, "postings_account_id_fkey"},
	} {
		_, err := pool.Exec(ctx, c.stmt)
		var pe *pgconn.PgError
		if !errors.As(err, &pe) || pe.Code != "23503" || pe.ConstraintName != c.constraint {
			t.Errorf("a posting naming %s: error = %v, want foreign_key_violation on %s", c.name, err, c.constraint)
		}
	}
	for _, stmt := range []string{
		`DELETE FROM accounts WHERE id = 'customer_wallet:u1:UZS'`,
		`TRUNCATE accounts CASCADE`,
		`UPDATE accounts SET id = 'customer_wallet:u2:UZS' WHERE id = 'customer_wallet:u1:UZS'`,
		`DELETE FROM transactions`,
	} {
		if _, err := pool.Exec(ctx, stmt); err == nil || !strings.Contains(err.Error(), "not allowed") {
			t.Errorf("%s: error = %v, want a refusal", stmt, err)
		}
	}
	if b := balance(t, pool, "customer_wallet:u1:UZS"); b != 10_000 {
		t.Errorf("wallet = %d after the refused statements, want 10000", b)
	}
	checkInvariants(t, pool)

	// Someone allowed to disable triggers writes an orphan posting: verify-audit names it.
	behindTheTriggers(t, pool, func(ctx context.Context, conn *pgxpool.Conn) error {
		_, err := conn.Exec(ctx, `INSERT INTO postings (tx_id, account_id, currency, amount)
			VALUES (gen_random_uuid(), 'customer_wallet:ghost:UZS', 'UZS', 1), (gen_random_uuid(), 'customer_wallet:ghost:UZS', 'UZS', -1)`)
		return err
	})
	rep, err := adapters.VerifyAudit(ctx, pool, []byte(adapters.DefaultAuditKey))
	if err != nil {
		t.Fatal(err)
	}
	all := strings.Join(rep.Problems, "\n")
	if rep.OK() || !strings.Contains(all, "does not exist") || !strings.Contains(all, "its account customer_wallet:ghost:UZS") {
		t.Fatalf("orphan postings verified as %+v; want them named", rep)
	}
}
