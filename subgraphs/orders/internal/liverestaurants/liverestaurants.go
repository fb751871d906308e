// Package liverestaurants runs the real restaurants subgraph (its service package, the
// code `restaurants serve` runs) in this process, on a database of its own on the
// FerretDB server at DIZHTIME_MONGO_URI, with one restaurant seeded through its GraphQL
// API. Orders' quote adapter tests and cmd/orders-bench price carts against it.
//
// What is not real: identity's relation API (an in-memory tuple set with identity's
// rewrite, an owner is also staff) and Kafka (the restaurant's events are dropped, so a
// throwaway restaurant never reaches other services' consumers).
package liverestaurants

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/mongo"

	"github.com/dizhtime/dizhtime/events/kafka"
	"github.com/dizhtime/dizhtime/platform/authz"
	"github.com/dizhtime/dizhtime/platform/mongodb"
	"github.com/dizhtime/dizhtime/platform/routertest"
	"github.com/dizhtime/dizhtime/subgraphs/restaurants/service"
)

// Currency of the seeded menu.
const Currency = "UZS"

// Prices of the seeded menu, in minor units.
const (
	PlovPrice     = 4_500_000
	RegularDelta  = 0
	LargeDelta    = 1_500_000
	QuailEggDelta = 300_000
	KazyDelta     = 1_200_000
	RaisinsDelta  = 100_000
	NonPrice      = 500_000
)

// Menu holds the ids restaurants gave the seeded menu: Plov with a required Size group
// (exactly one of Regular, Large) and an optional Extras group (up to two of Quail egg,
// Kazy, Raisins), and Non without options.
type Menu struct {
	Plov, Non               string
	SizeGroup, ExtrasGroup  string
	Regular, Large          string
	QuailEgg, Kazy, Raisins string
}

// Restaurants is a running restaurants service with one restaurant.
type Restaurants struct {
	// URL is the GraphQL endpoint (http://127.0.0.1:PORT/query), what orders' quote
	// adapter asks.
	URL          string
	RestaurantID string
	Menu         Menu
	// Owner owns the restaurant (and so is its staff).
	Owner authz.Identity

	db     *mongo.Database
	client *mongo.Client
	srv    *http.Server
	cancel context.CancelFunc
	done   chan struct{}
}

// Start connects to mongoURI, starts the service on a loopback port and seeds the
// restaurant. Close stops it and drops its database.
func Start(ctx context.Context, mongoURI string) (*Restaurants, error) {
	client, err := mongodb.Connect(ctx, mongoURI)
	if err != nil {
		return nil, fmt.Errorf("FerretDB not reachable at %s (deploy/local/services.sh up ferretdb): %w", mongoURI, err)
	}
	r := &Restaurants{client: client, done: make(chan struct{}),
		db:    client.Database("orders_restaurants_" + strings.ToLower(rand.Text()[:10])),
		Owner: authz.Identity{UserID: "owner-" + strings.ToLower(rand.Text()[:8]), Roles: []authz.Role{authz.RoleRestaurantOwner}}}
	ts := &tuples{set: map[authz.Tuple]bool{}}
	svc, err := service.New(ctx, service.Dependencies{DB: r.db, Publisher: dropped{}, Checker: ts, Relations: ts,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), OutboxPollInterval: 200 * time.Millisecond})
	if err != nil {
		r.Close()
		return nil, fmt.Errorf("restaurants service: %w", err)
	}
	runCtx, cancel := context.WithCancel(context.Background())
	r.cancel = cancel
	go func() { defer close(r.done); _ = svc.Relay.Run(runCtx) }()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		r.Close()
		return nil, err
	}
	r.srv = &http.Server{Handler: svc.Handler, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = r.srv.Serve(ln) }()
	r.URL = "http://" + ln.Addr().String() + "/query"
	if err := r.seed(ctx); err != nil {
		r.Close()
		return nil, fmt.Errorf("seed the restaurant: %w", err)
	}
	return r, nil
}

// Close stops the service and drops its database.
func (r *Restaurants) Close() {
	if r.srv != nil {
		_ = r.srv.Close()
	}
	if r.cancel != nil {
		r.cancel()
		<-r.done
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = r.db.Drop(ctx)
	_ = r.client.Disconnect(ctx)
}

// Do sends one GraphQL operation to the service as who (the identity the router would
// forward).
func (r *Restaurants) Do(ctx context.Context, who authz.Identity, query string, vars map[string]any) (*routertest.Response, error) {
	h := http.Header{}
	authz.SetHeaders(h, who)
	resp, err := routertest.Post(ctx, r.URL, query, vars, h)
	if err != nil {
		return nil, err
	}
	if len(resp.Errors) > 0 {
		return resp, fmt.Errorf("restaurants: %+v", resp.Errors)
	}
	return resp, nil
}

// SetAvailable marks a menu item sold out (false) or back (true), as its staff would.
func (r *Restaurants) SetAvailable(ctx context.Context, menuItemID string, available bool) error {
	_, err := r.Do(ctx, r.Owner, `mutation($id: ID!, $a: Boolean!) { setMenuItemAvailability(menuItemId: $id, available: $a) { id } }`,
		map[string]any{"id": menuItemID, "a": available})
	return err
}

// SetPaused pauses the restaurant (closed regardless of its hours) or resumes it.
func (r *Restaurants) SetPaused(ctx context.Context, paused bool) error {
	q := `mutation($id: ID!) { resumeRestaurant(id: $id) { id } }`
	if paused {
		q = `mutation($id: ID!) { pauseRestaurant(id: $id, reason: "kitchen fire drill") { id } }`
	}
	_, err := r.Do(ctx, r.Owner, q, map[string]any{"id": r.RestaurantID})
	return err
}

func money(minor int64) map[string]any {
	return map[string]any{"amountMinor": minor, "currency": Currency}
}

func (r *Restaurants) seed(ctx context.Context) error {
	var days []map[string]any
	for _, d := range []string{"MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY"} {
		days = append(days, map[string]any{"day": d, "ranges": []map[string]any{{"open": "00:00", "close": "24:00"}}})
	}
	created, err := r.Do(ctx, r.Owner, `mutation($in: CreateRestaurantInput!) { createRestaurant(input: $in) { id menu { version } } }`,
		map[string]any{"in": map[string]any{
			"name": "Plov Markazi", "description": "Plov from the kazan.", "cuisines": []string{"Uzbek"},
			"address":      map[string]any{"line1": "Amir Temur 1", "city": "Tashkent"},
			"location":     map[string]any{"lat": 41.3111, "lng": 69.2797},
			"openingHours": map[string]any{"timeZone": "Asia/Tashkent", "days": days},
			"priceLevel":   2, "prepTimeMinutes": 20, "currency": Currency,
		}})
	if err != nil {
		return err
	}
	var c struct {
		CreateRestaurant struct {
			ID   string
			Menu struct{ Version int64 }
		}
	}
	if err := created.Decode(&c); err != nil {
		return err
	}
	r.RestaurantID = c.CreateRestaurant.ID
	menu := map[string]any{"categories": []map[string]any{{"name": "Mains", "items": []map[string]any{
		{"name": "Plov", "price": money(PlovPrice), "optionGroups": []map[string]any{
			{"name": "Size", "minChoices": 1, "maxChoices": 1, "options": []map[string]any{
				{"name": "Regular", "priceDelta": money(RegularDelta)}, {"name": "Large", "priceDelta": money(LargeDelta)}}},
			{"name": "Extras", "minChoices": 0, "maxChoices": 2, "options": []map[string]any{
				{"name": "Quail egg", "priceDelta": money(QuailEggDelta)}, {"name": "Kazy", "priceDelta": money(KazyDelta)},
				{"name": "Raisins", "priceDelta": money(RaisinsDelta)}}},
		}},
		{"name": "Non", "price": money(NonPrice)},
	}}}}
	updated, err := r.Do(ctx, r.Owner, `mutation($id: ID!, $v: Int!, $m: MenuInput!) { updateMenu(restaurantId: $id, expectedMenuVersion: $v, menu: $m) {
		menu { categories { items { id optionGroups { id options { id } } } } } } }`,
		map[string]any{"id": r.RestaurantID, "v": c.CreateRestaurant.Menu.Version, "m": menu})
	if err != nil {
		return err
	}
	var u struct {
		UpdateMenu struct {
			Menu struct {
				Categories []struct {
					Items []struct {
						ID           string
						OptionGroups []struct {
							ID      string
							Options []struct{ ID string }
						}
					}
				}
			}
		}
	}
	if err := updated.Decode(&u); err != nil {
		return err
	}
	cats := u.UpdateMenu.Menu.Categories
	if len(cats) != 1 || len(cats[0].Items) != 2 || len(cats[0].Items[0].OptionGroups) != 2 {
		return fmt.Errorf("unexpected menu %s", updated.Data)
	}
	plov, non := cats[0].Items[0], cats[0].Items[1]
	size, extras := plov.OptionGroups[0], plov.OptionGroups[1]
	r.Menu = Menu{Plov: plov.ID, Non: non.ID, SizeGroup: size.ID, ExtrasGroup: extras.ID,
		Regular: size.Options[0].ID, Large: size.Options[1].ID,
		QuailEgg: extras.Options[0].ID, Kazy: extras.Options[1].ID, Raisins: extras.Options[2].ID}
	return nil
}

// tuples stands in for identity's relation API, with its rewrite: an owner is staff.
type tuples struct {
	mu  sync.Mutex
	set map[authz.Tuple]bool
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
	return nil
}

// dropped is the outbox relay's publisher: the events are acknowledged and go nowhere.
type dropped struct{}

func (dropped) Publish(context.Context, ...kafka.Message) error { return nil }
