package adapters_test

import (
	"context"
	"testing"
	"time"

	"github.com/dizhtime/dizhtime/platform/authz"
	"github.com/dizhtime/dizhtime/platform/graphqlerr"
	"github.com/dizhtime/dizhtime/subgraphs/orders/app"
	"github.com/dizhtime/dizhtime/subgraphs/orders/domain"
)

// cartQuoter prices every item at 1000 UZS, as an open restaurant with everything in stock.
type cartQuoter struct{}

func (cartQuoter) Quote(_ context.Context, restaurantID string, lines []app.QuoteLine) (app.Quote, error) {
	q := app.Quote{RestaurantID: restaurantID, Currency: "UZS", Available: true, RestaurantOpen: true}
	for _, l := range lines {
		price := domain.Money{Minor: 1000, Currency: "UZS"}
		total, _ := price.Times(int64(l.Quantity))
		q.Lines = append(q.Lines, domain.Line{MenuItemID: l.MenuItemID, Name: l.MenuItemID, Quantity: l.Quantity, UnitPrice: price, LineTotal: total})
	}
	return q, nil
}

func TestPlaceOrder_aKeyReusedForAnotherCartIsAConflict_theSameCartGetsTheFirstOrder(t *testing.T) {
	repo, _ := newRepo(t)
	a, err := app.New(repo, cartQuoter{}, noRelations{}, app.NewHub(), app.Config{AcceptanceTimeout: time.Minute}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := authz.WithIdentity(context.Background(), authz.Identity{UserID: "c-key", Roles: []authz.Role{authz.RoleCustomer}})
	checkout := func(item string, qty int) app.PlaceOrderCommand {
		return app.PlaceOrderCommand{RestaurantID: "r1", Lines: []app.QuoteLine{{MenuItemID: item, Quantity: qty}},
			DeliveryAddress: domain.Address{Line1: "Amir Temur 1", City: "Tashkent"}, IdempotencyKey: "checkout-1"}
	}
	first, err := a.PlaceOrder(ctx, checkout("plov", 2))
	if err != nil {
		t.Fatal(err)
	}
	again, err := a.PlaceOrder(ctx, checkout("plov", 2))
	if err != nil || again.ID != first.ID {
		t.Fatalf("the same checkout again: %v, %v; want the first order %s", again, err, first.ID)
	}
	for name, cmd := range map[string]app.PlaceOrderCommand{
		"another item":     checkout("manti", 2),
		"another quantity": checkout("plov", 3),
		"another address": func() app.PlaceOrderCommand {
			c := checkout("plov", 2)
			c.DeliveryAddress.Line1 = "Navoi 5"
			return c
		}(),
	} {
		if _, err := a.PlaceOrder(ctx, cmd); graphqlerr.CodeOf(err) != graphqlerr.CodeConflict {
			t.Errorf("%s under a used key: %v, want CONFLICT", name, err)
		}
	}
}
