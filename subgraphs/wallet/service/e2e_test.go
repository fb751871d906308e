package service_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/dizhtime/dizhtime/platform/authz"
	"github.com/dizhtime/dizhtime/platform/routertest"
)

// Every test here goes through the real router in front of identity and the wallet; the
// router verifies identity's access tokens and forwards the identity it verified.

func TestThroughTheRouter_aTopUpIsCreditedByTheGatewayWebhookAndShowsInBalanceAndHistory(t *testing.T) {
	s := startStack(t)
	do := through(t, s.router)
	u := s.newUser(t)

	// More than a 32-bit Int holds, sent as a string; a small one as a JSON number.
	topUp(t, do, u.h, "5000000000", "k1")
	topUp(t, do, u.h, 150000, "k2")
	topUp(t, do, u.h, 150000, "k2") // a retried request tops up once
	var got walletData
	// Balance and history are separate fields, read one after the other: wait for both.
	eventually(t, "both top-ups credited", func() bool {
		got = readWallet(t, do, u.ID, u.h, nil)
		return got.balance("UZS") == "5000150000" && len(got.Transactions.Edges) == 2
	})
	if got.LoyaltyPoints != "0" || len(got.Transactions.Edges) != 2 || got.Transactions.Edges[0].Node.Kind != "TOP_UP" {
		t.Fatalf("wallet: %+v", got)
	}

	// Pages: newest first, one at a time, the cursor continuing where the last page ended.
	first := readWallet(t, do, u.ID, u.h, map[string]any{"first": 1})
	if len(first.Transactions.Edges) != 1 || !first.Transactions.PageInfo.HasNextPage {
		t.Fatalf("first page: %+v", first.Transactions)
	}
	second := readWallet(t, do, u.ID, u.h, map[string]any{"first": 1, "after": first.Transactions.PageInfo.EndCursor})
	if len(second.Transactions.Edges) != 1 || second.Transactions.PageInfo.HasNextPage ||
		second.Transactions.Edges[0].Node.Amount == first.Transactions.Edges[0].Node.Amount {
		t.Fatalf("second page: %+v after %+v", second.Transactions, first.Transactions)
	}
	wantCode(t, do(walletQuery, map[string]any{"u": u.ID, "after": "not-a-cursor"}, u.h), "BAD_USER_INPUT")
	wantCode(t, do(walletQuery, map[string]any{"u": u.ID, "first": 1000}, u.h), "BAD_USER_INPUT")

	// A declined payment (sandbox: amount ending in 0002) credits nothing.
	topUp(t, do, u.h, 10002, "k3")
	s.wallet.svc.Gateway.Wait()
	if b := readWallet(t, do, u.ID, u.h, nil).balance("UZS"); b != "5000150000" {
		t.Errorf("balance after a declined top-up: %s", b)
	}
}

func TestThroughTheRouter_aCustomerSeesOnlyTheirOwnWallet(t *testing.T) {
	s := startStack(t)
	do := through(t, s.router)
	alice, bob, boss := s.newUser(t), s.newUser(t), s.newUser(t, authz.RoleAdmin)
	topUp(t, do, alice.h, 1000, "a1")
	eventually(t, "alice's top-up", func() bool { return readWallet(t, do, alice.ID, alice.h, nil).balance("UZS") == "1000" })

	wantCode(t, do(walletQuery, map[string]any{"u": alice.ID}, bob.h), "FORBIDDEN")
	wantCode(t, do(`query($id: ID!) { user(id: $id) { id wallet { balances { amountMinor } } } }`, map[string]any{"id": alice.ID}, bob.h), "FORBIDDEN")
	wantCode(t, do(walletQuery, map[string]any{"u": alice.ID}, nil), "UNAUTHENTICATED")
	wantCode(t, do(topUpMutation, map[string]any{"a": map[string]any{"amountMinor": 1, "currency": "UZS"}, "k": "x"}, nil), "UNAUTHENTICATED")
	// Identity headers a client forges are stripped by the router.
	forged := as(alice.ID)
	forged.Set("Authorization", bob.h.Get("Authorization"))
	wantCode(t, do(walletQuery, map[string]any{"u": alice.ID}, forged), "FORBIDDEN")
	if b := readWallet(t, do, alice.ID, boss.h, nil).balance("UZS"); b != "1000" {
		t.Errorf("admin sees alice's balance %s", b)
	}
}

func TestThroughTheRouter_userWalletJoinsIdentitysUserWithTheWallet(t *testing.T) {
	s := startStack(t)
	do := through(t, s.router)
	u := s.newUser(t)
	topUp(t, do, u.h, 4200, "j1")
	q := `query($id: ID!) { user(id: $id) { id name wallet { userId balances { amountMinor currency } loyaltyPoints } } }`
	var data struct {
		User struct {
			ID, Name string
			Wallet   walletData
		}
	}
	eventually(t, "the top-up through User.wallet", func() bool {
		resp := do(q, map[string]any{"id": u.ID}, u.h)
		wantNoErrors(t, resp)
		if err := resp.Decode(&data); err != nil {
			t.Fatal(err)
		}
		return data.User.Wallet.balance("UZS") == "4200"
	})
	if data.User.Name != "Wallet Tester" || data.User.Wallet.UserID != u.ID {
		t.Fatalf("user: %+v", data.User)
	}
}

func TestThroughTheRouter_adminAdjustmentsNeedTheAdminRoleAndAReason(t *testing.T) {
	s := startStack(t)
	do := through(t, s.router)
	u, boss := s.newUser(t), s.newUser(t, authz.RoleAdmin)
	adj := func(h http.Header, amount any, currency, reason, key string) *routertest.Response {
		return do(adjustMutation, map[string]any{"u": u.ID, "a": map[string]any{"amountMinor": amount, "currency": currency},
			"r": reason, "k": key}, h)
	}
	cases := []struct {
		name string
		resp *routertest.Response
		code string
	}{
		{"a customer", adj(u.h, 500, "UZS", "goodwill", "c1"), "FORBIDDEN"},
		{"nobody", adj(nil, 500, "UZS", "goodwill", "c2"), "UNAUTHENTICATED"},
		{"empty reason", adj(boss.h, 500, "UZS", "", "c3"), "BAD_USER_INPUT"},
		{"blank reason", adj(boss.h, 500, "UZS", "   ", "c4"), "BAD_USER_INPUT"},
		{"zero amount", adj(boss.h, 0, "UZS", "goodwill", "c5"), "BAD_USER_INPUT"},
		{"unknown currency", adj(boss.h, 500, "XYZ", "goodwill", "c6"), "BAD_USER_INPUT"},
		{"fractional amount", adj(boss.h, "12.5", "UZS", "goodwill", "c7"), "BAD_USER_INPUT"},
		{"empty key", adj(boss.h, 500, "UZS", "goodwill", ""), "BAD_USER_INPUT"},
		{"debit below zero", adj(boss.h, -1, "UZS", "claw back", "c8"), "INSUFFICIENT_FUNDS"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { wantCode(t, c.resp, c.code) })
	}
	// No reason at all does not even reach the resolver: reason is String!.
	resp := do(`mutation($u: ID!) { adminAdjustBalance(userId: $u, amount: {amountMinor: "1", currency: "UZS"}, idempotencyKey: "k") { replayed } }`,
		map[string]any{"u": u.ID}, boss.h)
	if len(resp.Errors) == 0 {
		t.Errorf("an adjustment without a reason was accepted: %s", resp.Data)
	}

	ok := adj(boss.h, 2500, "UZS", "compensation for a late order", "ok-1")
	wantNoErrors(t, ok)
	again := adj(boss.h, 2500, "UZS", "compensation for a late order", "ok-1")
	wantNoErrors(t, again)
	var a, b struct {
		AdminAdjustBalance struct {
			TransactionID string
			Replayed      bool
			Wallet        walletData
		}
	}
	_ = ok.Decode(&a)
	_ = again.Decode(&b)
	if a.AdminAdjustBalance.Replayed || !b.AdminAdjustBalance.Replayed || a.AdminAdjustBalance.TransactionID != b.AdminAdjustBalance.TransactionID ||
		b.AdminAdjustBalance.Wallet.balance("UZS") != "2500" {
		t.Fatalf("adjust then replay: %+v / %+v", a, b)
	}
	wantCode(t, adj(boss.h, 9999, "UZS", "compensation for a late order", "ok-1"), "CONFLICT")

	got := readWallet(t, do, u.ID, u.h, nil)
	if got.balance("UZS") != "2500" || got.Transactions.Edges[0].Node.Kind != "ADJUSTMENT" ||
		got.Transactions.Edges[0].Node.Reason != "compensation for a late order" {
		t.Fatalf("wallet after adjustment: %+v", got)
	}
}

func TestThroughTheRouter_redeemPointsPreviewCapsAtTheBalanceAndTheRules(t *testing.T) {
	s := startStack(t)
	do := through(t, s.router)
	u, boss := s.newUser(t), s.newUser(t, authz.RoleAdmin)
	wantNoErrors(t, do(adjustMutation, map[string]any{"u": u.ID, "a": map[string]any{"amountMinor": 3000, "currency": "PTS"},
		"r": "welcome bonus", "k": "pts"}, boss.h))
	preview := func(total int, points any) string {
		resp := do(previewQuery, map[string]any{"t": map[string]any{"amountMinor": total, "currency": "UZS"}, "p": points}, u.h)
		wantNoErrors(t, resp)
		return string(resp.Data)
	}
	// Default rules: a point pays 1 minor unit, up to half the order.
	if got, want := preview(10000, nil), `{"redeemPointsPreview":{"points":"3000","covered":{"amountMinor":"3000","currency":"UZS"},"remaining":{"amountMinor":"7000","currency":"UZS"},"balance":"3000"}}`; got != want {
		t.Errorf("all points:\n got %s\nwant %s", got, want)
	}
	if got := preview(4000, nil); !strings.Contains(got, `"points":"2000"`) {
		t.Errorf("capped at half: %s", got)
	}
	if got := preview(10000, "100"); !strings.Contains(got, `"points":"100"`) {
		t.Errorf("asked for 100: %s", got)
	}
	wantCode(t, do(previewQuery, map[string]any{"t": map[string]any{"amountMinor": 0, "currency": "UZS"}}, u.h), "BAD_USER_INPUT")
	wantCode(t, do(previewQuery, map[string]any{"t": map[string]any{"amountMinor": 100, "currency": "UZS"}, "p": -1}, u.h), "BAD_USER_INPUT")
	wantCode(t, do(previewQuery, map[string]any{"t": map[string]any{"amountMinor": 100, "currency": "UZS"}}, nil), "UNAUTHENTICATED")
}
