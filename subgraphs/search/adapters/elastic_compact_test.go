package adapters_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/dizhtime/dizhtime/subgraphs/search/app"
	"github.com/dizhtime/dizhtime/subgraphs/search/domain"
)

// A rebuilt index is compacted into one segment before readers see it, and still finds
// everything.
func TestCompact_realElasticsearch(t *testing.T) {
	ctx := context.Background()
	es, c := elasticCatalog(t)
	name := fmt.Sprintf("search-compact-%d", rand.Int64N(1<<40))
	idx, err := c.Create(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Drop(context.Background(), name) })
	for i := range 3 { // a refresh after each write: three segments
		fixture{id: fmt.Sprintf("c-%d", i), name: "Compact Pizza", at: north(1), open: true, dishes: []string{"Pizza"}}.put(t, idx)
		if err := idx.Refresh(ctx); err != nil {
			t.Fatal(err)
		}
	}
	segments := func() int {
		res, err := es.Cat.Segments(es.Cat.Segments.WithIndex(name), es.Cat.Segments.WithFormat("json"))
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var rows []map[string]any
		if err := json.NewDecoder(res.Body).Decode(&rows); err != nil {
			t.Fatal(err)
		}
		return len(rows)
	}
	if n := segments(); n < 2 {
		t.Fatalf("%d segments before compacting, want several", n)
	}
	if err := idx.(app.Compactor).Compact(ctx); err != nil {
		t.Fatal(err)
	}
	if n := segments(); n != 1 {
		t.Errorf("%d segments after compacting, want 1", n)
	}
	q, _ := domain.NewQuery(domain.QueryInput{Text: "pizza", First: 10})
	if p, err := idx.Search(ctx, q); err != nil || p.Total != 3 {
		t.Errorf("after compacting: %d hits, %v", p.Total, err)
	}
}
