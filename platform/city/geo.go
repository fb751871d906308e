package city

import "math"

// Point is a WGS84 position.
type Point struct {
	Lat float64 `json:"lat"`
	Lng float64 `json:"lng"`
}

func (p Point) input() map[string]any { return map[string]any{"lat": p.Lat, "lng": p.Lng} }

// Tashkent is the centre of the demo city restaurants seeds (Amir Temur Square).
var Tashkent = Point{Lat: 41.3111, Lng: 69.2797}

const earthRadiusM = 6_371_000

// DistanceMeters is the great-circle distance between a and b.
func DistanceMeters(a, b Point) float64 {
	la1, la2 := a.Lat*math.Pi/180, b.Lat*math.Pi/180
	dLat, dLng := la2-la1, (b.Lng-a.Lng)*math.Pi/180
	h := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(la1)*math.Cos(la2)*math.Sin(dLng/2)*math.Sin(dLng/2)
	return 2 * earthRadiusM * math.Asin(math.Min(1, math.Sqrt(h)))
}

// Toward is where a driver at from ends up after moving at most meters toward to; it
// reports whether it arrived.
func Toward(from, to Point, meters float64) (Point, bool) {
	d := DistanceMeters(from, to)
	if d <= meters || d == 0 {
		return to, true
	}
	f := meters / d
	return Point{Lat: from.Lat + (to.Lat-from.Lat)*f, Lng: from.Lng + (to.Lng-from.Lng)*f}, false
}

// Offset is p moved north and east by the given meters.
func Offset(p Point, northM, eastM float64) Point {
	return Point{
		Lat: p.Lat + northM/earthRadiusM*180/math.Pi,
		Lng: p.Lng + eastM/(earthRadiusM*math.Cos(p.Lat*math.Pi/180))*180/math.Pi,
	}
}
