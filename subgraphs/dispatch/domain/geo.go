package domain

import (
	"math"

	"github.com/uber/h3-go/v4"
)

// Point is a WGS84 coordinate in degrees.
type Point struct {
	Lat, Lng float64
}

// Valid reports whether p is on the globe (and not the zero value, which no courier in
// our markets ever stands on).
func (p Point) Valid() bool {
	return p.Lat >= -90 && p.Lat <= 90 && p.Lng >= -180 && p.Lng <= 180 && (p.Lat != 0 || p.Lng != 0)
}

const earthRadiusMeters = 6_371_008.8

// DistanceMeters is the great-circle (haversine) distance between a and b.
func DistanceMeters(a, b Point) float64 {
	return DistanceMetersCos(a, b, CosLat(a), CosLat(b))
}

// CosLat is the cosine of p's latitude, as DistanceMeters uses it.
func CosLat(p Point) float64 { return math.Cos(p.Lat * (math.Pi / 180)) }

// DistanceMetersCos is DistanceMeters(a, b) with the cosines of their latitudes
// (CosLat) known already: the same figure, bit for bit, for less work when one point is
// measured against many.
func DistanceMetersCos(a, b Point, cosA, cosB float64) float64 {
	const rad = math.Pi / 180
	dLat := (b.Lat - a.Lat) * rad
	dLng := (b.Lng - a.Lng) * rad
	sLat, sLng := math.Sin(dLat/2), math.Sin(dLng/2)
	s := sLat*sLat + cosA*cosB*sLng*sLng
	return 2 * earthRadiusMeters * math.Asin(math.Min(1, math.Sqrt(s)))
}

// CellResolution is the H3 resolution of the live index.
//
// Resolution 8: hexagons of ~0.74 km² (edge ~0.46 km, neighbouring centres ~0.8 km
// apart), so GridDisk(k) reaches roughly k×0.8 km from the restaurant's cell and holds
// 3k(k+1)+1 cells (1, 7, 19, 37, 61 for k = 0..4: k = 4 is ~3.2 km, about as far as we
// send a courier for a pickup). At a busy city's 5-20 available couriers per km², the
// restaurant's cell and its first ring (7 cells, ~5 km²) already give tens of candidates.
// Resolution 7 cells (5.2 km², ~2.6 km across) would put hundreds of couriers in one cell
// at rush hour and rank all of them; resolution 9 cells (0.1 km²) would be mostly empty
// off-peak and need 4-5 rings (60-90 set reads) to find anyone. Resolution 8 keeps the
// candidate set small at both ends of the day.
const CellResolution = 8

// MaxRing bounds ring growth: beyond ~3.2 km the pickup takes longer than the food does.
const MaxRing = 4

// cellEdgeMeters is the average hexagon edge at CellResolution (~461 m).
var cellEdgeMeters = h3.HexagonEdgeLengthAvgM(CellResolution)

// RingCoverageMeters is how far from a pickup the cells within k rings of its cell
// surely reach: a point outside them lies in a cell at grid distance >= k+1, whose centre
// is at least 1.5·edge·(k+1) from the origin cell's centre, the point is within one edge
// of its own centre, and the pickup within one edge of the origin's centre:
// 1.5·edge·(k+1) - 2·edge = edge·(1.5k - 0.5), i.e. ~0.46 km for k = 1, ~1.15 km for k = 2.
func RingCoverageMeters(k int) float64 {
	return max(0, cellEdgeMeters*(1.5*float64(k)-0.5))
}

// MatchReachMeters bounds how far from a pickup a courier found within MaxRing rings can
// be: neighbouring centres are √3·edge apart, and pickup and courier each lie within one
// edge of their cell's centre. A quarter more covers H3 cells larger than the average.
// It is how near a courier who frees up must be for a waiting order to be worth trying.
func MatchReachMeters() float64 {
	return 1.25 * cellEdgeMeters * (math.Sqrt(3)*MaxRing + 2)
}

// Cell is an H3 cell of the live index, as its canonical hex string.
type Cell string

// CellOf is the resolution-CellResolution cell holding p.
func CellOf(p Point) Cell {
	return Cell(h3.LatLngToCell(h3.NewLatLng(p.Lat, p.Lng), CellResolution).String())
}

// Rings returns the cells around p by grid distance: Rings(p, k)[i] are the cells exactly
// i steps from p's cell, for i = 0..k.
func Rings(p Point, k int) [][]Cell {
	origin := h3.LatLngToCell(h3.NewLatLng(p.Lat, p.Lng), CellResolution)
	rings := origin.GridDiskDistances(k)
	out := make([][]Cell, len(rings))
	for i, ring := range rings {
		out[i] = make([]Cell, len(ring))
		for j, c := range ring {
			out[i][j] = Cell(c.String())
		}
	}
	return out
}

// BBox is a latitude/longitude box (the admin live map's viewport).
type BBox struct {
	MinLat, MinLng, MaxLat, MaxLng float64
}

// BBoxAround is a box holding every point within meters of p (and more, near its
// corners), clamped to the globe: it does not wrap across the antimeridian.
func BBoxAround(p Point, meters float64) BBox {
	const metersPerDegree = 111_320.0
	dLat := meters / metersPerDegree
	dLng := 180.0
	if c := math.Cos(p.Lat * math.Pi / 180); c > 1e-6 {
		dLng = min(180, dLat/c)
	}
	return BBox{MinLat: max(-90, p.Lat-dLat), MinLng: max(-180, p.Lng-dLng), MaxLat: min(90, p.Lat+dLat), MaxLng: min(180, p.Lng+dLng)}
}

// Contains reports whether p lies inside b (edges included).
func (b BBox) Contains(p Point) bool {
	return p.Lat >= b.MinLat && p.Lat <= b.MaxLat && p.Lng >= b.MinLng && p.Lng <= b.MaxLng
}

// Valid reports whether b is a non-empty box on the globe.
func (b BBox) Valid() bool {
	return b.MinLat < b.MaxLat && b.MinLng < b.MaxLng && b.MinLat >= -90 && b.MaxLat <= 90 && b.MinLng >= -180 && b.MaxLng <= 180
}
