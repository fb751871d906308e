package main

import (
	"encoding/json"
	"testing"

	"github.com/uber/h3-go/v4"

	"github.com/dizhtime/dizhtime/subgraphs/restaurants/seed"
)

func TestBuild_everySeededRestaurantLiesInADrawnCellAndTheOutputIsStable(t *testing.T) {
	cfg := seed.DefaultConfig()
	fc := Build(cfg)
	cells := map[string]bool{}
	var restaurants []Feature
	for _, f := range fc.Features {
		switch f.Properties["kind"] {
		case "cell":
			if f.Geometry.Type != "Polygon" {
				t.Fatalf("cell %v is a %s", f.Properties["h3"], f.Geometry.Type)
			}
			ring := f.Geometry.Coordinates.([][][2]float64)[0]
			if len(ring) < 7 || ring[0] != ring[len(ring)-1] {
				t.Fatalf("cell %v: ring of %d positions, closed %v; want a closed hexagon", f.Properties["h3"], len(ring), ring[0] == ring[len(ring)-1])
			}
			cells[f.Properties["h3"].(string)] = true
		case "restaurant":
			restaurants = append(restaurants, f)
		default:
			t.Fatalf("feature of kind %v", f.Properties["kind"])
		}
	}
	if len(restaurants) != cfg.Restaurants {
		t.Fatalf("%d restaurants drawn, want %d", len(restaurants), cfg.Restaurants)
	}
	// A 13 km disc (8 km of restaurants, 5 of outskirts) is ~530 km²; resolution-8 cells
	// are ~0.74 km² each.
	if len(cells) < 550 || len(cells) > 850 {
		t.Errorf("%d cells cover the city, want 550..850", len(cells))
	}
	for _, r := range restaurants {
		p := r.Geometry.Coordinates.([2]float64)
		c := h3.LatLngToCell(h3.NewLatLng(p[1], p[0]), cellResolution).String()
		if !cells[c] {
			t.Errorf("restaurant %v at %v: its cell %s is not drawn", r.Properties["name"], p, c)
		}
	}
	a, _ := json.Marshal(fc)
	b, _ := json.Marshal(Build(cfg))
	if string(a) != string(b) {
		t.Error("two builds of the same city differ")
	}
}
