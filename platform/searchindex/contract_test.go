package searchindex_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/dizhtime/dizhtime/platform/endpoints"
	"github.com/dizhtime/dizhtime/platform/searchindex"
)

var dishMapping = searchindex.Mapping{"name": searchindex.Text, "cuisine": searchindex.Keyword}

func TestIndexContract_realElasticsearch(t *testing.T) {
	ctx := context.Background()
	es, err := searchindex.ConnectElasticsearch(ctx, endpoints.Elasticsearch())
	if err != nil {
		t.Fatalf("Elasticsearch not reachable (start it with `deploy/local/services.sh up elasticsearch`): %v", err)
	}
	idx, err := searchindex.OpenElastic(ctx, es, fmt.Sprintf("contract-%d", rand.Int64N(1<<40)), dishMapping)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = idx.Drop(context.Background()) })
	runIndexContract(t, idx)
}

func TestIndexContract_embeddedBleve(t *testing.T) {
	idx, err := searchindex.OpenBleve(t.TempDir(), "contract", dishMapping)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = idx.Drop(context.Background()) })
	runIndexContract(t, idx)
}

func TestOpen_refusesBadIndexNames(t *testing.T) {
	if _, err := searchindex.OpenBleve(t.TempDir(), "Bad Name", dishMapping); err == nil {
		t.Fatal("want an error for an upper-case name with a space")
	}
}

func runIndexContract(t *testing.T, idx searchindex.Index) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	docs := map[string]map[string]any{
		"d1": {"name": "Margherita pizza", "cuisine": "italian", "price_minor": 6000000},
		"d2": {"name": "Pepperoni pizza", "cuisine": "italian", "price_minor": 7000000},
		"d3": {"name": "Samarkand plov", "cuisine": "uzbek", "price_minor": 4500000},
		"d4": {"name": "Pizza-style flatbread", "cuisine": "uzbek", "price_minor": 3000000},
	}
	if err := idx.Put(ctx, "d1", docs["d1"]); err != nil {
		t.Fatal(err)
	}
	if err := idx.PutMany(ctx, map[string]map[string]any{"d2": docs["d2"], "d3": docs["d3"], "d4": docs["d4"]}); err != nil {
		t.Fatal(err)
	}
	if err := idx.Refresh(ctx); err != nil {
		t.Fatal(err)
	}

	ids := func(hits []searchindex.Hit) map[string]bool {
		m := map[string]bool{}
		for _, h := range hits {
			m[h.ID] = true
		}
		return m
	}
	t.Run("a word finds every document that has it, with its source", func(t *testing.T) {
		hits, err := idx.Search(ctx, searchindex.Query{Field: "name", Text: "pizza"})
		if err != nil {
			t.Fatal(err)
		}
		got := ids(hits)
		if len(hits) != 3 || !got["d1"] || !got["d2"] || !got["d4"] {
			t.Fatalf("hits = %+v", hits)
		}
		for _, h := range hits {
			if h.Source["name"] != docs[h.ID]["name"] {
				t.Errorf("hit %s source = %v", h.ID, h.Source)
			}
		}
	})
	t.Run("a typo finds the word only when fuzzy", func(t *testing.T) {
		exact, err := idx.Search(ctx, searchindex.Query{Field: "name", Text: "piza"})
		if err != nil {
			t.Fatal(err)
		}
		if len(exact) != 0 {
			t.Fatalf("exact search for a typo found %+v", exact)
		}
		fuzzy, err := idx.Search(ctx, searchindex.Query{Field: "name", Text: "piza", Fuzzy: true})
		if err != nil {
			t.Fatal(err)
		}
		if len(fuzzy) != 3 {
			t.Fatalf("fuzzy hits = %+v", fuzzy)
		}
	})
	t.Run("a keyword filter narrows the hits", func(t *testing.T) {
		hits, err := idx.Search(ctx, searchindex.Query{Field: "name", Text: "pizza", Filters: map[string]string{"cuisine": "uzbek"}})
		if err != nil {
			t.Fatal(err)
		}
		if len(hits) != 1 || hits[0].ID != "d4" {
			t.Fatalf("hits = %+v", hits)
		}
	})
	t.Run("a replaced or deleted document is found no more", func(t *testing.T) {
		if err := idx.Put(ctx, "d1", map[string]any{"name": "Margherita", "cuisine": "italian"}); err != nil {
			t.Fatal(err)
		}
		if err := idx.Delete(ctx, "d2"); err != nil {
			t.Fatal(err)
		}
		if err := idx.Delete(ctx, "never-there"); err != nil {
			t.Fatalf("deleting a missing id: %v", err)
		}
		if err := idx.Refresh(ctx); err != nil {
			t.Fatal(err)
		}
		hits, err := idx.Search(ctx, searchindex.Query{Field: "name", Text: "pizza"})
		if err != nil {
			t.Fatal(err)
		}
		if got := ids(hits); len(hits) != 1 || !got["d4"] {
			t.Fatalf("hits = %+v", hits)
		}
	})
}
