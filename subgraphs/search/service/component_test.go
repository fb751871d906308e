package service_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/dizhtime/dizhtime/events"
	"github.com/dizhtime/dizhtime/events/contracts"
	"github.com/dizhtime/dizhtime/events/kafka"
	"github.com/dizhtime/dizhtime/platform/endpoints"
	"github.com/dizhtime/dizhtime/platform/routertest"
	"github.com/dizhtime/dizhtime/subgraphs/search/service"
)

type running struct {
	svc    *service.Service
	reg    *prometheus.Registry
	url    string
	cfg    service.Config
	cancel context.CancelFunc
}

// start runs search on the real Elasticsearch and Kafka, isolated by unique topic,
// group and alias names.
func start(t *testing.T) *running {
	t.Helper()
	return startWith(t, nil)
}

// startWith is start with cfg changed by change (nil: unchanged) before the service starts.
func startWith(t *testing.T, change func(*service.Config)) *running {
	t.Helper()
	suffix := fmt.Sprintf("%d", rand.Int64N(1<<40))
	cfg := service.DefaultConfig()
	cfg.ElasticsearchURL = endpoints.Elasticsearch()
	cfg.KafkaBrokers = endpoints.Kafka()
	cfg.IndexAlias = "search-component-" + suffix
	cfg.ConsumerGroup = "search-component-" + suffix
	cfg.TopicRestaurantUpdated = "test.restaurant.updated." + suffix
	cfg.TopicRestaurantMenuUpdate = "test.restaurant.menu.update." + suffix
	if change != nil {
		change(&cfg)
	}
	reg := prometheus.NewRegistry()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	ctx, cancel := context.WithCancel(context.Background())
	svc, err := service.New(ctx, cfg, reg, logger)
	if err != nil {
		cancel()
		t.Fatalf("search service (needs `deploy/local/services.sh up elasticsearch kafka`): %v", err)
	}
	if err := kafka.EnsureTopics(ctx, cfg.KafkaBrokers, kafka.TopicSpec{Name: cfg.TopicRestaurantUpdated, Partitions: 3},
		kafka.TopicSpec{Name: cfg.TopicRestaurantMenuUpdate, Partitions: 3}); err != nil {
		cancel()
		t.Fatalf("Kafka topics (needs `deploy/local/services.sh up kafka`): %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- svc.RunConsumer(ctx) }()
	srv := httptest.NewServer(svc.Handler)
	t.Cleanup(func() {
		cancel()
		srv.Close()
		if err := <-done; err != nil {
			t.Errorf("consumer: %v", err)
		}
		_ = svc.Close()
		if c, ok := svc.Catalog.(interface{ DropAll(context.Context) error }); ok {
			_ = c.DropAll(context.Background())
		}
	})
	return &running{svc: svc, reg: reg, url: srv.URL + "/query", cfg: cfg, cancel: cancel}
}

func (r *running) publish(t *testing.T, subject string, p events.Payload) events.Envelope {
	t.Helper()
	e, err := events.New(context.Background(), "restaurants", subject, p)
	if err != nil {
		t.Fatal(err)
	}
	m, err := e.Message()
	if err != nil {
		t.Fatal(err)
	}
	if e.Type == contracts.TypeRestaurantUpdated {
		m.Topic = r.cfg.TopicRestaurantUpdated
	} else {
		m.Topic = r.cfg.TopicRestaurantMenuUpdate
	}
	prod := kafka.NewProducer(r.cfg.KafkaBrokers)
	defer prod.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := prod.Publish(ctx, m); err != nil {
		t.Fatalf("publish (needs Kafka at %v): %v", r.cfg.KafkaBrokers, err)
	}
	return e
}

func (r *running) do(t *testing.T, query string, vars map[string]any) *routertest.Response {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	resp, err := routertest.Post(ctx, r.url, query, vars, nil)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

const searchQuery = `query($q: String, $near: GeoPointInput) {
  searchRestaurants(query: $q, near: $near, radiusMeters: 20000, first: 5) {
    totalCount
    edges { cursor node { restaurant { id } distanceMeters promoted matchedDishes { dish { id } highlight price { amountMinor currency } } } }
    pageInfo { hasNextPage endCursor }
    facets { cuisines { value count } priceLevels { value count } }
  }
}`

func menu(id string, version int64, dishes ...string) contracts.RestaurantMenuUpdateV1 {
	var items []contracts.MenuItem
	for i, d := range dishes {
		items = append(items, contracts.MenuItem{MenuItemID: fmt.Sprintf("%s-m%d", id, i), Name: d, Available: true,
			Price: contracts.Money{AmountMinor: 6_500_000, Currency: "UZS"}})
	}
	return contracts.RestaurantMenuUpdateV1{RestaurantID: id, MenuVersion: version, Items: items, UpdatedAt: time.Now().UTC()}
}

func TestSearchService_aMenuChangeOnKafkaIsSearchableWithinSeconds_andTheLagIsExported(t *testing.T) {
	r := start(t)
	id := "rest-" + fmt.Sprint(rand.Int64N(1<<40))
	r.publish(t, id, contracts.RestaurantUpdatedV1{RestaurantID: id, Name: "Napoli Pizzeria", Cuisines: []string{"italian"},
		IsOpen: true, Lat: 41.3111, Lng: 69.2797, UpdatedAt: time.Now().UTC()})
	// The consumer group joins from the beginning of the fresh topics, so the clock
	// starts at the menu change.
	sent := r.publish(t, id, menu(id, 1, "Margherita pizza", "Tiramisu"))
	var lag time.Duration
	for {
		resp := r.do(t, searchQuery, map[string]any{"q": "piza", "near": map[string]any{"lat": 41.32, "lng": 69.28}})
		if len(resp.Errors) > 0 {
			t.Fatalf("errors: %+v", resp.Errors)
		}
		body := unescaped(resp)
		if strings.Contains(body, "Margherita <em>pizza</em>") {
			lag = time.Since(sent.Time)
			if !strings.Contains(body, `"value":"italian","count":1`) || !strings.Contains(body, id) {
				t.Errorf("search result: %s", resp.Data)
			}
			break
		}
		if time.Since(sent.Time) > 30*time.Second {
			t.Fatalf("menu change not searchable after 30 s; last response %s", resp.Data)
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Logf("freshness: menu change searchable %.2f s after the event (Kafka + projection + index refresh)", lag.Seconds())
	if lag > 10*time.Second {
		t.Errorf("freshness %s, want seconds", lag)
	}
	if n := testutil.CollectAndCount(r.reg, "dizhtime_search_freshness_seconds"); n == 0 {
		t.Error("dizhtime_search_freshness_seconds has no samples")
	}
	// An older menu published later does not regress the document.
	r.publish(t, id, menu(id, 0, "Stale soup"))
	r.publish(t, id, menu(id, 2, "Margherita pizza", "Calzone"))
	deadline := time.Now().Add(20 * time.Second)
	for {
		doc, err := r.svc.Index.Get(context.Background(), id)
		if err == nil && doc != nil && doc.MenuVersion == 2 {
			if len(doc.Dishes) != 2 || doc.Dishes[1].Name != "Calzone" {
				t.Errorf("menu %+v", doc.Dishes)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("menu version 2 not applied: %+v %v", doc, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func TestSearchService_badArgumentsAreRefusedWithBadUserInput(t *testing.T) {
	r := start(t)
	cases := map[string]string{
		"distance sort without near": `{ searchRestaurants(sort: DISTANCE) { totalCount } }`,
		"page too large":             `{ searchRestaurants(first: 1000) { totalCount } }`,
		"foreign cursor":             `{ searchRestaurants(after: "bm9wZQ") { totalCount } }`,
		"empty suggest prefix":       `{ suggest(prefix: "  ") { text } }`,
		"empty dish query":           `{ searchDishes(query: "") { edges { cursor } } }`,
	}
	for name, q := range cases {
		t.Run(name, func(t *testing.T) {
			resp := r.do(t, q, nil)
			if codes := resp.Codes(); len(codes) != 1 || codes[0] != "BAD_USER_INPUT" {
				t.Errorf("errors %+v", resp.Errors)
			}
		})
	}
}

func TestThroughTheRouter_searchReturnsRestaurantReferencesDishesAndSuggestions(t *testing.T) {
	r := start(t)
	id := "rest-" + fmt.Sprint(rand.Int64N(1<<40))
	r.publish(t, id, contracts.RestaurantUpdatedV1{RestaurantID: id, Name: "Besh Qozon", Cuisines: []string{"uzbek"},
		IsOpen: true, Lat: 41.3111, Lng: 69.2797, UpdatedAt: time.Now().UTC()})
	r.publish(t, id, menu(id, 1, "Wedding plov", "Samsa"))
	deadline := time.Now().Add(30 * time.Second)
	for {
		if doc, _ := r.svc.Index.Get(context.Background(), id); doc != nil && doc.Listed && len(doc.Dishes) == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("events not projected within 30 s")
		}
		time.Sleep(100 * time.Millisecond)
	}
	_ = r.svc.Index.Refresh(context.Background())

	root, err := routertest.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	sdl := filepath.Join(root, "schema", "search.graphqls")
	if _, err := os.Stat(sdl); err != nil {
		t.Fatal(err)
	}
	// The restaurants subgraph is not in the supergraph yet: restaurant { id } comes
	// from search's own references; its other fields arrive when restaurants joins.
	router := routertest.Start(t, []routertest.Subgraph{{Name: "search", URL: r.url, SDLFile: sdl}})
	resp := router.Do(t, `query($near: GeoPointInput) {
  searchRestaurants(query: "plov", near: $near) { edges { node { restaurant { id } distanceMeters matchedDishes { highlight } } } }
  searchDishes(query: "samsa") { edges { node { name highlight restaurant { id } price { amountMinor currency } } } }
  suggest(prefix: "wed", near: $near) { text kind restaurant { id } dish { id } }
}`, map[string]any{"near": map[string]any{"lat": 41.3111, "lng": 69.2797}}, nil)
	if len(resp.Errors) > 0 {
		t.Fatalf("errors %+v\nrouter output:\n%s", resp.Errors, router.Output())
	}
	body := unescaped(resp)
	for _, want := range []string{id, "Wedding <em>plov</em>", "<em>Samsa</em>", `"kind":"DISH"`, `"text":"Wedding plov"`, `"amountMinor":6500000`} {
		if !strings.Contains(body, want) {
			t.Errorf("response lacks %s: %s", want, body)
		}
	}
}

// unescaped is the response data with the JSON escapes of < and > undone.
func unescaped(resp *routertest.Response) string {
	return strings.NewReplacer(`\u003c`, "<", `\u003e`, ">").Replace(string(resp.Data))
}
