package service_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/dizhtime/dizhtime/events/contracts"
	"github.com/dizhtime/dizhtime/events/kafka"
	"github.com/dizhtime/dizhtime/platform/routertest"
	"github.com/dizhtime/dizhtime/subgraphs/search/service"
)

// restaurantsProcess is the real restaurants subgraph, built from the workspace and run
// as `restaurants serve` (as `dizhtime dev` runs it) on FerretDB and Kafka, in a database
// of its own.
type restaurantsProcess struct {
	url string // GraphQL endpoint
	out *bytes.Buffer
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// startRestaurants seeds a small city around centre (a seed of its own, so its ids are
// new) into a fresh database with `restaurants seed`, then serves it: the seed writes
// restaurants and their events to the outbox, and the serving process's relay publishes
// them to Kafka.
func startRestaurants(t *testing.T, restaurants int, lat, lng float64) *restaurantsProcess {
	t.Helper()
	root, err := routertest.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "restaurants")
	build := exec.Command("go", "build", "-o", bin, "./subgraphs/restaurants/cmd/restaurants")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build restaurants: %v\n%s", err, out)
	}
	addr := freeAddr(t)
	seedN := rand.Int64N(1 << 30)
	env := append(os.Environ(), "DIZHTIME_HTTP_ADDR="+addr,
		fmt.Sprintf("DIZHTIME_RESTAURANTS_MONGO_DATABASE=search_e2e_%d", seedN),
		"DIZHTIME_RESTAURANTS_OUTBOX_POLL_INTERVAL=100ms", "DIZHTIME_LOG_LEVEL=warn")
	seed := exec.Command(bin, "seed", "-seed", fmt.Sprint(seedN), "-restaurants", fmt.Sprint(restaurants),
		"-lat", fmt.Sprint(lat), "-lng", fmt.Sprint(lng), "-radius-km", "3")
	seed.Env = env
	if out, err := seed.CombinedOutput(); err != nil {
		t.Fatalf("restaurants seed (needs `deploy/local/services.sh up ferretdb kafka`): %v\n%s", err, out)
	}
	p := &restaurantsProcess{url: "http://" + addr + "/query", out: &bytes.Buffer{}}
	serve := exec.Command(bin, "serve")
	// The router signs what it forwards; the child trusts the test's router key.
	serve.Env = append(append([]string{}, env...), routertest.ChildServiceEnv(t, "restaurants")...)
	serve.Stdout, serve.Stderr = p.out, p.out
	if err := serve.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { _ = serve.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = serve.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(15 * time.Second):
			_ = serve.Process.Kill()
			<-exited
		}
	})
	deadline := time.Now().Add(60 * time.Second)
	for {
		res, err := http.Get("http://" + addr + "/readyz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return p
			}
		}
		select {
		case <-exited:
			t.Fatalf("restaurants serve exited:\n%s", p.out)
		case <-time.After(200 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("restaurants not ready within 60 s:\n%s", p.out)
		}
	}
}

// The federation showcase: restaurants publishes its city through its outbox to Kafka,
// search projects it, and one query through the router finds "piza" near the user in
// search and completes each hit's restaurant (name, menu) from restaurants. A hit the
// restaurants subgraph does not know (an event for a restaurant its store lacks) comes
// back with a null restaurant and a NOT_FOUND error at its path; the other hits answer.
func TestThroughTheRouter_aTypoSearchNearTheUserReturnsRestaurantsCompletedByTheRestaurantsSubgraph(t *testing.T) {
	// The run's topics are its own (the restaurants process inherits the prefix): other
	// runs' restaurants on the shared broker never reach this run's index.
	t.Setenv(kafka.TopicPrefixEnv, fmt.Sprintf("searche2e%d.", rand.Int64N(1<<40)))
	lat, lng := -50+100*rand.Float64(), -170+340*rand.Float64()
	rest := startRestaurants(t, 40, lat, lng)
	// The real topic names, read from their beginning by a group of its own, as a new
	// search deployment would.
	s := startWith(t, func(c *service.Config) {
		c.TopicRestaurantUpdated, c.TopicRestaurantMenuUpdate = "restaurant.updated", "restaurant.menu.update"
	})

	// The city as restaurants serves it (ids, and which serve pizza).
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	listed, err := routertest.Post(ctx, rest.url, `{ restaurants(first: 100) { edges { node { id name cuisines } } } }`, nil, nil)
	if err != nil || len(listed.Errors) > 0 {
		t.Fatalf("restaurants list: %v %+v\n%s", err, listed, rest.out)
	}
	var city struct {
		Restaurants struct {
			Edges []struct {
				Node struct {
					ID, Name string
					Cuisines []string
				}
			}
		}
	}
	if err := json.Unmarshal(listed.Data, &city); err != nil {
		t.Fatal(err)
	}
	pizza := map[string]string{}
	for _, e := range city.Restaurants.Edges {
		for _, c := range e.Node.Cuisines {
			if c == "pizza" {
				pizza[e.Node.ID] = e.Node.Name
			}
		}
	}
	if len(city.Restaurants.Edges) != 40 || len(pizza) == 0 {
		t.Fatalf("seeded city: %d restaurants, %d pizza places", len(city.Restaurants.Edges), len(pizza))
	}

	// Every restaurant reaches search through the outbox and Kafka.
	deadline := time.Now().Add(90 * time.Second)
	for _, e := range city.Restaurants.Edges {
		for {
			doc, err := s.svc.Index.Get(context.Background(), e.Node.ID)
			if err == nil && doc != nil && doc.Listed && len(doc.Dishes) > 0 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("restaurant %s not projected within 90 s (doc %+v, err %v)\nrestaurants output:\n%s", e.Node.ID, doc, err, rest.out)
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
	// A stale hit: search has a pizzeria the restaurants subgraph does not know.
	stale := fmt.Sprintf("stale-%d", rand.Int64N(1<<40))
	s.publish(t, stale, contracts.RestaurantUpdatedV1{RestaurantID: stale, Name: "Stale Pizzeria", Cuisines: []string{"pizza"},
		IsOpen: true, Lat: lat, Lng: lng, UpdatedAt: time.Now().UTC()})
	s.publish(t, stale, menu(stale, 1, "Margherita pizza"))
	for {
		doc, err := s.svc.Index.Get(context.Background(), stale)
		if err == nil && doc != nil && len(doc.Dishes) > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("stale restaurant not projected within 90 s (doc %+v, err %v)", doc, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
	_ = s.svc.Index.Refresh(context.Background())

	root, err := routertest.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	iss := routertest.NewIssuer(t)
	router := routertest.Start(t, []routertest.Subgraph{
		{Name: "restaurants", URL: rest.url, SDLFile: filepath.Join(root, "schema", "restaurants.graphqls")},
		{Name: "search", URL: s.url, SDLFile: filepath.Join(root, "schema", "search.graphqls")},
	}, routertest.Options{RouterYAML: iss.RouterYAML()})

	resp := router.Do(t, `query($near: GeoPointInput) {
  searchRestaurants(query: "piza", near: $near, first: 50) {
    edges { node { distanceMeters restaurant { id name menu { categories { name items { name price { amountMinor currency } } } } } } }
  }
}`, map[string]any{"near": map[string]any{"lat": lat, "lng": lng}}, routertest.Bearer(iss.Token(t, "cust-1", "CUSTOMER")))
	var got struct {
		SearchRestaurants struct {
			Edges []struct {
				Node struct {
					DistanceMeters *float64
					Restaurant     *struct {
						ID, Name string
						Menu     struct {
							Categories []struct {
								Name  string
								Items []struct{ Name string }
							}
						}
					}
				}
			}
		}
	}
	if err := json.Unmarshal(resp.Data, &got); err != nil {
		t.Fatal(err)
	}
	// The one error is the stale hit's, at its edge's restaurant.
	staleAt := -1
	for i, e := range got.SearchRestaurants.Edges {
		if e.Node.Restaurant == nil {
			if staleAt >= 0 {
				t.Errorf("edges %d and %d both have a null restaurant: %s", staleAt, i, resp.Data)
			}
			staleAt = i
		}
	}
	if staleAt < 0 {
		t.Errorf("no hit with a null restaurant (the stale one): %s", resp.Data)
	}
	// The router reports restaurants' NOT_FOUND (its path says "@": the entity batch) and
	// the stale hit's missing fields, at that edge; no other error.
	notFound := false
	for _, e := range resp.Errors {
		switch {
		case e.Extensions["code"] == "NOT_FOUND" && e.Extensions["serviceName"] == "restaurants":
			notFound = true
		case len(e.Path) > 2 && fmt.Sprint(e.Path[2]) == fmt.Sprint(staleAt):
		default:
			t.Errorf("error %+v is not about the stale hit (edge %d)", e, staleAt)
		}
	}
	if !notFound {
		t.Errorf("errors %+v; want restaurants' NOT_FOUND for the stale hit\nrouter output:\n%s", resp.Errors, router.Output())
	}
	found := map[string]bool{}
	for _, e := range got.SearchRestaurants.Edges {
		r := e.Node.Restaurant
		if r == nil {
			continue
		}
		if _, ours := pizza[r.ID]; !ours {
			t.Errorf("hit %s (%s) is not one of this city's pizza places", r.ID, r.Name)
			continue
		}
		found[r.ID] = true
		if r.Name != pizza[r.ID] || len(r.Menu.Categories) == 0 || e.Node.DistanceMeters == nil || *e.Node.DistanceMeters > 10_000 {
			t.Errorf("hit %s: name %q (restaurants says %q), %d menu categories, distance %v",
				r.ID, r.Name, pizza[r.ID], len(r.Menu.Categories), e.Node.DistanceMeters)
		}
		var items []string
		for _, c := range r.Menu.Categories {
			for _, it := range c.Items {
				items = append(items, it.Name)
			}
		}
		if !strings.Contains(strings.Join(items, ","), "Margherita") {
			t.Errorf("hit %s: menu from restaurants lacks the pizzas: %v", r.ID, items)
		}
	}
	if len(found) != len(pizza) {
		t.Errorf("piza found %d of the %d pizza places: %s", len(found), len(pizza), resp.Data)
	}
}
