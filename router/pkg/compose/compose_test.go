package compose

import (
	"context"
	"errors"
	"strings"
	"testing"
)

const productsSDL = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
type Query { product(upc: String!): Product }
type Product @key(fields: "upc") { upc: String! name: String! }`

const inventorySDL = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
type Product @key(fields: "upc") { upc: String! inStock: Boolean! }`

// clashingSDL defines Product.name again, without @shareable and with another type.
const clashingSDL = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
type Product @key(fields: "upc") { upc: String! name: Int! }`

func TestCompose_mergesSubgraphsAndNamesDataSourcesAfterThem(t *testing.T) {
	res, err := NewComposer(2).Compose(context.Background(), []Subgraph{
		{Name: "products", RoutingURL: "http://127.0.0.1:1/query", SDL: productsSDL},
		{Name: "inventory", RoutingURL: "http://127.0.0.1:2/query", SDL: inventorySDL},
	})
	if err != nil {
		t.Fatal(err)
	}
	sdl := res.SupergraphSDL()
	for _, want := range []string{"type Product", "inStock: Boolean!", "name: String!"} {
		if !strings.Contains(sdl, want) {
			t.Fatalf("supergraph lacks %q:\n%s", want, sdl)
		}
	}
	var ids []string
	for _, ds := range res.RouterConfig.GetEngineConfig().GetDatasourceConfigurations() {
		ids = append(ids, ds.GetId())
	}
	if strings.Join(ids, ",") != "products,inventory" {
		t.Fatalf("data source ids %v", ids)
	}
}

func TestCompose_errorNamesTheSubgraphsTypeAndField(t *testing.T) {
	_, err := NewComposer(1).Compose(context.Background(), []Subgraph{
		{Name: "products", RoutingURL: "http://127.0.0.1:1/query", SDL: productsSDL},
		{Name: "pricing", RoutingURL: "http://127.0.0.1:2/query", SDL: clashingSDL},
	})
	var cerr *Error
	if !errors.As(err, &cerr) {
		t.Fatalf("want a composition error, got %v", err)
	}
	for _, want := range []string{"Product.name", "pricing"} {
		if !strings.Contains(err.Error(), want) {
			t.Fatalf("error lacks %q: %v", want, err)
		}
	}
}

func TestCompose_servesIdenticalInputsFromTheCache(t *testing.T) {
	c := NewComposer(2)
	in := []Subgraph{{Name: "products", RoutingURL: "http://127.0.0.1:1/query", SDL: productsSDL}}
	first, err := c.Compose(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	second, err := c.Compose(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	if first.Took == 0 || second.Took != 0 || first.RouterConfig != second.RouterConfig {
		t.Fatalf("want the second result from the cache: took %v then %v", first.Took, second.Took)
	}
	in[0].RoutingURL = "http://127.0.0.1:3/query"
	third, err := c.Compose(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	if third.Took == 0 {
		t.Fatal("a changed routing URL must compose again")
	}
}

func TestCompose_aRestartWithUnchangedInputsReadsTheResultFromDisk(t *testing.T) {
	dir := t.TempDir()
	inputs := []Subgraph{
		{Name: "products", RoutingURL: "http://127.0.0.1:1/query", SDL: productsSDL},
		{Name: "inventory", RoutingURL: "http://127.0.0.1:2/query", SDL: inventorySDL},
	}
	first, err := NewComposer(1).WithDiskCache(dir).Compose(context.Background(), inputs)
	if err != nil {
		t.Fatal(err)
	}
	if first.FromDisk {
		t.Fatal("an empty cache served a result")
	}
	// A new composer is a new process: its memory cache is empty.
	again, err := NewComposer(1).WithDiskCache(dir).Compose(context.Background(), inputs)
	if err != nil {
		t.Fatal(err)
	}
	if !again.FromDisk || again.Took != 0 {
		t.Fatalf("unchanged inputs were composed again (from disk %v, took %s)", again.FromDisk, again.Took)
	}
	if again.SupergraphSDL() != first.SupergraphSDL() {
		t.Fatal("the cached supergraph differs from the composed one")
	}
	changed := append([]Subgraph(nil), inputs...)
	changed[1].SDL = strings.Replace(inventorySDL, "inStock: Boolean!", "inStock: Boolean! stock: Int!", 1)
	third, err := NewComposer(1).WithDiskCache(dir).Compose(context.Background(), changed)
	if err != nil {
		t.Fatal(err)
	}
	if third.FromDisk || !strings.Contains(third.SupergraphSDL(), "stock: Int!") {
		t.Fatal("changed inputs were served from the cache")
	}
}
