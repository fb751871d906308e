package service_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/mongo"

	"github.com/dizhtime/dizhtime/events"
	"github.com/dizhtime/dizhtime/events/contracts"
	"github.com/dizhtime/dizhtime/platform/authz"
	"github.com/dizhtime/dizhtime/platform/routertest"
	"github.com/dizhtime/dizhtime/subgraphs/restaurants/internal/mongotest"
	"github.com/dizhtime/dizhtime/subgraphs/restaurants/ports"
)

// The component suite boots the whole subgraph (GraphQL, internal quote API, outbox
// relay) over each FerretDB backend; identity's relation API and Kafka are stood in for.
func TestRestaurantsSubgraph_onBothFerretDBBackends(t *testing.T) {
	for _, b := range mongotest.Backends {
		t.Run(b.Name, func(t *testing.T) {
			for _, c := range componentCases {
				t.Run(c.name, func(t *testing.T) { c.run(t, b.Open(t)) })
			}
		})
	}
}

var componentCases = []struct {
	name string
	run  func(t *testing.T, db *mongo.Database)
}{
	{"an owner creates a restaurant, becomes its owner in identity and edits its menu", ownerCreatesAndEdits},
	{"owners, staff and admins may do their operations and nobody else may", authorizationMatrix},
	{"a menu edit against a stale version is a CONFLICT and changes nothing", staleMenuEditConflicts},
	{"bad input is BAD_USER_INPUT with a message naming the field", badInputNamesTheField},
	{"quote prices a cart authoritatively over GraphQL and the internal HTTP API alike", quotePricesTheCart},
	{"pausing closes the restaurant and quotes say so", pauseCloses},
	{"Restaurant and MenuItem entities resolve by key and the SDL carries the keys", resolvesEntities},
	{"every change reaches the outbox relay as contract events in order", changesBecomeEvents},
	{"restaurants are listed as a Relay connection", listsAsConnection},
}

func ownerCreatesAndEdits(t *testing.T, db *mongo.Database) {
	r := start(t, db)
	v := r.plovHouse(t)
	if v.Owner.ID != owner.UserID || v.Name != "Plov Markazi" || v.Cuisines[0] != "uzbek" || !v.IsOpen || v.Menu.Version != 2 {
		t.Errorf("created restaurant = %+v", v)
	}
	want := authz.Tuple{Namespace: "restaurant", Object: v.ID, Relation: "owner", Subject: "user:owner-1"}
	if len(r.tuples.writes) == 0 || r.tuples.writes[0] != want {
		t.Errorf("tuples written = %v, want %v first", r.tuples.writes, want)
	}
	got := decode[struct{ Restaurant restaurantView }](t, r.do(t, nil, `query($id: ID!) { restaurant(id: $id) { `+restaurantFields+` } }`,
		map[string]any{"id": v.ID})).Restaurant
	if len(got.Menu.Categories[0].Items) != 2 || got.Menu.Categories[0].Items[0].Price.AmountMinor != 4_500_000 {
		t.Errorf("anonymous read of the menu = %+v", got.Menu)
	}
	// An admin creates a restaurant for someone else; an owner may not.
	in := createInput()
	in["ownerId"] = "owner-9"
	made := decode[struct{ CreateRestaurant restaurantView }](t, r.do(t, admin,
		`mutation($in: CreateRestaurantInput!) { createRestaurant(input: $in) { id owner { id } } }`, map[string]any{"in": in}))
	if made.CreateRestaurant.Owner.ID != "owner-9" {
		t.Errorf("admin-made restaurant owned by %s", made.CreateRestaurant.Owner.ID)
	}
	wantCode(t, r.do(t, owner, `mutation($in: CreateRestaurantInput!) { createRestaurant(input: $in) { id } }`, map[string]any{"in": in}), "FORBIDDEN")
	wantCode(t, r.do(t, customer, `mutation($in: CreateRestaurantInput!) { createRestaurant(input: $in) { id } }`, map[string]any{"in": createInput()}), "FORBIDDEN")
	if data := r.do(t, nil, `query { restaurant(id: "nope") { id } }`, nil); string(data.Data) != `{"restaurant":null}` {
		t.Errorf("unknown restaurant: %s %+v", data.Data, data.Errors)
	}
}

func authorizationMatrix(t *testing.T, db *mongo.Database) {
	r := start(t, db)
	v := r.plovHouse(t)
	ids := idsOf(v)
	ops := map[string]func(who *authz.Identity) map[string]any{
		"updateRestaurant": func(who *authz.Identity) map[string]any {
			return asMap(r.do(t, who, `mutation($id: ID!) { updateRestaurant(id: $id, input: {name: "Renamed"}) { id } }`, map[string]any{"id": v.ID}))
		},
		"pauseRestaurant": func(who *authz.Identity) map[string]any {
			return asMap(r.do(t, who, `mutation($id: ID!) { pauseRestaurant(id: $id) { id } }`, map[string]any{"id": v.ID}))
		},
		"resumeRestaurant": func(who *authz.Identity) map[string]any {
			return asMap(r.do(t, who, `mutation($id: ID!) { resumeRestaurant(id: $id) { id } }`, map[string]any{"id": v.ID}))
		},
		"changePrices": func(who *authz.Identity) map[string]any {
			cur := decode[struct{ Restaurant restaurantView }](t, r.do(t, nil, `query($id: ID!) { restaurant(id: $id) { menu { version } } }`, map[string]any{"id": v.ID}))
			return asMap(r.do(t, who, `mutation($id: ID!, $v: Int!, $c: [PriceChangeInput!]!) { changePrices(restaurantId: $id, expectedMenuVersion: $v, changes: $c) { id } }`,
				map[string]any{"id": v.ID, "v": cur.Restaurant.Menu.Version, "c": []map[string]any{{"id": ids.non, "price": uzs(600_000)}}}))
		},
		"setMenuItemAvailability": func(who *authz.Identity) map[string]any {
			return asMap(r.do(t, who, `mutation($id: ID!) { setMenuItemAvailability(menuItemId: $id, available: false) { id available } }`, map[string]any{"id": ids.non}))
		},
	}
	allowed := map[string][]string{
		"owner":         {"updateRestaurant", "pauseRestaurant", "resumeRestaurant", "changePrices", "setMenuItemAvailability"},
		"admin":         {"updateRestaurant", "pauseRestaurant", "resumeRestaurant", "changePrices", "setMenuItemAvailability"},
		"staff":         {"pauseRestaurant", "resumeRestaurant", "setMenuItemAvailability"},
		"another owner": nil,
		"customer":      nil,
	}
	actors := map[string]*authz.Identity{"owner": owner, "admin": admin, "staff": staff, "another owner": rival, "customer": customer}
	for name, who := range actors {
		for op, run := range ops {
			t.Run(name+" "+op, func(t *testing.T) {
				resp := run(who)
				may := false
				for _, a := range allowed[name] {
					may = may || a == op
				}
				switch errs := resp["errors"]; {
				case may && errs != nil:
					t.Errorf("refused: %v", errs)
				case !may && !strings.Contains(fmt.Sprint(errs), "FORBIDDEN"):
					t.Errorf("want FORBIDDEN, got %v", resp)
				}
			})
		}
	}
	for op, run := range ops {
		if resp := run(nil); !strings.Contains(fmt.Sprint(resp["errors"]), "UNAUTHENTICATED") {
			t.Errorf("anonymous %s: want UNAUTHENTICATED, got %v", op, resp)
		}
	}
}

func staleMenuEditConflicts(t *testing.T, db *mongo.Database) {
	r := start(t, db)
	v := r.plovHouse(t)
	ids := idsOf(v)
	const change = `mutation($id: ID!, $v: Int!, $c: [PriceChangeInput!]!) { changePrices(restaurantId: $id, expectedMenuVersion: $v, changes: $c) { menu { version } } }`
	first := decode[struct{ ChangePrices restaurantView }](t, r.do(t, owner, change,
		map[string]any{"id": v.ID, "v": v.Menu.Version, "c": []map[string]any{{"id": ids.plov, "price": uzs(4_800_000)}}}))
	if first.ChangePrices.Menu.Version != v.Menu.Version+1 {
		t.Fatalf("menu version after a price change = %d", first.ChangePrices.Menu.Version)
	}
	// A second editor still holding the old version:
	stale := r.do(t, owner, change, map[string]any{"id": v.ID, "v": v.Menu.Version, "c": []map[string]any{{"id": ids.plov, "price": uzs(1)}}})
	wantCode(t, stale, "CONFLICT")
	wantCode(t, r.do(t, owner, `mutation($id: ID!, $v: Int!, $m: MenuInput!) { updateMenu(restaurantId: $id, expectedMenuVersion: $v, menu: $m) { id } }`,
		map[string]any{"id": v.ID, "v": v.Menu.Version, "m": menuInput()}), "CONFLICT")
	wantCode(t, r.do(t, owner, `mutation($id: ID!) { updateRestaurant(id: $id, input: {name: "X"}, expectedVersion: 1) { id } }`,
		map[string]any{"id": v.ID}), "CONFLICT")
	got := decode[struct {
		MenuItem struct{ Price struct{ AmountMinor int64 } }
	}](t, r.do(t, nil,
		`query($id: ID!) { menuItem(id: $id) { price { amountMinor } } }`, map[string]any{"id": ids.plov}))
	if got.MenuItem.Price.AmountMinor != 4_800_000 {
		t.Errorf("the stale edit changed the price to %d", got.MenuItem.Price.AmountMinor)
	}
	// The refused editor reads who made the current version, and when (stored, read back).
	const who = `query($id: ID!) { restaurant(id: $id) { menu { version editedBy { id } editedAt } } }`
	type menuEdit struct {
		Restaurant struct {
			Menu struct {
				Version  int
				EditedBy *struct{ ID string }
				EditedAt *string
			}
		}
	}
	m := decode[menuEdit](t, r.do(t, nil, who, map[string]any{"id": v.ID})).Restaurant.Menu
	if m.Version != int(v.Menu.Version)+1 || m.EditedBy == nil || m.EditedBy.ID != owner.UserID || m.EditedAt == nil {
		t.Errorf("the menu's last edit = %+v, want version %d by %s", m, v.Menu.Version+1, owner.UserID)
	}
	// Staff flipping availability make the next version, and are named for it.
	wantNoErrors(t, r.do(t, staff, `mutation($id: ID!) { setMenuItemAvailability(menuItemId: $id, available: false) { id } }`, map[string]any{"id": ids.plov}))
	m = decode[menuEdit](t, r.do(t, nil, who, map[string]any{"id": v.ID})).Restaurant.Menu
	if m.EditedBy == nil || m.EditedBy.ID != staff.UserID {
		t.Errorf("after staff's availability change the menu's editor = %+v, want %s", m.EditedBy, staff.UserID)
	}
}

func badInputNamesTheField(t *testing.T, db *mongo.Database) {
	r := start(t, db)
	v := r.plovHouse(t)
	ids := idsOf(v)
	withItem := func(mut func(item map[string]any)) map[string]any {
		m := menuInput()
		mut(m["categories"].([]map[string]any)[0]["items"].([]map[string]any)[0])
		return m
	}
	oversized := map[string]any{"categories": []map[string]any{}}
	for c := range 6 {
		cat := map[string]any{"name": fmt.Sprint("C", c), "items": []map[string]any{}}
		for i := range 100 {
			cat["items"] = append(cat["items"].([]map[string]any), map[string]any{"name": fmt.Sprint("I", i), "price": uzs(100)})
		}
		oversized["categories"] = append(oversized["categories"].([]map[string]any), cat)
	}
	const updateMenu = `mutation($id: ID!, $v: Int!, $m: MenuInput!) { updateMenu(restaurantId: $id, expectedMenuVersion: $v, menu: $m) { id } }`
	badHours := createInput()
	hours := everyDay("09:00", "22:00")
	hours["days"].([]map[string]any)[0]["ranges"] = []map[string]any{{"open": "09:00", "close": "25:30"}} // Monday
	badHours["openingHours"] = hours
	badZone := createInput()
	badZone["openingHours"] = map[string]any{"timeZone": "Mars/Olympus", "days": []any{}}
	cases := []struct {
		name  string
		query string
		vars  map[string]any
		field string
	}{
		{"negative price", updateMenu, map[string]any{"id": v.ID, "v": v.Menu.Version, "m": withItem(func(it map[string]any) { it["price"] = uzs(-100) })},
			"menu.categories[0].items[0].price.amountMinor"},
		{"unknown currency", updateMenu, map[string]any{"id": v.ID, "v": v.Menu.Version, "m": withItem(func(it map[string]any) {
			it["price"] = map[string]any{"amountMinor": 100, "currency": "XYZ"}
		})}, "menu.categories[0].items[0].price.currency"},
		{"option group needing more than it offers", updateMenu, map[string]any{"id": v.ID, "v": v.Menu.Version, "m": withItem(func(it map[string]any) {
			it["optionGroups"].([]map[string]any)[0]["maxChoices"] = 5
		})}, "menu.categories[0].items[0].optionGroups[0].maxChoices"},
		{"oversized menu", updateMenu, map[string]any{"id": v.ID, "v": v.Menu.Version, "m": oversized}, "menu.categories"},
		{"malformed hours", `mutation($in: CreateRestaurantInput!) { createRestaurant(input: $in) { id } }`, map[string]any{"in": badHours},
			"input.openingHours.days.MONDAY[0].close"},
		{"unknown time zone", `mutation($in: CreateRestaurantInput!) { createRestaurant(input: $in) { id } }`, map[string]any{"in": badZone},
			"input.openingHours.timeZone"},
		{"invalid option choice", `query($in: QuoteInput!) { quote(input: $in) { subtotal { amountMinor } } }`,
			map[string]any{"in": map[string]any{"restaurantId": v.ID, "lines": []map[string]any{{"menuItemId": ids.plov, "quantity": 1, "optionIds": []string{ids.regular, ids.large}}}}},
			"input.lines[0].optionIds"},
		{"negative price change", `mutation($id: ID!, $v: Int!, $c: [PriceChangeInput!]!) { changePrices(restaurantId: $id, expectedMenuVersion: $v, changes: $c) { id } }`,
			map[string]any{"id": v.ID, "v": v.Menu.Version, "c": []map[string]any{{"id": ids.plov, "price": uzs(-1)}}}, "changes[0].price.amountMinor"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp := r.do(t, owner, c.query, c.vars)
			if len(resp.Errors) != 1 || resp.Errors[0].Code() != "BAD_USER_INPUT" || resp.Errors[0].Extensions["field"] != c.field ||
				!strings.Contains(resp.Errors[0].Message, c.field) {
				t.Errorf("want BAD_USER_INPUT on %s, got %+v", c.field, resp.Errors)
			}
		})
	}
	t.Run("the refusal quotes the quantity sent", func(t *testing.T) {
		resp := r.do(t, owner, `query($in: QuoteInput!) { quote(input: $in) { subtotal { amountMinor } } }`,
			map[string]any{"in": map[string]any{"restaurantId": v.ID, "lines": []map[string]any{{"menuItemId": ids.plov, "quantity": 2147483647, "optionIds": []string{ids.large}}}}})
		if len(resp.Errors) != 1 || resp.Errors[0].Code() != "BAD_USER_INPUT" || !strings.Contains(resp.Errors[0].Message, "got 2147483647") {
			t.Errorf("want BAD_USER_INPUT quoting 2147483647, got %+v", resp.Errors)
		}
	})
}

type quoteView struct {
	Currency    string
	MenuVersion int64
	Lines       []struct {
		MenuItem          struct{ ID, Name string }
		Quantity          int
		UnitPrice         struct{ AmountMinor int64 }
		LineTotal         struct{ AmountMinor int64 }
		Available         bool
		UnavailableReason *string
	}
	Subtotal       struct{ AmountMinor int64 }
	Available      bool
	RestaurantOpen bool
}

const quoteQuery = `query($in: QuoteInput!) { quote(input: $in) { currency menuVersion available restaurantOpen subtotal { amountMinor }
	lines { menuItem { id name } quantity unitPrice { amountMinor } lineTotal { amountMinor } available unavailableReason } } }`

func quotePricesTheCart(t *testing.T, db *mongo.Database) {
	r := start(t, db)
	v := r.plovHouse(t)
	ids := idsOf(v)
	lines := []map[string]any{
		{"menuItemId": ids.plov, "quantity": 2, "optionIds": []string{ids.large, ids.kazy, ids.quail}},
		{"menuItemId": ids.non, "quantity": 3},
	}
	q := decode[struct{ Quote quoteView }](t, r.do(t, nil, quoteQuery, map[string]any{"in": map[string]any{"restaurantId": v.ID, "lines": lines}})).Quote
	// Plov large + kazy + quail egg: 4_500_000 + 1_500_000 + 1_200_000 + 300_000 = 7_500_000, x2; non 500_000 x3.
	if q.Lines[0].UnitPrice.AmountMinor != 7_500_000 || q.Lines[0].LineTotal.AmountMinor != 15_000_000 ||
		q.Lines[1].LineTotal.AmountMinor != 1_500_000 || q.Subtotal.AmountMinor != 16_500_000 || !q.Available ||
		q.Currency != "UZS" || q.Lines[0].MenuItem.Name != "Plov" {
		t.Errorf("quote = %+v", q)
	}

	body, _ := json.Marshal(map[string]any{"restaurantId": v.ID, "lines": lines})
	// The internal API answers services only: a caller without a service token is refused.
	anon, err := http.Post(r.base+ports.QuotePath, "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	anon.Body.Close()
	if anon.StatusCode != http.StatusUnauthorized {
		t.Fatalf("internal quote without a service credential: %d", anon.StatusCode)
	}
	quotes := authz.NewServiceClient("restaurants", 5*time.Second)
	resp, err := quotes.Post(r.base+ports.QuotePath, "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var hq ports.QuoteResponse
	if err := json.NewDecoder(resp.Body).Decode(&hq); err != nil || resp.StatusCode != 200 {
		t.Fatalf("internal quote: %d %v", resp.StatusCode, err)
	}
	if hq.Subtotal.AmountMinor != q.Subtotal.AmountMinor || hq.Lines[0].UnitPrice.AmountMinor != 7_500_000 || hq.MenuVersion != q.MenuVersion {
		t.Errorf("internal quote %+v differs from the GraphQL quote %+v", hq, q)
	}

	bad, _ := json.Marshal(map[string]any{"restaurantId": v.ID, "lines": []map[string]any{{"menuItemId": ids.plov, "quantity": 1}}})
	resp2, err := quotes.Post(r.base+ports.QuotePath, "application/json", bytes.NewReader(bad))
	if err != nil {
		t.Fatal(err)
	}
	defer resp2.Body.Close()
	var e ports.ErrorResponse
	_ = json.NewDecoder(resp2.Body).Decode(&e)
	if resp2.StatusCode != 400 || e.Code != "BAD_USER_INPUT" || e.Field != "input.lines[0].optionIds" || !strings.Contains(e.Message, "Size") {
		t.Errorf("internal quote without the required size: %d %+v", resp2.StatusCode, e)
	}
	missing, _ := json.Marshal(map[string]any{"restaurantId": "nope", "lines": lines})
	resp3, _ := quotes.Post(r.base+ports.QuotePath, "application/json", bytes.NewReader(missing))
	if resp3 == nil || resp3.StatusCode != 404 {
		t.Errorf("quote for an unknown restaurant: %v", resp3)
	} else {
		resp3.Body.Close()
	}

	// Sold out: the line is priced but unavailable, and so is the quote.
	wantNoErrors(t, r.do(t, staff, `mutation($id: ID!) { setMenuItemAvailability(menuItemId: $id, available: false) { id } }`, map[string]any{"id": ids.non}))
	q = decode[struct{ Quote quoteView }](t, r.do(t, nil, quoteQuery, map[string]any{"in": map[string]any{"restaurantId": v.ID, "lines": lines}})).Quote
	if q.Available || q.Lines[1].Available || q.Lines[1].UnavailableReason == nil || q.Subtotal.AmountMinor != 16_500_000 {
		t.Errorf("quote with a sold-out item = %+v", q)
	}
}

func pauseCloses(t *testing.T, db *mongo.Database) {
	r := start(t, db)
	v := r.plovHouse(t)
	ids := idsOf(v)
	p := decode[struct{ PauseRestaurant restaurantView }](t, r.do(t, staff, `mutation($id: ID!) { pauseRestaurant(id: $id, reason: "gas outage") { paused isOpen } }`, map[string]any{"id": v.ID}))
	if !p.PauseRestaurant.Paused || p.PauseRestaurant.IsOpen {
		t.Errorf("paused restaurant = %+v", p.PauseRestaurant)
	}
	q := decode[struct{ Quote quoteView }](t, r.do(t, nil, quoteQuery, map[string]any{"in": map[string]any{"restaurantId": v.ID,
		"lines": []map[string]any{{"menuItemId": ids.non, "quantity": 1}}}})).Quote
	if q.Available || q.RestaurantOpen {
		t.Errorf("quote at a paused restaurant = %+v", q)
	}
	res := decode[struct{ ResumeRestaurant restaurantView }](t, r.do(t, staff, `mutation($id: ID!) { resumeRestaurant(id: $id) { paused isOpen } }`, map[string]any{"id": v.ID}))
	if res.ResumeRestaurant.Paused || !res.ResumeRestaurant.IsOpen {
		t.Errorf("resumed restaurant = %+v", res.ResumeRestaurant)
	}
}

func resolvesEntities(t *testing.T, db *mongo.Database) {
	r := start(t, db)
	v := r.plovHouse(t)
	ids := idsOf(v)
	resp := r.do(t, nil, `query($reps: [_Any!]!) { _entities(representations: $reps) {
		... on Restaurant { id name isOpen } ... on MenuItem { id name price { amountMinor } restaurant { id } } } }`,
		map[string]any{"reps": []map[string]any{
			{"__typename": "Restaurant", "id": v.ID},
			{"__typename": "MenuItem", "id": ids.plov},
		}})
	got := decode[struct {
		Entities []struct {
			ID, Name   string
			Price      *struct{ AmountMinor int64 }
			Restaurant *struct{ ID string }
		} `json:"_entities"`
	}](t, resp)
	if len(got.Entities) != 2 || got.Entities[0].Name != "Plov Markazi" || got.Entities[1].Name != "Plov" ||
		got.Entities[1].Restaurant.ID != v.ID || got.Entities[1].Price.AmountMinor != 4_500_000 {
		t.Errorf("entities = %+v", got.Entities)
	}
	sdl := decode[struct {
		Service struct{ SDL string } `json:"_service"`
	}](t, r.do(t, nil, `{ _service { sdl } }`, nil))
	if !strings.Contains(sdl.Service.SDL, `type Restaurant @key(fields: "id")`) {
		t.Errorf("SDL lacks the Restaurant key: %.200s", sdl.Service.SDL)
	}
}

func changesBecomeEvents(t *testing.T, db *mongo.Database) {
	r := start(t, db)
	v := r.plovHouse(t)
	wantNoErrors(t, r.do(t, staff, `mutation($id: ID!) { pauseRestaurant(id: $id) { id } }`, map[string]any{"id": v.ID}))
	var evs []events.Envelope
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		r.pub.mu.Lock()
		n := len(r.pub.msgs)
		r.pub.mu.Unlock()
		if n >= 4 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	r.pub.mu.Lock()
	for _, m := range r.pub.msgs {
		e, err := events.FromMessage(m)
		if err != nil {
			t.Fatal(err)
		}
		evs = append(evs, e)
	}
	r.pub.mu.Unlock()
	// create: updated + menu (v1), updateMenu: menu (v2), pause: updated.
	want := []string{contracts.TypeRestaurantUpdated, contracts.TypeRestaurantMenuUpdate, contracts.TypeRestaurantMenuUpdate, contracts.TypeRestaurantUpdated}
	if len(evs) != len(want) {
		t.Fatalf("%d events published, want %d: %+v", len(evs), len(want), evs)
	}
	for i, e := range evs {
		if e.Type != want[i] || e.Subject != v.ID {
			t.Errorf("event %d = %s about %s, want %s", i, e.Type, e.Subject, want[i])
		}
	}
	var menu contracts.RestaurantMenuUpdateV1
	if err := evs[2].Decode(&menu); err != nil || menu.MenuVersion != 2 || len(menu.Items) != 2 || menu.Items[0].Price.AmountMinor != 4_500_000 {
		t.Errorf("menu event = %+v, %v", menu, err)
	}
	var paused contracts.RestaurantUpdatedV2
	if err := evs[3].Decode(&paused); err != nil || paused.IsOpen || paused.Name != "Plov Markazi" {
		t.Errorf("pause event = %+v, %v", paused, err)
	}
}

func listsAsConnection(t *testing.T, db *mongo.Database) {
	r := start(t, db)
	for range 3 {
		r.plovHouse(t)
	}
	type page struct {
		Restaurants struct {
			Edges []struct {
				Cursor string
				Node   struct{ ID string }
			}
			PageInfo struct {
				HasNextPage bool
				EndCursor   *string
			}
		}
	}
	first := decode[page](t, r.do(t, nil, `{ restaurants(first: 2, cuisine: "uzbek") { edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }`, nil))
	if len(first.Restaurants.Edges) != 2 || !first.Restaurants.PageInfo.HasNextPage {
		t.Fatalf("first page = %+v", first)
	}
	next := decode[page](t, r.do(t, nil, `query($after: String) { restaurants(first: 2, after: $after) { edges { node { id } } pageInfo { hasNextPage } } }`,
		map[string]any{"after": *first.Restaurants.PageInfo.EndCursor}))
	if len(next.Restaurants.Edges) != 1 || next.Restaurants.PageInfo.HasNextPage || next.Restaurants.Edges[0].Node.ID <= first.Restaurants.Edges[1].Node.ID {
		t.Errorf("second page = %+v", next)
	}
	wantCode(t, r.do(t, nil, `{ restaurants(first: 500) { edges { cursor } } }`, nil), "BAD_USER_INPUT")

	// A full page of the largest size still tells whether another follows.
	for range 98 {
		wantNoErrors(t, r.do(t, owner, `mutation($in: CreateRestaurantInput!) { createRestaurant(input: $in) { id } }`, map[string]any{"in": createInput()}))
	}
	full := decode[page](t, r.do(t, nil, `{ restaurants(first: 100) { edges { cursor } pageInfo { hasNextPage endCursor } } }`, nil))
	if len(full.Restaurants.Edges) != 100 || !full.Restaurants.PageInfo.HasNextPage {
		t.Fatalf("restaurants(first: 100) over 101 restaurants: %d edges, hasNextPage %v", len(full.Restaurants.Edges), full.Restaurants.PageInfo.HasNextPage)
	}
	rest := decode[page](t, r.do(t, nil, `query($after: String) { restaurants(first: 100, after: $after) { edges { cursor } pageInfo { hasNextPage } } }`,
		map[string]any{"after": *full.Restaurants.PageInfo.EndCursor}))
	if len(rest.Restaurants.Edges) == 0 {
		t.Fatal("the page after a full first page of 100 is empty; want the 101st restaurant")
	}
}

// asMap flattens a response for table assertions: "errors" lists the error codes.
func asMap(resp *routertest.Response) map[string]any {
	if len(resp.Errors) == 0 {
		return map[string]any{}
	}
	return map[string]any{"errors": resp.Codes()}
}
