package adapters_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dizhtime/dizhtime/subgraphs/orders/app"
	"github.com/dizhtime/dizhtime/subgraphs/orders/domain"
)

func TestRestaurantOrderHeads_findsOrdersWrittenSinceALook_andOpenOnesWhenAsked(t *testing.T) {
	repo, pool := newRepo(t)
	ctx := context.Background()
	create := func(key string) *domain.Order {
		t.Helper()
		o, _, err := repo.Create(ctx, newOrder(t, "c-heads", key))
		if err != nil {
			t.Fatal(err)
		}
		return o
	}
	paid, cancelled := create("paid"), create("cancelled")
	if _, err := repo.Update(ctx, paid.ID, func(o *domain.Order) error { return o.MarkPaid(time.Now(), time.Minute) }); err != nil {
		t.Fatal(err)
	}
	if _, err := repo.Update(ctx, cancelled.ID, func(o *domain.Order) error { return o.Cancel("customer:c-heads", "changed my mind", time.Now()) }); err != nil {
		t.Fatal(err)
	}
	age := func(id string, d time.Duration) {
		t.Helper()
		if _, err := pool.Exec(ctx, `UPDATE orders SET updated_at = now() - $2::interval WHERE id = $1`, id, d.String()); err != nil {
			t.Fatal(err)
		}
	}
	lookBack := time.Now().Add(-time.Minute)
	heads := func(open bool) []app.OrderHead {
		t.Helper()
		hs, err := repo.RestaurantOrderHeads(ctx, "r1", lookBack, open, 100)
		if err != nil {
			t.Fatal(err)
		}
		return hs
	}
	if got, want := heads(false), []app.OrderHead{{OrderID: paid.ID, Seq: 2}, {OrderID: cancelled.ID, Seq: 2}}; !sameHeads(got, want) {
		t.Fatalf("both just written: %+v, want %+v", got, want)
	}
	if got, _ := repo.RestaurantOrderHeads(ctx, "another", lookBack, true, 100); len(got) != 0 {
		t.Fatalf("another restaurant's heads: %+v", got)
	}

	age(cancelled.ID, time.Hour)
	if got, want := heads(true), []app.OrderHead{{OrderID: paid.ID, Seq: 2}}; !sameHeads(got, want) {
		t.Fatalf("a cancelled order written an hour ago is neither recent nor open: %+v, want %+v", got, want)
	}
	age(paid.ID, time.Hour)
	if got := heads(false); len(got) != 0 {
		t.Fatalf("nothing written since the look: %+v", got)
	}
	if got, want := heads(true), []app.OrderHead{{OrderID: paid.ID, Seq: 2}}; !sameHeads(got, want) {
		t.Fatalf("an open order, however old: %+v, want %+v", got, want)
	}
	if got, _ := repo.RestaurantOrderHeads(ctx, "r1", time.Now().Add(-2*time.Hour), false, 1); len(got) != 1 {
		t.Fatalf("limit 1: %+v", got)
	}
}

func sameHeads(got, want []app.OrderHead) bool {
	key := func(h app.OrderHead) string { return h.OrderID }
	g, w := slices.Clone(got), slices.Clone(want)
	slices.SortFunc(g, func(a, b app.OrderHead) int { return strings.Compare(key(a), key(b)) })
	slices.SortFunc(w, func(a, b app.OrderHead) int { return strings.Compare(key(a), key(b)) })
	return slices.Equal(g, w)
}
