// Command citymap writes the demo city (seed.DefaultConfig, the city `make run` seeds) as
// GeoJSON for the web apps' offline map: the H3 cells that cover it, at the resolution of
// dispatch's live index, each with how many restaurants it holds, and every seeded
// restaurant as a point. The web apps draw it with no tile server (`make web-generate`).
//
//	citymap -out web/packages/map/src/city.json
//
// The output is deterministic (seed.Generate is, and cells and restaurants are sorted), so
// `make check-generated` can hold it to its source.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"slices"

	"github.com/uber/h3-go/v4"

	"github.com/dizhtime/dizhtime/subgraphs/restaurants/seed"
)

// outskirtsKm is how far past its restaurants the city's cells reach: customers and
// couriers live beyond the last kitchen.
const outskirtsKm = 5

// cellResolution is dispatch's domain.CellResolution (resolution 8, ~0.74 km² hexagons):
// the map shows the cells couriers are indexed and matched by.
const cellResolution = 8

func main() {
	out := flag.String("out", "", "write the GeoJSON here (default: stdout)")
	flag.Parse()
	b, err := json.Marshal(Build(seed.DefaultConfig()))
	if err != nil {
		fail(err)
	}
	b = append(b, '\n')
	if *out == "" {
		_, err = os.Stdout.Write(b)
	} else {
		err = os.WriteFile(*out, b, 0o644)
	}
	if err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "citymap:", err)
	os.Exit(1)
}

// FeatureCollection is GeoJSON (RFC 7946) with the city's description beside it.
type FeatureCollection struct {
	Type     string    `json:"type"`
	City     City      `json:"city"`
	Features []Feature `json:"features"`
}

// City says which city the features draw.
type City struct {
	Name         string     `json:"name"`
	Centre       [2]float64 `json:"centre"`   // [lng, lat], as GeoJSON positions are
	RadiusKm     float64    `json:"radiusKm"` // where the restaurants are; the cells reach outskirtsKm further
	H3Resolution int        `json:"h3Resolution"`
}

// Feature is a cell (Polygon) or a restaurant (Point).
type Feature struct {
	Type       string         `json:"type"`
	Geometry   Geometry       `json:"geometry"`
	Properties map[string]any `json:"properties"`
}

// Geometry is a GeoJSON Point or Polygon.
type Geometry struct {
	Type        string `json:"type"`
	Coordinates any    `json:"coordinates"`
}

// Build draws cfg's city: the cells within RadiusKm + outskirtsKm of the centre (every
// restaurant's cell among them), then the restaurants.
func Build(cfg seed.Config) FeatureCollection {
	rs := seed.Generate(cfg)
	perCell := map[h3.Cell]int{}
	for _, r := range rs {
		perCell[h3.LatLngToCell(h3.NewLatLng(r.Profile.Lat, r.Profile.Lng), cellResolution)]++
	}
	edgeKm := h3.HexagonEdgeLengthAvgKm(cellResolution)
	centre := h3.LatLngToCell(h3.NewLatLng(cfg.CentreLat, cfg.CentreLng), cellResolution)
	// Neighbouring centres are √3·edge apart: k rings reach past the radius.
	reach := cfg.RadiusKm + outskirtsKm
	k := int(math.Ceil(reach/(math.Sqrt(3)*edgeKm))) + 1
	var cells []h3.Cell
	for _, c := range centre.GridDisk(k) {
		ll := c.LatLng()
		if perCell[c] > 0 || distanceKm(cfg.CentreLat, cfg.CentreLng, ll.Lat, ll.Lng) <= reach {
			cells = append(cells, c)
		}
	}
	slices.Sort(cells)

	fc := FeatureCollection{Type: "FeatureCollection", City: City{
		Name: cfg.City, Centre: [2]float64{round(cfg.CentreLng), round(cfg.CentreLat)},
		RadiusKm: cfg.RadiusKm, H3Resolution: cellResolution,
	}}
	for _, c := range cells {
		ring := [][2]float64{}
		for _, v := range c.Boundary() {
			ring = append(ring, [2]float64{round(v.Lng), round(v.Lat)})
		}
		ring = append(ring, ring[0]) // GeoJSON rings are closed
		fc.Features = append(fc.Features, Feature{Type: "Feature",
			Geometry:   Geometry{Type: "Polygon", Coordinates: [][][2]float64{ring}},
			Properties: map[string]any{"kind": "cell", "h3": c.String(), "restaurants": perCell[c]},
		})
	}
	for _, r := range rs {
		fc.Features = append(fc.Features, Feature{Type: "Feature",
			Geometry: Geometry{Type: "Point", Coordinates: [2]float64{round(r.Profile.Lng), round(r.Profile.Lat)}},
			Properties: map[string]any{"kind": "restaurant", "id": r.ID, "name": r.Profile.Name,
				"cuisine": r.Profile.Cuisines[0], "priceLevel": r.Profile.PriceLevel},
		})
	}
	return fc
}

// round keeps 5 decimals (~1 m): enough for a city map, a third of the bytes.
func round(v float64) float64 { return math.Round(v*1e5) / 1e5 }

func distanceKm(lat1, lng1, lat2, lng2 float64) float64 {
	const rad = math.Pi / 180
	dLat, dLng := (lat2-lat1)*rad, (lng2-lng1)*rad
	s := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Sin(dLng/2)*math.Sin(dLng/2)
	return 2 * 6371.0088 * math.Asin(math.Min(1, math.Sqrt(s)))
}
