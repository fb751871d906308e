package adapters

import (
	"fmt"
	"testing"
	"time"
)

func TestPlacementCache_keepsTheLatestMaxAndDropsTheOldestFirst(t *testing.T) {
	c := newPlacementCache(3)
	at := time.Unix(1_700_000_000, 0).UTC()
	for i := range 5 {
		c.add(fmt.Sprintf("o%d", i), placement{at: at.Add(time.Duration(i) * time.Second), restaurantID: "r", totalMinor: int64(i)})
	}
	c.add("o4", placement{at: at, restaurantID: "other"}) // kept already: unchanged
	c.add("unknown", placement{})                         // no placement: not kept
	for i := range 5 {
		pl, ok := c.get(fmt.Sprintf("o%d", i))
		if want := i >= 2; ok != want {
			t.Fatalf("o%d cached = %v, want %v", i, ok, want)
		}
		if ok && (pl.totalMinor != int64(i) || pl.restaurantID != "r") {
			t.Fatalf("o%d = %+v", i, pl)
		}
	}
	if _, ok := c.get("unknown"); ok {
		t.Fatal("a zero placement was cached")
	}
	var nilCache *placementCache
	nilCache.add("o9", placement{at: at}) // a store without the cache adds nothing
}
