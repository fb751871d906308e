package service_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/dizhtime/dizhtime/platform/graphqlerr"
	"github.com/dizhtime/dizhtime/subgraphs/identity/app"
	"github.com/dizhtime/dizhtime/subgraphs/identity/domain"
)

// TestEnsureAccountAsOperator_makesTheAccountWithItsIdOnceAndRefusesAnotherAccountsEmail is
// what `identity demo-owners` does for each demo owner: the account gets the chosen id and
// role, signs in with its password, a second run makes nothing, and an email another
// account holds is a CONFLICT, not a second account.
func TestEnsureAccountAsOperator_makesTheAccountWithItsIdOnceAndRefusesAnotherAccountsEmail(t *testing.T) {
	id := startIdentity(t, testConfig())
	ctx := context.Background()
	in := app.OperatorAccount{ID: "9c850f8f-8a75-5388-8e5a-5f9e9cc827f7", Email: uniqueEmail(), Name: "Dilnoza Karimova",
		Password: "dizhtime-demo", Roles: []string{"RESTAURANT_OWNER"}}
	u, made, err := id.svc.App.EnsureAccountAsOperator(ctx, in)
	if err != nil || !made || u.ID != in.ID || !u.HasRole(domain.RoleRestaurantOwner) {
		t.Fatalf("first run: %+v made=%v err=%v", u, made, err)
	}
	again, made, err := id.svc.App.EnsureAccountAsOperator(ctx, in)
	if err != nil || made || again.ID != in.ID || !slices.Equal(again.Roles, u.Roles) {
		t.Fatalf("second run: %+v made=%v err=%v", again, made, err)
	}
	login := decodeField(t, id.direct(t)(loginMutation, map[string]any{"e": in.Email, "p": in.Password}), "login")
	if login.User.ID != in.ID {
		t.Fatalf("the account signs in as %s, want %s", login.User.ID, in.ID)
	}
	taken := in
	taken.ID = "0d3c1e9a-5b7f-5e2d-9a41-7c6b8e2f1a30"
	_, _, err = id.svc.App.EnsureAccountAsOperator(ctx, taken)
	var ge *graphqlerr.Error
	if !errors.As(err, &ge) || ge.Code != "CONFLICT" {
		t.Fatalf("another id with a taken email: %v, want CONFLICT", err)
	}
}
