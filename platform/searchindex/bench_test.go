package searchindex_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/dizhtime/dizhtime/platform/endpoints"
	"github.com/dizhtime/dizhtime/platform/searchindex"
)

// BenchmarkIndex_fuzzySearch runs a typo-tolerant dish search with a filter over 5,000 dishes.
func BenchmarkIndex_fuzzySearch(b *testing.B) {
	b.Run("elasticsearch", func(b *testing.B) {
		ctx := context.Background()
		es, err := searchindex.ConnectElasticsearch(ctx, endpoints.Elasticsearch())
		if err != nil {
			b.Fatal(err)
		}
		idx, err := searchindex.OpenElastic(ctx, es, fmt.Sprintf("bench-%d", rand.Int64N(1<<40)), dishMapping)
		if err != nil {
			b.Fatal(err)
		}
		defer idx.Drop(ctx)
		fill(b, idx)
		b.Run("search", func(b *testing.B) { benchSearch(b, idx) })
	})
	b.Run("bleve", func(b *testing.B) {
		idx, err := searchindex.OpenBleve(b.TempDir(), "bench", dishMapping)
		if err != nil {
			b.Fatal(err)
		}
		defer idx.Drop(context.Background())
		fill(b, idx)
		b.Run("search", func(b *testing.B) { benchSearch(b, idx) })
	})
}

// fill indexes 5,000 dishes once per backend; the search benchmark runs several times.
func fill(b *testing.B, idx searchindex.Index) {
	ctx := context.Background()
	words := []string{"pizza", "plov", "lagman", "burger", "sushi", "salad", "soup", "kebab", "noodles", "samsa"}
	cuisines := []string{"italian", "uzbek", "american", "japanese"}
	r := rand.New(rand.NewPCG(3, 4))
	docs := map[string]map[string]any{}
	for i := range 5_000 {
		docs[fmt.Sprintf("dish-%d", i)] = map[string]any{
			"name":    words[r.IntN(len(words))] + " " + words[r.IntN(len(words))] + fmt.Sprintf(" special %d", i),
			"cuisine": cuisines[r.IntN(len(cuisines))],
		}
	}
	if err := idx.PutMany(ctx, docs); err != nil {
		b.Fatal(err)
	}
	if err := idx.Refresh(ctx); err != nil {
		b.Fatal(err)
	}
}

func benchSearch(b *testing.B, idx searchindex.Index) {
	ctx := context.Background()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			_, err := idx.Search(ctx, searchindex.Query{Field: "name", Text: "piza", Fuzzy: true,
				Filters: map[string]string{"cuisine": "italian"}, Limit: 20})
			if err != nil {
				b.Error(err)
				return
			}
		}
	})
}
