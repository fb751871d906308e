package adapters_test

import (
	"context"
	"encoding/json"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dizhtime/dizhtime/events"
	"github.com/dizhtime/dizhtime/events/contracts"
	"github.com/dizhtime/dizhtime/subgraphs/search/app"
	"github.com/dizhtime/dizhtime/subgraphs/search/domain"
)

var t0 = time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)

func profileEvent(t *testing.T, id, name string, at time.Time, extra map[string]any) events.Envelope {
	t.Helper()
	e, err := events.New(context.Background(), "restaurants", id, contracts.RestaurantUpdatedV1{
		RestaurantID: id, Name: name, Cuisines: []string{"italian"}, IsOpen: true, Lat: centre.Lat, Lng: centre.Lon, UpdatedAt: at})
	if err != nil {
		t.Fatal(err)
	}
	if len(extra) > 0 {
		var data map[string]any
		_ = json.Unmarshal(e.Data, &data)
		for k, v := range extra {
			data[k] = v
		}
		e.Data, _ = json.Marshal(data)
	}
	return e
}

func profileV2(t *testing.T, ev contracts.RestaurantUpdatedV2) events.Envelope {
	t.Helper()
	e, err := events.New(context.Background(), "restaurants", ev.RestaurantID, ev)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func menuEvent(t *testing.T, id string, version int64, dishes ...string) events.Envelope {
	t.Helper()
	var items []contracts.MenuItem
	for _, d := range dishes {
		items = append(items, contracts.MenuItem{MenuItemID: id + "-" + d, Name: d, Available: true,
			Price: contracts.Money{AmountMinor: 4_500_000, Currency: "UZS"}})
	}
	e, err := events.New(context.Background(), "restaurants", id, contracts.RestaurantMenuUpdateV1{
		RestaurantID: id, MenuVersion: version, Items: items, UpdatedAt: t0})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func TestProjection_realElasticsearch(t *testing.T) { runProjection(t, elasticBackend(t)) }

func TestProjection_embeddedBleve(t *testing.T) { runProjection(t, bleveBackend(t)) }

func runProjection(t *testing.T, b backend) {
	ctx := context.Background()
	proj, err := app.NewProjection(b.live, nil)
	if err != nil {
		t.Fatal(err)
	}
	apply := func(es ...events.Envelope) {
		t.Helper()
		for _, e := range es {
			if err := proj.Handle(ctx, e); err != nil {
				t.Fatalf("%s: %v", e.Type, err)
			}
		}
	}
	get := func(id string) *domain.Restaurant {
		t.Helper()
		r, err := b.live.Get(ctx, id)
		if err != nil || r == nil {
			t.Fatalf("get %s: %+v %v", id, r, err)
		}
		return r
	}

	t.Run("an older profile arriving after a newer one changes nothing", func(t *testing.T) {
		newer, older := profileEvent(t, "p1", "Napoli v2", t0.Add(time.Minute), nil), profileEvent(t, "p1", "Napoli v1", t0, nil)
		apply(newer, older)
		if r := get("p1"); r.Name != "Napoli v2" || r.ProfileVersion != t0.Add(time.Minute).UnixNano() {
			t.Errorf("got %q at %d", r.Name, r.ProfileVersion)
		}
	})
	t.Run("a repeated event is applied once and an older menu never replaces a newer one", func(t *testing.T) {
		m3, m2 := menuEvent(t, "p1", 3, "Margherita", "Calzone"), menuEvent(t, "p1", 2, "Old dish")
		apply(m3, m3, m2, m3)
		r := get("p1")
		if r.MenuVersion != 3 || len(r.Dishes) != 2 || r.Name != "Napoli v2" {
			t.Errorf("got menu %d %+v, name %q", r.MenuVersion, r.Dishes, r.Name)
		}
	})
	t.Run("a menu arriving before its profile is kept and listed once the profile comes", func(t *testing.T) {
		apply(menuEvent(t, "p2", 1, "Plov"))
		if r := get("p2"); r.Listed || len(r.Dishes) != 1 {
			t.Fatalf("menu-only document: %+v", r)
		}
		apply(profileV2(t, contracts.RestaurantUpdatedV2{RestaurantID: "p2", Name: "Besh Qozon", Cuisines: []string{"uzbek"},
			IsOpen: true, Lat: centre.Lat, Lng: centre.Lon, PriceLevel: 1, Rating: 4.7, Tags: []string{"DizhTime Special"},
			DietaryTags: []string{"Halal"}, TimeZone: "Asia/Tashkent", UpdatedAt: t0,
			OpeningHours: []contracts.OpeningSpan{{Day: "MONDAY", Open: "10:00", Close: "22:00"}}}))
		r := get("p2")
		// 10:00-22:00 in Tashkent (UTC+5) is 05:00-17:00 UTC on Monday.
		want := []domain.MinuteRange{{From: 24*60 + 5*60, To: 24*60 + 17*60}}
		if !r.Listed || len(r.Dishes) != 1 || !r.Promoted || r.PriceLevel != 1 || r.Dietary[0] != "halal" ||
			len(r.OpenMinutes) != 1 || r.OpenMinutes[0] != want[0] {
			t.Errorf("got %+v", r)
		}
	})
	t.Run("a v1 event carries no v2 fields even when a producer adds them, and a paused v2 restaurant is closed", func(t *testing.T) {
		apply(profileEvent(t, "p4", "Old Producer", t0, map[string]any{"price_level": 3}))
		if r := get("p4"); r.PriceLevel != 0 || !r.IsOpen {
			t.Errorf("v1: %+v", r)
		}
		apply(profileV2(t, contracts.RestaurantUpdatedV2{RestaurantID: "p4", Name: "New Producer", IsOpen: true, Paused: true,
			Lat: centre.Lat, Lng: centre.Lon, PriceLevel: 3, UpdatedAt: t0.Add(time.Second)}))
		if r := get("p4"); r.PriceLevel != 3 || r.IsOpen || r.Name != "New Producer" {
			t.Errorf("v2 paused: %+v", r)
		}
	})
	t.Run("a batch applies each restaurant's events in order, skips stale ones and refuses only the impossible one", func(t *testing.T) {
		batch := []events.Envelope{
			menuEvent(t, "b1", 2, "Lagman"),
			profileEvent(t, "b1", "Batch One", t0, nil),
			menuEvent(t, "b1", 1, "Stale dish"),
			profileEvent(t, "b2", "Nowhere", t0, map[string]any{"lat": 123.0}),
			menuEvent(t, "b2", 1, "Samsa"),
			profileEvent(t, "b3", "Batch Three", t0, nil),
			profileEvent(t, "b3", "Batch Three renamed", t0.Add(time.Minute), nil),
		}
		errs := proj.HandleBatch(ctx, batch)
		for i, err := range errs {
			if _, undecodable := err.(app.UndecodableError); (i == 3) != undecodable {
				t.Errorf("event %d: %v", i, err)
			}
		}
		if r := get("b1"); r.Name != "Batch One" || r.MenuVersion != 2 || r.Dishes[0].Name != "Lagman" {
			t.Errorf("b1: %+v", r)
		}
		if r := get("b2"); r.Listed || len(r.Dishes) != 1 {
			t.Errorf("b2: %+v", r)
		}
		if r := get("b3"); r.Name != "Batch Three renamed" {
			t.Errorf("b3: %+v", r)
		}
		// The same batch again is all stale: nothing changes, nothing fails but the impossible one.
		for i, err := range proj.HandleBatch(ctx, batch) {
			if (err != nil) != (i == 3) {
				t.Errorf("replayed event %d: %v", i, err)
			}
		}
	})
	t.Run("an event with an impossible payload is refused for the dead-letter topic", func(t *testing.T) {
		bad := profileEvent(t, "p3", "Nowhere", t0, map[string]any{"lat": 123.0})
		if err := proj.Handle(ctx, bad); err == nil {
			t.Fatal("want an undecodable-event error")
		}
	})
}

// eventLog replays a fixed list (the Kafka-backed log is tested through the service).
type eventLog []events.Envelope

func (l eventLog) ReadAll(_ context.Context, fn func(events.Envelope) error) error {
	for _, e := range l {
		if err := fn(e); err != nil {
			return err
		}
	}
	return nil
}

func TestRebuild_realElasticsearch(t *testing.T) { runRebuild(t, elasticBackend(t)) }

func TestRebuild_embeddedBleve(t *testing.T) { runRebuild(t, bleveBackend(t)) }

func runRebuild(t *testing.T, b backend) {
	ctx := context.Background()
	proj, _ := app.NewProjection(b.live, nil)
	var log eventLog
	for i, name := range []string{"Napoli", "Roma", "Milano"} {
		id := "rb" + string(rune('a'+i))
		log = append(log, profileEvent(t, id, name+" Pizzeria", t0, nil), menuEvent(t, id, 1, "Pizza "+name))
	}
	for _, e := range log {
		if err := proj.Handle(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	_ = b.live.Refresh(ctx)
	// A document the log does not have: gone after the rebuild (the index was stale).
	fixture{id: "rb-orphan", name: "Orphan Pizza", at: north(1), open: true}.put(t, b.live)
	_ = b.live.Refresh(ctx)

	q, _ := domain.NewQuery(domain.QueryInput{Text: "pizza", First: 20})
	var searches, failures, empty atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				p, err := b.live.Search(ctx, q)
				searches.Add(1)
				if err != nil {
					failures.Add(1)
					t.Errorf("search during rebuild: %v", err)
				} else if p.Total < 3 {
					empty.Add(1)
				}
			}
		})
	}
	time.Sleep(50 * time.Millisecond)
	rep, err := app.Rebuild(ctx, b.catalog, log, "search-rebuilt", nil)
	time.Sleep(50 * time.Millisecond)
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("rebuild %+v; %d searches ran during it", rep, searches.Load())
	if rep.Events != len(log) || rep.Previous == "" {
		t.Errorf("report %+v", rep)
	}
	if failures.Load() != 0 || empty.Load() != 0 {
		t.Errorf("%d searches failed and %d saw fewer than 3 hits while the alias moved", failures.Load(), empty.Load())
	}
	p, err := b.live.Search(ctx, q)
	if err != nil || p.Total != 3 {
		t.Errorf("after the rebuild: %d hits %v (want 3, the orphan gone)", p.Total, err)
	}
	if r, _ := b.live.Get(ctx, "rb-orphan"); r != nil {
		t.Errorf("orphan still there: %+v", r)
	}
}
