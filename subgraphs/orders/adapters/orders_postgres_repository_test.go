package adapters_test

import (
	"context"
	"crypto/rand"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/dizhtime/dizhtime/events/outbox"
	"github.com/dizhtime/dizhtime/platform/postgres/pgtest"
	"github.com/dizhtime/dizhtime/subgraphs/orders/adapters"
	"github.com/dizhtime/dizhtime/subgraphs/orders/app"
	"github.com/dizhtime/dizhtime/subgraphs/orders/domain"
)

func newRepo(t *testing.T) (*adapters.OrdersRepository, *pgxpool.Pool) {
	t.Helper()
	_, pool := pgtest.Schema(t, "orders")
	if err := adapters.Migrate(context.Background(), pool); err != nil {
		t.Fatal(err)
	}
	return adapters.NewOrdersRepository(pool, outbox.New()), pool
}

func newOrder(t *testing.T, customer, key string) *domain.Order {
	t.Helper()
	eur := func(m int64) domain.Money { return domain.Money{Minor: m, Currency: "EUR"} }
	o, err := domain.NewOrder(domain.NewOrderParams{
		ID: uuid.NewString(), CustomerID: customer, RestaurantID: "r1", IdempotencyKey: key,
		Lines: []domain.Line{{MenuItemID: "plov", Name: "Plov", Quantity: 2, UnitPrice: eur(1200), LineTotal: eur(2400),
			Options: []domain.ChosenOption{{ID: "big", Name: "Big", GroupID: "size", PriceDelta: eur(200)}}}},
		DeliveryFee: eur(300), DeliveryAddress: domain.Address{Line1: "Amir Temur 1", City: "Tashkent"},
		DeliveryAt: domain.Location{Lat: 41.3, Lng: 69.2}, At: time.Now().UTC().Truncate(time.Microsecond),
	})
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func outboxEvents(t *testing.T, pool *pgxpool.Pool, orderID string) []string {
	t.Helper()
	rows, err := pool.Query(context.Background(), `SELECT topic FROM outbox WHERE subject = $1 ORDER BY seq`, orderID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		_ = rows.Scan(&s)
		out = append(out, s)
	}
	return out
}

func TestCreate_withTheSameIdempotencyKeyStoresOneOrderAndOneOrderCreatedEvent(t *testing.T) {
	repo, pool := newRepo(t)
	ctx := context.Background()
	customer := "c-" + rand.Text()[:8]
	first, existed, err := repo.Create(ctx, newOrder(t, customer, "checkout-1"))
	if err != nil || existed {
		t.Fatalf("first create: %v, existed %v", err, existed)
	}
	var wg sync.WaitGroup
	ids := make([]string, 8)
	for i := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			o, existed, err := repo.Create(ctx, newOrder(t, customer, "checkout-1"))
			if err != nil || !existed {
				t.Errorf("repeat create: %v, existed %v", err, existed)
				return
			}
			ids[i] = o.ID
		}()
	}
	wg.Wait()
	for _, id := range ids {
		if id != first.ID {
			t.Errorf("repeat returned %s, want %s", id, first.ID)
		}
	}
	var n int
	_ = pool.QueryRow(ctx, `SELECT count(*) FROM orders`).Scan(&n)
	if n != 1 {
		t.Errorf("%d orders stored", n)
	}
	if evs := outboxEvents(t, pool, first.ID); len(evs) != 1 || evs[0] != "order.created" {
		t.Errorf("outbox: %v", evs)
	}
	// The same key from another customer is another checkout.
	if _, existed, err := repo.Create(ctx, newOrder(t, customer+"-other", "checkout-1")); err != nil || existed {
		t.Errorf("other customer: %v, existed %v", err, existed)
	}
}

func TestUpdate_concurrentTransitionsOfOneOrderSerialize_oneWinsAndTheOtherIsRefused(t *testing.T) {
	repo, pool := newRepo(t)
	ctx := context.Background()
	o, _, err := repo.Create(ctx, newOrder(t, "c1", "k"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := repo.Update(ctx, o.ID, func(o *domain.Order) error { return o.MarkPaid(time.Now(), time.Minute) }); err != nil {
		t.Fatal(err)
	}
	for round := range 10 {
		// Accept and reject race on a fresh paid order each round.
		o, _, _ := repo.Create(ctx, newOrder(t, "c1", "race-"+rand.Text()[:6]))
		_, _ = repo.Update(ctx, o.ID, func(o *domain.Order) error { return o.MarkPaid(time.Now(), time.Minute) })
		start := make(chan struct{})
		errs := make([]error, 2)
		var wg sync.WaitGroup
		for i := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				_, errs[i] = repo.Update(ctx, o.ID, func(o *domain.Order) error {
					time.Sleep(5 * time.Millisecond) // hold the lock while the other waits
					if i == 0 {
						return o.Accept("staff:s1", time.Now())
					}
					return o.Reject("staff:s2", "busy", time.Now())
				})
			}()
		}
		close(start)
		wg.Wait()
		wins := 0
		for _, err := range errs {
			switch {
			case err == nil:
				wins++
			case !domain.IsIllegalTransition(err):
				t.Fatalf("round %d: loser got %v, want an illegal transition", round, err)
			}
		}
		if wins != 1 {
			t.Fatalf("round %d: %d winners (%v)", round, wins, errs)
		}
		got, _ := repo.Get(ctx, o.ID)
		if len(got.Timeline) != 3 || got.Version != 3 {
			t.Fatalf("round %d: timeline %+v version %d", round, got.Timeline, got.Version)
		}
		if evs := outboxEvents(t, pool, o.ID); len(evs) != 3 {
			t.Fatalf("round %d: outbox %v, want created + paid + one decision", round, evs)
		}
	}
}

func TestUpdateAcceptanceDue_rejectsOnlyPaidOrdersPastTheirDeadline(t *testing.T) {
	repo, _ := newRepo(t)
	ctx := context.Background()
	now := time.Now().UTC()
	due, _, _ := repo.Create(ctx, newOrder(t, "c1", "due"))
	notDue, _, _ := repo.Create(ctx, newOrder(t, "c1", "not-due"))
	_, _ = repo.Update(ctx, due.ID, func(o *domain.Order) error { return o.MarkPaid(now.Add(-time.Minute), time.Second) })
	_, _ = repo.Update(ctx, notDue.ID, func(o *domain.Order) error { return o.MarkPaid(now, time.Hour) })
	n, err := repo.UpdateAcceptanceDue(ctx, now, 10, func(o *domain.Order) error { return o.ExpireAcceptance(now) })
	if err != nil || n != 1 {
		t.Fatalf("expired %d: %v", n, err)
	}
	got, _ := repo.Get(ctx, due.ID)
	if got.Status != domain.StatusRejected || got.LastTransition().Reason != "timeout" || got.AcceptBy != nil {
		t.Errorf("due order: %s %+v", got.Status, got.LastTransition())
	}
	got, _ = repo.Get(ctx, notDue.ID)
	if got.Status != domain.StatusPaid {
		t.Errorf("not-due order: %s", got.Status)
	}
}

func TestList_pagesNewestFirstWithCursors(t *testing.T) {
	repo, _ := newRepo(t)
	ctx := context.Background()
	var ids []string
	for i := range 5 {
		o := newOrder(t, "c-list", "k"+string(rune('a'+i)))
		o.PlacedAt = o.PlacedAt.Add(time.Duration(i) * time.Second)
		stored, _, err := repo.Create(ctx, o)
		if err != nil {
			t.Fatal(err)
		}
		ids = append([]string{stored.ID}, ids...)
	}
	var got []string
	after := ""
	for {
		page, next, err := repo.List(ctx, app.ListFilter{CustomerID: "c-list", First: 2, After: after})
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range page {
			got = append(got, o.ID)
		}
		if !next {
			break
		}
		after = app.Cursor(page[len(page)-1])
	}
	if len(got) != 5 {
		t.Fatalf("got %v", got)
	}
	for i := range ids {
		if got[i] != ids[i] {
			t.Fatalf("order %d: %s, want %s", i, got[i], ids[i])
		}
	}
}
