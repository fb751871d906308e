package adapters_test

import (
	"context"
	"strings"
	"testing"

	"github.com/dizhtime/dizhtime/subgraphs/wallet/adapters"
)

// The audit chain covers audit rows; a posting edited behind the triggers' back leaves
// the chain intact, and only re-deriving balances from postings sees it.
func TestVerifyAudit_reDerivesEveryBalanceFromThePostingsAndReportsEachDifference(t *testing.T) {
	a, _, pool := newWallet(t, 4)
	ctx := context.Background()
	topUp(t, a, "u1", 10_000, "UZS", "pi-1")
	conn, err := pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	_, err = conn.Exec(ctx, `SET session_replication_role = replica`)
	if err == nil {
		_, err = conn.Exec(ctx, `UPDATE postings SET amount = 12000 WHERE account_id = 'customer_wallet:u1:UZS'`)
	}
	if err == nil {
		_, err = conn.Exec(ctx, `RESET session_replication_role`)
	}
	conn.Release()
	if err != nil {
		t.Fatal(err)
	}
	rep, err := adapters.VerifyAudit(ctx, pool)
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
