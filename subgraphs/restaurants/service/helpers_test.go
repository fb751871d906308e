package service_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/mongo"

	"github.com/dizhtime/dizhtime/events/kafka"
	"github.com/dizhtime/dizhtime/platform/authz"
	"github.com/dizhtime/dizhtime/platform/routertest"
	"github.com/dizhtime/dizhtime/subgraphs/restaurants/adapters"
	"github.com/dizhtime/dizhtime/subgraphs/restaurants/service"
)

// tuples stands in for identity's relation API: writes land in it and checks read it,
// with identity's rewrite (an owner is also staff).
type tuples struct {
	mu     sync.Mutex
	set    map[authz.Tuple]bool
	writes []authz.Tuple
}

func (ts *tuples) Check(_ context.Context, t authz.Tuple) (bool, error) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if ts.set[t] {
		return true, nil
	}
	if t.Relation == "staff" {
		t.Relation = "owner"
		return ts.set[t], nil
	}
	return false, nil
}

func (ts *tuples) WriteRelation(_ context.Context, t authz.Tuple) error {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	ts.set[t] = true
	ts.writes = append(ts.writes, t)
	return nil
}

// published records what the outbox relay would hand Kafka.
type published struct {
	mu   sync.Mutex
	msgs []kafka.Message
}

func (p *published) Publish(_ context.Context, msgs ...kafka.Message) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.msgs = append(p.msgs, msgs...)
	return nil
}

// restaurants is one service on a loopback port, its relay running.
type restaurants struct {
	svc    *service.Service
	url    string // GraphQL endpoint
	base   string
	tuples *tuples
	pub    *published
}

func start(t testing.TB, db *mongo.Database) *restaurants {
	t.Helper()
	return startWith(t, db, &published{})
}

func startWith(t testing.TB, db *mongo.Database, pub adapters.Publisher) *restaurants {
	t.Helper()
	ts := &tuples{set: map[authz.Tuple]bool{}}
	svc, err := service.New(context.Background(), service.Dependencies{
		DB: db, Publisher: pub, Checker: ts, Relations: ts,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), OutboxPollInterval: 50 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = svc.Relay.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	srv := httptest.NewServer(svc.Handler)
	t.Cleanup(srv.Close)
	r := &restaurants{svc: svc, url: srv.URL + "/query", base: srv.URL, tuples: ts}
	r.pub, _ = pub.(*published)
	return r
}

var (
	admin    = &authz.Identity{UserID: "admin-1", Roles: []authz.Role{authz.RoleAdmin}}
	owner    = &authz.Identity{UserID: "owner-1", Roles: []authz.Role{authz.RoleCustomer, authz.RoleRestaurantOwner}}
	staff    = &authz.Identity{UserID: "staff-1", Roles: []authz.Role{authz.RoleCustomer, authz.RoleRestaurantStaff}}
	rival    = &authz.Identity{UserID: "owner-2", Roles: []authz.Role{authz.RoleRestaurantOwner}}
	customer = &authz.Identity{UserID: "cust-1", Roles: []authz.Role{authz.RoleCustomer}}
)

func (r *restaurants) do(t testing.TB, who *authz.Identity, query string, vars map[string]any) *routertest.Response {
	t.Helper()
	h := http.Header{}
	if who != nil {
		authz.SetHeaders(h, *who)
	}
	resp, err := routertest.Post(context.Background(), r.url, query, vars, h)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func wantCode(t testing.TB, resp *routertest.Response, code string) {
	t.Helper()
	if !resp.HasCode(code) {
		t.Errorf("want an error with code %s, got %+v (data %s)", code, resp.Errors, resp.Data)
	}
}

func wantNoErrors(t testing.TB, resp *routertest.Response) {
	t.Helper()
	if len(resp.Errors) > 0 {
		t.Fatalf("errors: %+v", resp.Errors)
	}
}

func decode[T any](t testing.TB, resp *routertest.Response) T {
	t.Helper()
	wantNoErrors(t, resp)
	var v T
	if err := resp.Decode(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

func everyDay(open, close string) map[string]any {
	var days []map[string]any
	for _, d := range []string{"MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY"} {
		days = append(days, map[string]any{"day": d, "ranges": []map[string]any{{"open": open, "close": close}}})
	}
	return map[string]any{"timeZone": "Asia/Tashkent", "days": days}
}

func createInput() map[string]any {
	return map[string]any{
		"name": "Plov Markazi", "description": "Plov from the kazan.", "cuisines": []string{"Uzbek"},
		"address":  map[string]any{"line1": "Amir Temur 1", "city": "Tashkent"},
		"location": map[string]any{"lat": 41.3111, "lng": 69.2797}, "openingHours": everyDay("00:00", "24:00"),
		"priceLevel": 2, "prepTimeMinutes": 20, "currency": "UZS",
	}
}

func uzs(minor int64) map[string]any { return map[string]any{"amountMinor": minor, "currency": "UZS"} }

// menuInput: Plov with a required size (exactly 1) and optional extras (up to 2), and Non.
func menuInput() map[string]any {
	return map[string]any{"categories": []map[string]any{{"name": "Mains", "items": []map[string]any{
		{"name": "Plov", "price": uzs(4_500_000), "tags": []string{"signature"}, "optionGroups": []map[string]any{
			{"name": "Size", "minChoices": 1, "maxChoices": 1, "options": []map[string]any{
				{"name": "Regular", "priceDelta": uzs(0)}, {"name": "Large", "priceDelta": uzs(1_500_000)}}},
			{"name": "Extras", "minChoices": 0, "maxChoices": 2, "options": []map[string]any{
				{"name": "Quail egg", "priceDelta": uzs(300_000)}, {"name": "Kazy", "priceDelta": uzs(1_200_000)},
				{"name": "Raisins", "priceDelta": uzs(100_000)}}},
		}},
		{"name": "Non", "price": uzs(500_000)},
	}}}}
}

const restaurantFields = `id name cuisines isOpen paused version owner { id }
	menu { version currency categories { id name items { id name price { amountMinor currency } available tags
		optionGroups { id name minChoices maxChoices options { id name priceDelta { amountMinor currency } available } } } } }`

type restaurantView struct {
	ID       string   `json:"id"`
	Name     string   `json:"name"`
	Cuisines []string `json:"cuisines"`
	IsOpen   bool     `json:"isOpen"`
	Paused   bool     `json:"paused"`
	Version  int64    `json:"version"`
	Owner    struct{ ID string }
	Menu     struct {
		Version    int64
		Currency   string
		Categories []struct {
			ID    string
			Items []struct {
				ID           string
				Name         string
				Price        struct{ AmountMinor int64 }
				Available    bool
				OptionGroups []struct {
					ID      string
					Name    string
					Options []struct {
						ID   string
						Name string
					}
				}
			}
		}
	}
}

// plovHouse is a restaurant owned by owner, with staff as staff and menuInput's menu.
func (r *restaurants) plovHouse(t testing.TB) restaurantView {
	t.Helper()
	created := decode[struct{ CreateRestaurant restaurantView }](t, r.do(t, owner,
		`mutation($in: CreateRestaurantInput!) { createRestaurant(input: $in) { `+restaurantFields+` } }`,
		map[string]any{"in": createInput()})).CreateRestaurant
	_ = r.tuples.WriteRelation(context.Background(), authz.Tuple{Namespace: "restaurant", Object: created.ID, Relation: "staff", Subject: staff.Subject()})
	return decode[struct{ UpdateMenu restaurantView }](t, r.do(t, owner,
		`mutation($id: ID!, $v: Int!, $m: MenuInput!) { updateMenu(restaurantId: $id, expectedMenuVersion: $v, menu: $m) { `+restaurantFields+` } }`,
		map[string]any{"id": created.ID, "v": created.Menu.Version, "m": menuInput()})).UpdateMenu
}

// ids of plovHouse's menu.
type plovIDs struct{ plov, non, regular, large, quail, kazy, raisins string }

func idsOf(v restaurantView) plovIDs {
	items := v.Menu.Categories[0].Items
	size, extras := items[0].OptionGroups[0].Options, items[0].OptionGroups[1].Options
	return plovIDs{plov: items[0].ID, non: items[1].ID, regular: size[0].ID, large: size[1].ID,
		quail: extras[0].ID, kazy: extras[1].ID, raisins: extras[2].ID}
}
