package main

import (
	"bytes"
	"context"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/dizhtime/dizhtime/platform/city"
	"github.com/dizhtime/dizhtime/platform/demo"
	"github.com/dizhtime/dizhtime/platform/devstack"
	"github.com/dizhtime/dizhtime/platform/stack"
	"github.com/dizhtime/dizhtime/subgraphs/restaurants/seed"
)

func TestDevConfig_defaultsAreValid(t *testing.T) {
	if err := defaultDevConfig().Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestDevConfig_badValuesAreNamed(t *testing.T) {
	c := defaultDevConfig()
	c.RedisAddr = "nowhere"
	c.PostgresURL = "mysql://x"
	err := c.Validate()
	if err == nil || !strings.Contains(err.Error(), "redis_addr") || !strings.Contains(err.Error(), "postgres_url") {
		t.Fatalf("err = %v, want redis_addr and postgres_url named", err)
	}
}

func TestRun_refusesAnUnknownCommand(t *testing.T) {
	var out, errOut bytes.Buffer
	err := run(context.Background(), []string{"fly"}, &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), `unknown command "fly"`) {
		t.Fatalf("err = %v", err)
	}
}

func TestBanner_namesTheDemoCityAndTheCommandsThatExist(t *testing.T) {
	var out bytes.Buffer
	cfg := defaultDevConfig()
	printBanner(&out, "http://127.0.0.1:4090", cfg, []string{"identity", "router"}, devstack.Endpoints{})
	printLogins(&out, []city.DemoLogin{{Role: "ADMIN", Session: &city.Session{Email: "a@b", Token: "t"}}}, false)
	text := out.String()
	for _, want := range []string{"Tashkent", "make sim", "http://127.0.0.1:4000/graphql", "http://127.0.0.1:4000/healthz"} {
		if !strings.Contains(text, want) {
			t.Errorf("banner does not say %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "`dizhtime sim`") {
		t.Errorf("banner sends the user to `dizhtime sim`, which is not on the PATH:\n%s", text)
	}
}

func TestCheckPorts_namesEveryTakenPortItsHolderAndTheVariableThatMovesIt(t *testing.T) {
	router, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer router.Close()
	redis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer redis.Close()
	free, err := stack.FreeAddrs(3)
	if err != nil {
		t.Fatal(err)
	}
	cfg := defaultDevConfig()
	cfg.RouterAddr, cfg.RedisAddr = router.Addr().String(), redis.Addr().String()
	cfg.HTTPAddr, cfg.MongoAddr, cfg.KafkaPort = free[0], free[1], 0
	cfg.SupergraphFile = filepath.Join(t.TempDir(), "none.yaml")
	err = checkPorts(cfg)
	if err == nil {
		t.Fatal("checkPorts = nil with two ports taken")
	}
	msg := err.Error()
	for _, want := range []string{
		"2 port(s) taken",
		"the router: port " + router.Addr().String() + " is taken by pid " + strconv.Itoa(os.Getpid()),
		"DIZHTIME_DEV_ROUTER_ADDR=",
		"embedded Redis: port " + redis.Addr().String(),
		"DIZHTIME_DEV_REDIS_ADDR=",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("error does not say %q:\n%s", want, msg)
		}
	}
	router.Close()
	redis.Close()
	if err := checkPorts(cfg); err != nil {
		t.Fatalf("checkPorts with every port free = %v", err)
	}
}

func TestProcesses_everySubgraphOfSupergraphYAMLAndTheRouterAreInTheBinary(t *testing.T) {
	subgraphs, err := stack.ReadSupergraph(filepath.Join("..", "..", "..", "supergraph.yaml"))
	if err != nil || len(subgraphs) == 0 {
		t.Fatalf("supergraph.yaml: %v, %d subgraphs", err, len(subgraphs))
	}
	for _, sg := range append(subgraphs, stack.Subgraph{Name: "router"}) {
		if processes[sg.Name] == nil {
			t.Errorf("dizhtime does not carry %s: `dizhtime dev` could not start it", sg.Name)
		}
	}
}

// The demo logins grant the seeded city's owners from the generator: every seeded
// restaurant, each to the roster owner restaurants stores it with.
func TestDemoOwnerGrants_areTheSeededCitysRestaurantsAndTheirRosterOwners(t *testing.T) {
	grants := demoOwnerGrants()
	cfg := seed.DefaultConfig()
	if len(grants) != cfg.Restaurants {
		t.Fatalf("%d grants, want one per seeded restaurant (%d)", len(grants), cfg.Restaurants)
	}
	roster := map[string]bool{}
	for _, o := range demo.Owners() {
		roster[o.ID] = true
	}
	for i, g := range seed.Generate(cfg) {
		if grants[i].RestaurantID != g.ID || grants[i].OwnerID != g.OwnerID || !roster[g.OwnerID] {
			t.Fatalf("grant %d = %+v; want restaurant %s to its roster owner %s", i, grants[i], g.ID, g.OwnerID)
		}
	}
}
