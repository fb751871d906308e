package service_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/dizhtime/dizhtime/events/contracts"
	"github.com/dizhtime/dizhtime/platform/authz"
	"github.com/dizhtime/dizhtime/subgraphs/wallet/app"
	"github.com/dizhtime/dizhtime/subgraphs/wallet/domain"
)

const (
	courierEarningsQuery = `query($u: ID!, $since: String!) { wallet(userId: $u) { courierEarnings(since: $since) { amount { amountMinor currency } orders } } }`
	auditQuery           = `query { walletAuditVerification { intact accounts rows problems checkedAt } }`
)

func TestThroughTheRouter_aCourierSeesWhatTheyEarnedSinceAnInstant_andNoOneElseDoes(t *testing.T) {
	s := startStack(t)
	do := through(t, s.router)
	customer, courier, stranger := s.newUser(t), s.newUser(t, authz.RoleDriver), s.newUser(t, authz.RoleDriver)
	ctx := context.Background()
	before := time.Now().Add(-time.Second).UTC().Format(time.RFC3339)
	// Two delivered orders of 20,000 and 30,000 UZS, the courier's share 10% of each.
	for i, total := range []int64{20_000, 30_000} {
		order := "order-" + strings.ToLower(customer.ID) + "-" + string(rune('a'+i))
		if _, err := s.wallet.svc.App.AdjustBalance(ctx, "test", customer.ID, domain.MustMoney(total, "UZS"), "seed", "seed-"+order); err != nil {
			t.Fatal(err)
		}
		if _, err := s.wallet.svc.App.PayOrder(ctx, app.PayOrderCommand{PayOrder: domain.PayOrder{OrderID: order,
			CustomerID: customer.ID, Total: domain.MustMoney(total, "UZS")}, RestaurantID: "r1", IdempotencyKey: "pay:" + order, Actor: "test"}); err != nil {
			t.Fatal(err)
		}
		if err := s.wallet.svc.Repo.InTx(ctx, func(ctx context.Context, tx app.Tx) error {
			if err := s.wallet.svc.App.OnDispatchAssigned(ctx, tx, contracts.DispatchAssignedV1{OrderID: order, DriverID: courier.ID}); err != nil {
				return err
			}
			_, err := s.wallet.svc.App.SettleIn(ctx, tx, order, "test")
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}

	resp := do(courierEarningsQuery, map[string]any{"u": courier.ID, "since": before}, courier.h)
	wantNoErrors(t, resp)
	if want := `{"wallet":{"courierEarnings":[{"amount":{"amountMinor":"5000","currency":"UZS"},"orders":2}]}}`; string(resp.Data) != want {
		t.Errorf("courier's earnings = %s, want %s", resp.Data, want)
	}
	// Nothing earned since now; nothing ever for the other courier.
	resp = do(courierEarningsQuery, map[string]any{"u": courier.ID, "since": time.Now().Add(time.Minute).UTC().Format(time.RFC3339)}, courier.h)
	wantNoErrors(t, resp)
	if !strings.Contains(string(resp.Data), `"courierEarnings":[]`) {
		t.Errorf("earnings since a future instant = %s, want none", resp.Data)
	}
	resp = do(courierEarningsQuery, map[string]any{"u": stranger.ID, "since": before}, stranger.h)
	wantNoErrors(t, resp)
	if !strings.Contains(string(resp.Data), `"courierEarnings":[]`) {
		t.Errorf("another courier's own earnings = %s, want none", resp.Data)
	}
	wantCode(t, do(courierEarningsQuery, map[string]any{"u": courier.ID, "since": before}, stranger.h), "FORBIDDEN")
	wantCode(t, do(courierEarningsQuery, map[string]any{"u": courier.ID, "since": "yesterday"}, courier.h), "BAD_USER_INPUT")
}

func TestThroughTheRouter_anAdminVerifiesTheAuditLog_andSeesATamperedRowNamed(t *testing.T) {
	s := startStack(t)
	do := through(t, s.router)
	customer, admin := s.newUser(t), s.newUser(t, authz.RoleAdmin)
	topUp(t, do, customer.h, 50_000, "k1")
	eventually(t, "the top-up", func() bool { return readWallet(t, do, customer.ID, customer.h, nil).balance("UZS") == "50000" })

	wantCode(t, do(auditQuery, nil, customer.h), "FORBIDDEN")
	resp := do(auditQuery, nil, admin.h)
	wantNoErrors(t, resp)
	var v struct {
		WalletAuditVerification struct {
			Intact         bool
			Accounts, Rows int
			Problems       []string
			CheckedAt      string
		}
	}
	if err := resp.Decode(&v); err != nil {
		t.Fatal(err)
	}
	got := v.WalletAuditVerification
	if !got.Intact || got.Rows < 2 || got.Accounts < 2 || len(got.Problems) != 0 || got.CheckedAt == "" {
		t.Fatalf("verification of an untouched ledger = %+v, want intact with rows", got)
	}

	// A database administrator gets round the append-only trigger and rewrites the
	// customer's top-up: the check names the account.
	ctx := context.Background()
	conn, err := s.wallet.pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`SET session_replication_role = replica`,
		`UPDATE audit_log SET amount = amount + 1, balance_after = balance_after + 1 WHERE account_id = 'customer_wallet:` + customer.ID + `:UZS'`,
		`RESET session_replication_role`} {
		if _, err := conn.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	conn.Release()
	resp = do(auditQuery, nil, admin.h)
	wantNoErrors(t, resp)
	if err := resp.Decode(&v); err != nil {
		t.Fatal(err)
	}
	got = v.WalletAuditVerification
	if got.Intact || len(got.Problems) == 0 || !strings.Contains(strings.Join(got.Problems, " "), customer.ID) {
		t.Errorf("verification after tampering = %+v, want the customer's account named", got)
	}
}
