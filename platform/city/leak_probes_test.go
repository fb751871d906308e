package city

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestLeakProbes_realObjectsOfOneUserStayHiddenFromEveryOtherRoleThroughTheRouter makes real
// objects through the router against the real stack — a customer's paid and accepted order,
// its delivery taken by a courier, the customer's wallet and inbox, the restaurant's orders —
// and then asks for each of them as every other role: anonymous, another CUSTOMER, another
// DRIVER, the RESTAURANT_OWNER of another restaurant and RESTAURANT_STAFF (of that other
// restaurant), by query and by subscription (over SSE, the subscriptions that replay
// history asked to replay from the start). Each probe gets its exact refusal code, and no
// answer ever carries the order's id, the delivery's, the customer's email or inbox entries.
// The rightful users asking the same things get them: the probes fail for want of a
// right, not of data. It also checks that the explorer's docs (introspection) show the
// gates of the real supergraph.
func TestLeakProbes_realObjectsOfOneUserStayHiddenFromEveryOtherRoleThroughTheRouter(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 25*time.Minute)
	defer cancel()
	city := startRealCity(t, ctx)
	c := city.client
	admin := must(c.Register(ctx, city.run+"-admin@dizhtime.test", password, "Admin"))(t, "register admin")
	if err := GrantAdminWith(city.Stack)(ctx, admin.Email); err != nil {
		t.Fatal(err)
	}
	admin = must(c.Login(ctx, admin.Email, password))(t, "admin signs in again")
	account := func(name, role string) *Session {
		s := must(c.Register(ctx, city.run+"-"+name+"@dizhtime.test", password, name))(t, "register "+name)
		if role != "CUSTOMER" {
			if err := admin.AssignRole(ctx, s.UserID, role); err != nil {
				t.Fatal(err)
			}
			s = must(c.Login(ctx, s.Email, password))(t, name+" signs in again")
		}
		return s
	}
	// Somewhere of this run's own (Kafka topics are shared with other runs).
	centre := Offset(Point{Lat: -40 + 80*rand.Float64(), Lng: -150 + 300*rand.Float64()}, 0, 0)
	owner := account("owner", "RESTAURANT_OWNER")
	restaurantID := must(owner.CreateRestaurant(ctx, NewRestaurant{
		Name: "Probe " + city.run, Cuisines: []string{"pizza"}, At: centre,
		Dishes: []NewDish{{Name: "Pizza", PriceMinor: 50_000}},
	}))(t, "owner creates a restaurant")
	otherOwner := account("other-owner", "RESTAURANT_OWNER")
	otherRestaurant := must(otherOwner.CreateRestaurant(ctx, NewRestaurant{
		Name: "Elsewhere " + city.run, Cuisines: []string{"sushi"}, At: Offset(centre, 3000, 3000),
		Dishes: []NewDish{{Name: "Maki", PriceMinor: 40_000}},
	}))(t, "the other owner creates a restaurant")
	staff := account("staff", "RESTAURANT_STAFF")
	if err := otherOwner.Do(ctx, `mutation($r: ID!, $u: ID!) { addRestaurantStaff(restaurantId: $r, userId: $u) }`,
		map[string]any{"r": otherRestaurant, "u": staff.UserID}, nil); err != nil {
		t.Fatal(err)
	}
	driver, otherDriver := account("driver", "DRIVER"), account("other-driver", "DRIVER")
	customer, otherCustomer := account("customer", "CUSTOMER"), account("other-customer", "CUSTOMER")

	// The customer's order, paid from a top-up, accepted, and taken by the courier.
	driverAt := Offset(centre, -500, 300)
	if err := driver.GoOnline(ctx, driverAt); err != nil {
		t.Fatal(err)
	}
	offers := must(driver.Subscribe(ctx, OffersSubscription, nil))(t, "subscribe to driverOffers")
	defer offers.Close()
	if _, err := customer.TopUp(ctx, Money{AmountMinor: 1_000_000, Currency: "UZS"}, city.run+"-topup"); err != nil {
		t.Fatal(err)
	}
	eventually(t, ctx, "the top-up is credited", 3*time.Minute, func() (bool, error) {
		w, err := customer.Wallet(ctx)
		return w.Balances["UZS"] == 1_000_000, err
	})
	var menu struct {
		Restaurant struct {
			Menu struct {
				Categories []struct{ Items []struct{ ID string } }
			}
		}
	}
	if err := customer.Do(ctx, `query($id: ID!) { restaurant(id: $id) { menu { categories { items { id } } } } }`, map[string]any{"id": restaurantID}, &menu); err != nil || len(menu.Restaurant.Menu.Categories) == 0 {
		t.Fatalf("the menu: %+v, %v", menu, err)
	}
	dish := menu.Restaurant.Menu.Categories[0].Items[0].ID
	order := must(customer.PlaceOrder(ctx, restaurantID, dish, 1, Offset(centre, 800, -600), city.run+"-order"))(t, "placeOrder")
	eventually(t, ctx, "the order is paid", 3*time.Minute, func() (bool, error) {
		s, err := customer.OrderStatus(ctx, order.ID)
		return s == "PAID", err
	})
	for _, m := range []string{"acceptOrder", "markPreparing"} {
		if _, err := owner.MoveOrder(ctx, m, order.ID); err != nil {
			t.Fatal(err)
		}
	}
	waitOffer(t, ctx, offers, order.ID, 3*time.Minute)
	delivery := must(driver.AcceptOffer(ctx, order.ID))(t, "acceptOffer")
	// The customer's inbox has entries about the order.
	var inboxIDs []string
	eventually(t, ctx, "the customer's inbox has the order's notifications", 3*time.Minute, func() (bool, error) {
		var out struct {
			Me struct {
				Notifications struct {
					Edges []struct{ Node struct{ ID string } }
				}
			}
		}
		err := customer.Do(ctx, `{ me { notifications(first: 50) { edges { node { id } } } } }`, nil, &out)
		inboxIDs = inboxIDs[:0]
		for _, e := range out.Me.Notifications.Edges {
			inboxIDs = append(inboxIDs, e.Node.ID)
		}
		return len(inboxIDs) > 0, err
	})
	secrets := append([]string{order.ID, delivery.ID, customer.Email}, inboxIDs...)

	q := func(format string, args ...any) string { return fmt.Sprintf(format, args...) }
	probes := []struct {
		name, operation string
		// want is the refusal code for a signed-in caller who is not the object's ("" when
		// the field is theirs to ask and answers with their own, other, data); anonymous
		// callers always get the router's UNAUTHENTICATED.
		want map[string]string
		// rightful asks the same as a user who may, and must see the secret.
		rightful *Session
		secret   string
	}{
		// orders answers NOT_FOUND: to whoever may not see it, the order does not exist.
		{"order", q(`query { order(id: %q) { id status total { amountMinor } } }`, order.ID), refusedAs("NOT_FOUND"), customer, order.ID},
		{"delivery", q(`query { delivery(id: %q) { id status order { id } } }`, delivery.ID), refusedAs("FORBIDDEN"), driver, delivery.ID},
		{"wallet", q(`query { wallet(userId: %q) { userId balances { amountMinor } } }`, customer.UserID), refusedAs("FORBIDDEN"), customer, customer.UserID},
		{"user", q(`query { user(id: %q) { email orders(first: 5) { edges { node { id } } } notifications(first: 5) { edges { node { id } } } } }`, customer.UserID),
			refusedAs("FORBIDDEN"), customer, order.ID},
		{"restaurant.orders", q(`query { restaurant(id: %q) { orders(first: 5) { edges { node { id } } } } }`, restaurantID), refusedAs("FORBIDDEN"), owner, order.ID},
		{"orderUpdated", q(`subscription { orderUpdated(id: %q, since: 0) { transition { to } order { id } } }`, order.ID), refusedAs("NOT_FOUND"), customer, order.ID},
		{"deliveryTracking", q(`subscription { deliveryTracking(orderId: %q) { orderId driverId } }`, order.ID), refusedAs("FORBIDDEN"), nil, ""},
		{"restaurantOrders", q(`subscription { restaurantOrders(restaurantId: %q) { order { id } } }`, restaurantID), refusedAs("FORBIDDEN"), owner, order.ID},
		{"myNotifications", `subscription { myNotifications(since: 0) { notification { id title } } }`, ownDataOnly(), customer, ""},
		{"driverOffers", `subscription { driverOffers { orderId } }`, map[string]string{
			"other CUSTOMER": "FORBIDDEN", "RESTAURANT_OWNER of another restaurant": "FORBIDDEN", "RESTAURANT_STAFF": "FORBIDDEN", "other DRIVER": ""}, nil, ""},
	}
	callers := []matrixRole{
		{"anonymous", nil}, {"other CUSTOMER", otherCustomer}, {"other DRIVER", otherDriver},
		{"RESTAURANT_OWNER of another restaurant", otherOwner}, {"RESTAURANT_STAFF", staff},
	}
	var table strings.Builder
	fmt.Fprintf(&table, "| probe | %s |\n|---|%s\n", strings.Join(roleNames(callers), " | "), strings.Repeat("---|", len(callers)))
	for _, p := range probes {
		fmt.Fprintf(&table, "| %s |", p.name)
		for _, who := range callers {
			res, err := call(ctx, city.RouterURL, who.session, p.operation)
			if err != nil {
				t.Errorf("%s as %s: %v", p.name, who.name, err)
				continue
			}
			for _, s := range secrets {
				if strings.Contains(string(res.data), s) {
					t.Errorf("LEAK: %s as %s returned %q: %s", p.name, who.name, s, res.data)
				}
			}
			want := p.want[who.name]
			if who.session == nil {
				want = "UNAUTHENTICATED"
			}
			// The refusal's code is the router's (UNAUTHENTICATED at a gate) or the
			// subgraph's, which the router wraps in SUBGRAPH_ERROR.
			got := "own data only"
			switch {
			case want == "" && len(res.codes) > 0:
				t.Errorf("%s as %s: want their own (other) data, got %v", p.name, who.name, res.codes)
			case want != "" && (!slices.Contains(res.codes, want) || !noData(res.data)):
				t.Errorf("%s as %s: want %s and no data, got %v %s", p.name, who.name, want, res.codes, res.data)
			case want != "":
				got = want
			}
			fmt.Fprintf(&table, " %s |", got)
		}
		table.WriteString("\n")
		if p.rightful != nil {
			res, err := call(ctx, city.RouterURL, p.rightful, p.operation)
			if err != nil || len(res.codes) > 0 || (p.secret != "" && !strings.Contains(string(res.data), p.secret)) {
				t.Errorf("%s as its rightful user: %v %v %s (want %q in the data)", p.name, err, res.codes, res.data, p.secret)
			}
		}
	}
	t.Logf("leak probes on real objects (order %s, delivery %s, %d inbox entries):\n%s", order.ID, delivery.ID, len(inboxIDs), table.String())

	t.Run("the explorer's docs show the real supergraph's gates", func(t *testing.T) {
		var out struct {
			Query, Mutation struct {
				Fields []struct {
					Name        string
					Description *string
				}
			}
		}
		if err := c.do(ctx, "", `{ Query: __type(name: "Query") { fields { name description } } Mutation: __type(name: "Mutation") { fields { name description } } }`, nil, &out); err != nil {
			t.Fatal(err)
		}
		docs := map[string]string{}
		for _, f := range out.Query.Fields {
			if f.Description != nil {
				docs["Query."+f.Name] = *f.Description
			}
		}
		for _, f := range out.Mutation.Fields {
			if f.Description != nil {
				docs["Mutation."+f.Name] = *f.Description
			}
		}
		for key, g := range gates {
			if strings.HasPrefix(key, "Subscription.") {
				continue
			}
			d := docs[key]
			switch {
			case !g.authenticated && strings.Contains(d, "Requires"):
				t.Errorf("public %s says %q", key, d)
			case g.authenticated && len(g.anyRole) == 0 && !strings.HasSuffix(d, "Requires: signed in."):
				t.Errorf("%s (%s) is documented %q", key, g, d)
			case len(g.anyRole) > 0 && !strings.HasSuffix(d, "Requires scopes: "+strings.Join(g.anyRole, " or ")+"."):
				t.Errorf("%s (%s) is documented %q", key, g, d)
			}
		}
	})
}

// refusedAs is the same refusal for every signed-in caller.
func refusedAs(code string) map[string]string {
	return map[string]string{"other CUSTOMER": code, "other DRIVER": code, "RESTAURANT_OWNER of another restaurant": code, "RESTAURANT_STAFF": code}
}

// ownDataOnly: every signed-in caller may ask, and gets only their own.
func ownDataOnly() map[string]string { return map[string]string{} }

// noData reports whether an answer's data is absent or holds only nulls: a refused
// nullable field (restaurant.orders) is null inside an object that still answers.
func noData(data json.RawMessage) bool {
	if len(data) == 0 || string(data) == "null" {
		return true
	}
	var m map[string]any
	if json.Unmarshal(data, &m) != nil {
		return false
	}
	return onlyNulls(m)
}

func onlyNulls(v any) bool {
	switch v := v.(type) {
	case nil:
		return true
	case map[string]any:
		return !slices.ContainsFunc(mapValues(v), func(x any) bool { return !onlyNulls(x) })
	}
	return false
}

func mapValues(m map[string]any) []any {
	out := make([]any, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	return out
}
