package adapters_test

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/dizhtime/dizhtime/platform/authz"
	"github.com/dizhtime/dizhtime/platform/endpoints"
	"github.com/dizhtime/dizhtime/platform/graphqlerr"
	"github.com/dizhtime/dizhtime/subgraphs/orders/adapters"
	"github.com/dizhtime/dizhtime/subgraphs/orders/app"
	"github.com/dizhtime/dizhtime/subgraphs/orders/domain"
	r "github.com/dizhtime/dizhtime/subgraphs/orders/internal/liverestaurants"
)

// startRestaurants runs the real restaurants service in-process on the FerretDB server
// at DIZHTIME_MONGO_URI, with the seeded restaurant; a missing server fails the test.
func startRestaurants(t *testing.T) *r.Restaurants {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	rs, err := r.Start(ctx, endpoints.Mongo())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(rs.Close)
	return rs
}

func uzs(minor int64) domain.Money { return domain.Money{Minor: minor, Currency: r.Currency} }

type noRelations struct{}

func (noRelations) Check(context.Context, authz.Tuple) (bool, error) { return false, nil }

func TestAgainstTheRealRestaurantsService_theQuoteAdapterGetsItsPricesAvailabilityAndInputErrors(t *testing.T) {
	rs := startRestaurants(t)
	m := rs.Menu
	quoter := adapters.NewQuoteClient(rs.URL, 10*time.Second)
	ctx := context.Background()
	quote := func(t *testing.T, lines ...app.QuoteLine) app.Quote {
		t.Helper()
		q, err := quoter.Quote(ctx, rs.RestaurantID, lines)
		if err != nil {
			t.Fatal(err)
		}
		return q
	}
	cart := []app.QuoteLine{
		{MenuItemID: m.Plov, Quantity: 2, OptionIDs: []string{m.Large, m.Kazy}},
		{MenuItemID: m.Non, Quantity: 3},
	}

	t.Run("prices and option deltas are the menu's, line by line", func(t *testing.T) {
		q := quote(t, cart...)
		plovUnit := int64(r.PlovPrice + r.LargeDelta + r.KazyDelta)
		want := []domain.Line{
			{MenuItemID: m.Plov, Name: "Plov", Quantity: 2, UnitPrice: uzs(plovUnit), LineTotal: uzs(2 * plovUnit),
				Options: []domain.ChosenOption{
					{ID: m.Large, Name: "Large", GroupID: m.SizeGroup, PriceDelta: uzs(r.LargeDelta)},
					{ID: m.Kazy, Name: "Kazy", GroupID: m.ExtrasGroup, PriceDelta: uzs(r.KazyDelta)},
				}},
			{MenuItemID: m.Non, Name: "Non", Quantity: 3, UnitPrice: uzs(r.NonPrice), LineTotal: uzs(3 * r.NonPrice)},
		}
		if !reflect.DeepEqual(q.Lines, want) {
			t.Errorf("lines\n got %+v\nwant %+v", q.Lines, want)
		}
		if q.RestaurantID != rs.RestaurantID || q.Currency != r.Currency || q.Subtotal != uzs(2*plovUnit+3*r.NonPrice) {
			t.Errorf("quote %s %s subtotal %+v", q.RestaurantID, q.Currency, q.Subtotal)
		}
		if !q.Available || !q.RestaurantOpen || len(q.Unavailable) != 0 {
			t.Errorf("available %v, open %v, unavailable %v", q.Available, q.RestaurantOpen, q.Unavailable)
		}
	})

	t.Run("a zero delta option is priced as the bare item", func(t *testing.T) {
		q := quote(t, app.QuoteLine{MenuItemID: m.Plov, Quantity: 1, OptionIDs: []string{m.Regular}})
		if len(q.Lines) != 1 || q.Lines[0].UnitPrice != uzs(r.PlovPrice) ||
			len(q.Lines[0].Options) != 1 || q.Lines[0].Options[0].PriceDelta != uzs(0) {
			t.Errorf("lines %+v", q.Lines)
		}
	})

	t.Run("a sold out item is priced but unavailable, and the quote names it", func(t *testing.T) {
		if err := rs.SetAvailable(ctx, m.Non, false); err != nil {
			t.Fatal(err)
		}
		q := quote(t, cart...)
		if q.Available || !q.RestaurantOpen || len(q.Unavailable) != 1 || !strings.HasPrefix(q.Unavailable[0], "Non: ") {
			t.Errorf("available %v, open %v, unavailable %q", q.Available, q.RestaurantOpen, q.Unavailable)
		}
		if q.Lines[1].LineTotal != uzs(3*r.NonPrice) {
			t.Errorf("sold out line %+v", q.Lines[1])
		}
		if err := rs.SetAvailable(ctx, m.Non, true); err != nil {
			t.Fatal(err)
		}
		if q := quote(t, cart...); !q.Available || len(q.Unavailable) != 0 {
			t.Errorf("back on the menu: available %v, unavailable %q", q.Available, q.Unavailable)
		}
	})

	t.Run("a paused restaurant is closed, so the quote is unavailable", func(t *testing.T) {
		if err := rs.SetPaused(ctx, true); err != nil {
			t.Fatal(err)
		}
		q := quote(t, cart...)
		if err := rs.SetPaused(ctx, false); err != nil {
			t.Fatal(err)
		}
		if q.Available || q.RestaurantOpen {
			t.Errorf("paused: available %v, open %v", q.Available, q.RestaurantOpen)
		}
	})

	invalid := map[string][]app.QuoteLine{
		"no choice in a required group":         {{MenuItemID: m.Plov, Quantity: 1}},
		"two choices in a choose-one group":     {{MenuItemID: m.Plov, Quantity: 1, OptionIDs: []string{m.Regular, m.Large}}},
		"three extras where two are allowed":    {{MenuItemID: m.Plov, Quantity: 1, OptionIDs: []string{m.Regular, m.QuailEgg, m.Kazy, m.Raisins}}},
		"an option of another item":             {{MenuItemID: m.Non, Quantity: 1, OptionIDs: []string{m.Large}}},
		"an option id restaurants never issued": {{MenuItemID: m.Plov, Quantity: 1, OptionIDs: []string{m.Regular, "no-such-option"}}},
	}
	t.Run("an invalid option choice is an input error the adapter passes on", func(t *testing.T) {
		for name, lines := range invalid {
			_, err := quoter.Quote(ctx, rs.RestaurantID, lines)
			var qe *app.QuoteInputError
			if !errors.As(err, &qe) || qe.Field != "lines[0].optionIds" {
				t.Errorf("%s: want a QuoteInputError on lines[0].optionIds, got %#v", name, err)
			}
		}
	})

	t.Run("an unknown menu item or restaurant is an input error too", func(t *testing.T) {
		_, err := quoter.Quote(ctx, rs.RestaurantID, []app.QuoteLine{{MenuItemID: m.Non, Quantity: 1}, {MenuItemID: "no-such-item", Quantity: 1}})
		var qe *app.QuoteInputError
		if !errors.As(err, &qe) || qe.Field != "lines[1].menuItemId" {
			t.Errorf("unknown item: %#v", err)
		}
		_, err = quoter.Quote(ctx, "no-such-restaurant", []app.QuoteLine{{MenuItemID: m.Non, Quantity: 1}})
		if !errors.As(err, &qe) || qe.Field != "restaurantId" {
			t.Errorf("unknown restaurant: %#v", err)
		}
	})

	t.Run("placing an order stores the quote, and an invalid option choice is BAD_USER_INPUT", func(t *testing.T) {
		repo, _ := newRepo(t)
		orders, err := app.New(repo, quoter, noRelations{}, app.NewHub(),
			app.Config{AcceptanceTimeout: time.Minute, DeliveryFeeMinor: 1_000_000}, nil)
		if err != nil {
			t.Fatal(err)
		}
		customer := authz.WithIdentity(ctx, authz.Identity{UserID: "cust-quote", Roles: []authz.Role{authz.RoleCustomer}})
		place := func(key string, lines []app.QuoteLine) (*domain.Order, error) {
			return orders.PlaceOrder(customer, app.PlaceOrderCommand{RestaurantID: rs.RestaurantID, Lines: lines,
				DeliveryAddress: domain.Address{Line1: "Amir Temur 1", City: "Tashkent"},
				DeliveryAt:      domain.Location{Lat: 41.31, Lng: 69.28}, IdempotencyKey: key})
		}
		o, err := place("quoted", cart)
		if err != nil {
			t.Fatal(err)
		}
		stored, err := repo.Get(ctx, o.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := quote(t, cart...)
		if !reflect.DeepEqual(stored.Lines, want.Lines) || stored.Subtotal != want.Subtotal ||
			stored.Total != uzs(want.Subtotal.Minor+1_000_000) {
			t.Errorf("stored %+v subtotal %+v total %+v, quoted %+v", stored.Lines, stored.Subtotal, stored.Total, want)
		}
		for name, lines := range invalid {
			_, err := place("bad "+name, lines)
			var ge *graphqlerr.Error
			if !errors.As(err, &ge) || ge.Code != graphqlerr.CodeBadUserInput || ge.Field != "lines[0].optionIds" {
				t.Errorf("%s: %#v, want BAD_USER_INPUT on lines[0].optionIds", name, err)
			}
		}
	})
}
