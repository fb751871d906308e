package adapters_test

import (
	"bytes"
	"context"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/dizhtime/dizhtime/events"
	"github.com/dizhtime/dizhtime/events/contracts"
	"github.com/dizhtime/dizhtime/subgraphs/restaurants/adapters"
	"github.com/dizhtime/dizhtime/subgraphs/restaurants/domain"
)

func contractSchema(t *testing.T, e events.Envelope) *jsonschema.Schema {
	t.Helper()
	raw, err := contracts.Schema(e.Type, e.Version)
	if err != nil {
		t.Fatalf("no contract for the emitted %s v%d: %v", e.Type, e.Version, err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	url := fmt.Sprintf("mem://%s/v%d.json", e.Type, e.Version)
	if err := c.AddResource(url, doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile(url)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// Every event this service emits, for every kind of change, validates against the
// contract schema of its type and version in events/contracts.
func TestRestaurantEvents_validateAgainstTheEventContracts(t *testing.T) {
	now := time.Now()
	changes := map[string]func(r *domain.Restaurant) error{
		"created": func(*domain.Restaurant) error { return nil },
		"paused":  func(r *domain.Restaurant) error { return r.Pause("inventory", now) },
		"tagged": func(r *domain.Restaurant) error {
			d := r.Profile().Draft()
			d.DietaryTags, d.Tags = []string{"halal", "vegan"}, []string{domain.PromotionTagSpecial}
			p, err := domain.NewProfile(d)
			if err != nil {
				return err
			}
			return r.UpdateProfile(p, now)
		},
		"sold out": func(r *domain.Restaurant) error { return r.SetItemAvailability(r.Menu().ItemIDs()[0], false, now) },
		"menu emptied": func(r *domain.Restaurant) error {
			return r.ReplaceMenu(r.Menu().Version, domain.MenuDraft{}, func() string { return "x" }, now)
		},
	}
	seen := map[string]bool{}
	for name, change := range changes {
		t.Run(name, func(t *testing.T) {
			r := sample(t, 1)[0]
			if name != "created" {
				// A stored restaurant has no pending change flags: restore it first.
				var err error
				if r, err = domain.RestoreRestaurant(r.Snapshot()); err != nil {
					t.Fatal(err)
				}
			}
			if err := change(r); err != nil {
				t.Fatal(err)
			}
			evs, err := adapters.RestaurantEvents(context.Background(), r, now)
			if err != nil || len(evs) == 0 {
				t.Fatalf("events = %v, %v", evs, err)
			}
			for _, e := range evs {
				seen[e.Type] = true
				if e.Type == contracts.TypeRestaurantUpdated && e.Version != 2 {
					t.Errorf("%s is v%d, want v2 (the discovery fields search indexes)", e.Type, e.Version)
				}
				if e.Subject != r.ID() || e.Source != adapters.EventSource {
					t.Errorf("%s: subject %s source %s", e.Type, e.Subject, e.Source)
				}
				doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(e.Data))
				if err != nil {
					t.Fatal(err)
				}
				if err := contractSchema(t, e).Validate(doc); err != nil {
					t.Errorf("%s v%d payload breaks its contract: %v\n%s", e.Type, e.Version, err, e.Data)
				}
			}
		})
	}
	if !seen[contracts.TypeRestaurantUpdated] || !seen[contracts.TypeRestaurantMenuUpdate] {
		t.Errorf("not every event type was exercised: %v", seen)
	}
}

// restaurant.updated v2 carries the whole profile search indexes, filled from the
// aggregate: nothing search needs is left at its zero value.
func TestRestaurantEvents_restaurantUpdatedV2CarriesEveryFieldOfTheRestaurant(t *testing.T) {
	r := sample(t, 1)[0]
	d := r.Profile().Draft()
	d.DietaryTags, d.Tags = []string{"Vegan", "halal"}, []string{domain.PromotionTagSpecial}
	d.Hours.Days[time.Friday] = []domain.RangeDraft{{Open: "10:00", Close: "02:00"}}
	p, err := domain.NewProfile(d)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	if err := r.UpdateProfile(p, now); err != nil {
		t.Fatal(err)
	}
	if err := r.Pause("inventory", now); err != nil {
		t.Fatal(err)
	}
	evs, err := adapters.RestaurantEvents(context.Background(), r, now)
	if err != nil {
		t.Fatal(err)
	}
	var got contracts.RestaurantUpdatedV2
	if evs[0].Type != contracts.TypeRestaurantUpdated || evs[0].Version != 2 || evs[0].Decode(&got) != nil {
		t.Fatalf("first event = %s v%d", evs[0].Type, evs[0].Version)
	}
	prof := r.Profile()
	want := contracts.RestaurantUpdatedV2{
		RestaurantID: r.ID(), Name: prof.Name, Description: prof.Description,
		Address:  prof.Address.Line1 + ", " + prof.Address.City + ", " + prof.Address.PostalCode + ", " + prof.Address.Country,
		Cuisines: prof.Cuisines, IsOpen: false, Paused: true, Lat: prof.Location.Lat, Lng: prof.Location.Lng,
		PriceLevel: prof.PriceLevel, Rating: r.Rating().Average, PrepMinutes: prof.PrepTimeMinutes,
		DietaryTags: []string{"vegan", "halal"}, Tags: []string{"DizhTime Special"}, TimeZone: "Asia/Tashkent",
		UpdatedAt: r.UpdatedAt(),
	}
	if got.Description == "" || got.Rating == 0 || got.PriceLevel == 0 || got.PrepMinutes == 0 {
		t.Errorf("a discovery field is empty: %+v", got)
	}
	spans := got.OpeningHours
	got.OpeningHours = nil
	if !reflect.DeepEqual(got, want) {
		t.Errorf("restaurant.updated v2 =\n%+v\nwant\n%+v", got, want)
	}
	if len(spans) == 0 || spans[0].Day != "MONDAY" || spans[len(spans)-1].Day != "SUNDAY" {
		t.Errorf("opening hours are not Monday to Sunday: %+v", spans)
	}
	friday := contracts.OpeningSpan{Day: "FRIDAY", Open: "10:00", Close: "02:00"}
	if !slices.Contains(spans, friday) {
		t.Errorf("the overnight Friday %+v is missing from %+v", friday, spans)
	}
}
