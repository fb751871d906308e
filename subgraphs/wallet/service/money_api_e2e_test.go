package service_test

import (
	"context"
	"strings"
	"testing"

	"github.com/dizhtime/dizhtime/platform/authz"
	"github.com/dizhtime/dizhtime/subgraphs/wallet/app"
	"github.com/dizhtime/dizhtime/subgraphs/wallet/domain"
)

const (
	topUpIntentMutation = `mutation($a: WalletMoneyInput!, $k: String!) { topUp(amount: $a, idempotencyKey: $k) { id status } }`
	topUpIntentQuery    = `query($id: ID!) { topUpIntent(id: $id) { id status amount { amountMinor currency } declineReason failureReason createdAt expiresAt } }`
	refundOrderMutation = `mutation($o: ID!, $a: WalletMoneyInput, $r: String!, $k: String!) { refundOrder(orderId: $o, amount: $a, reason: $r, idempotencyKey: $k) {
		transactionId replayed payment { status refunded { amountMinor } refunds { amount { amountMinor } reason } } } }`
	orderPaymentQuery = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Order { id payment {
		status amountPaid { amountMinor currency } amountPaidFromWallet { amountMinor } pointsRedeemed refunded { amountMinor } settled refunds { reason } } } } }`
)

func TestThroughTheRouter_topUpIntentsAreDurableBoundedAndQueryable(t *testing.T) {
	s := startStack(t)
	do := through(t, s.router)
	u, other := s.newUser(t), s.newUser(t)
	money := func(minor any) map[string]any { return map[string]any{"amountMinor": minor, "currency": "UZS"} }

	first := do(topUpIntentMutation, map[string]any{"a": money(40_000), "k": "tap-1"}, u.h)
	wantNoErrors(t, first)
	var started struct{ TopUp struct{ ID, Status string } }
	if err := first.Decode(&started); err != nil {
		t.Fatal(err)
	}
	again := do(topUpIntentMutation, map[string]any{"a": money(40_000), "k": "tap-1"}, u.h)
	wantNoErrors(t, again)
	if !strings.Contains(string(again.Data), started.TopUp.ID) {
		t.Errorf("the same key and amount: %s, want intent %s", again.Data, started.TopUp.ID)
	}
	wantCode(t, do(topUpIntentMutation, map[string]any{"a": money(41_000), "k": "tap-1"}, u.h), "CONFLICT")
	wantCode(t, do(topUpIntentMutation, map[string]any{"a": money("9223372036854775807"), "k": "tap-max"}, u.h), "BAD_USER_INPUT")

	eventually(t, "the intent to succeed", func() bool {
		resp := do(topUpIntentQuery, map[string]any{"id": started.TopUp.ID}, u.h)
		wantNoErrors(t, resp)
		return strings.Contains(string(resp.Data), `"SUCCEEDED"`)
	})
	if b := readWallet(t, do, u.ID, u.h, nil).balance("UZS"); b != "40000" {
		t.Errorf("wallet = %s, want 40000 (credited once)", b)
	}
	// Another customer sees no such intent.
	resp := do(topUpIntentQuery, map[string]any{"id": started.TopUp.ID}, other.h)
	wantNoErrors(t, resp)
	if !strings.Contains(string(resp.Data), `"topUpIntent":null`) {
		t.Errorf("another customer read the intent: %s", resp.Data)
	}
}

func TestThroughTheRouter_anAdminRefundsPartOfAnOrder_andTheCustomerSeesItOnTheOrdersPayment(t *testing.T) {
	s := startStack(t)
	do := through(t, s.router)
	u, admin := s.newUser(t), s.newUser(t, authz.RoleAdmin)
	topUp(t, do, u.h, 50_000, "k1")
	eventually(t, "the top-up", func() bool { return readWallet(t, do, u.ID, u.h, nil).balance("UZS") == "50000" })
	order := "order-" + strings.ToLower(u.ID)
	if _, err := s.wallet.svc.App.PayOrder(context.Background(), app.PayOrderCommand{PayOrder: domain.PayOrder{OrderID: order,
		CustomerID: u.ID, Total: domain.MustMoney(20_000, "UZS")}, RestaurantID: "r1", IdempotencyKey: "pay:" + order, Actor: "test"}); err != nil {
		t.Fatal(err)
	}
	vars := map[string]any{"o": order, "a": map[string]any{"amountMinor": 5_000, "currency": "UZS"}, "r": "cold soup", "k": "refund-1"}
	wantCode(t, do(refundOrderMutation, vars, u.h), "FORBIDDEN")
	resp := do(refundOrderMutation, vars, admin.h)
	wantNoErrors(t, resp)
	if !strings.Contains(string(resp.Data), `"PARTIALLY_REFUNDED"`) || !strings.Contains(string(resp.Data), `"cold soup"`) {
		t.Errorf("refundOrder: %s", resp.Data)
	}
	wantCode(t, do(refundOrderMutation, map[string]any{"o": order, "a": map[string]any{"amountMinor": 15_001, "currency": "UZS"},
		"r": "too much", "k": "refund-2"}, admin.h), "BAD_USER_INPUT")
	if b := readWallet(t, do, u.ID, u.h, nil).balance("UZS"); b != "35000" {
		t.Errorf("wallet = %s, want 35000", b)
	}
	// Order.payment, as the router asks the wallet for it (the orders subgraph owns Order).
	entities := direct(t, s.wallet.url)
	reps := map[string]any{"r": []any{map[string]any{"__typename": "Order", "id": order}}}
	resp = entities(orderPaymentQuery, reps, as(u.ID, authz.RoleCustomer))
	wantNoErrors(t, resp)
	for _, want := range []string{`"status":"PARTIALLY_REFUNDED"`, `"amountPaid":{"amountMinor":"20000","currency":"UZS"}`, `"refunded":{"amountMinor":"5000"}`} {
		if !strings.Contains(string(resp.Data), want) {
			t.Errorf("Order.payment %s lacks %s", resp.Data, want)
		}
	}
	wantCode(t, entities(orderPaymentQuery, reps, as("someone-else", authz.RoleCustomer)), "FORBIDDEN")
}
