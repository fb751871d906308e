package adapters_test

import (
	"bytes"
	"context"
	"fmt"
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
		"created":  func(*domain.Restaurant) error { return nil },
		"paused":   func(r *domain.Restaurant) error { return r.Pause("inventory", now) },
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
