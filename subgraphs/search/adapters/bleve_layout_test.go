package adapters_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2"

	"github.com/dizhtime/dizhtime/subgraphs/search/adapters"
	"github.com/dizhtime/dizhtime/subgraphs/search/domain"
)

func TestBleveCatalog_replacesAnIndexOfAnOlderLayoutWithAnEmptyOneAndSaysSo(t *testing.T) {
	dir := t.TempDir()
	old, err := bleve.New(filepath.Join(dir, "restaurants-0.bleve"), bleve.NewIndexMapping())
	if err != nil {
		t.Fatal(err)
	}
	_ = old.Index("r1", map[string]any{"name": "Written by an older search"})
	_ = old.Close()
	if err := os.WriteFile(filepath.Join(dir, "restaurants.current"), []byte("restaurants-0\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	c, err := adapters.OpenBleveCatalog(dir, "restaurants")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	live, err := c.Live(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !c.Replaced() {
		t.Fatal("an index without the layout marker was kept")
	}
	if _, err := os.Stat(filepath.Join(dir, "restaurants-0.bleve")); !os.IsNotExist(err) {
		t.Errorf("old index still on disk: %v", err)
	}
	err = live.Update(context.Background(), "r1", func(cur *domain.Restaurant) (*domain.Restaurant, error) {
		if cur != nil {
			t.Errorf("the replacement is not empty: %+v", cur)
		}
		r, _ := domain.NewRestaurant("r1")
		return r, r.ApplyMenu([]domain.Dish{{ID: "d", Name: "Plov"}}, 1, time.Now())
	})
	if err != nil {
		t.Fatal(err)
	}
	if r, err := live.Get(context.Background(), "r1"); err != nil || r == nil || r.Dishes[0].Name != "Plov" {
		t.Errorf("get after update: %+v %v", r, err)
	}

	// Reopened, the new index is kept as it is.
	_ = c.Close()
	c2, err := adapters.OpenBleveCatalog(dir, "restaurants")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c2.Close() })
	live2, err := c2.Live(context.Background())
	if err != nil || c2.Replaced() {
		t.Fatalf("reopen: replaced %v, %v", c2.Replaced(), err)
	}
	if r, err := live2.Get(context.Background(), "r1"); err != nil || r == nil {
		t.Errorf("get after reopen: %+v %v", r, err)
	}
}
