package city

import (
	"math"
	"testing"
)

func TestToward_movesTheGivenDistanceAndStopsAtTheTarget(t *testing.T) {
	from := Tashkent
	to := Offset(Tashkent, 1000, 0)
	if d := DistanceMeters(from, to); math.Abs(d-1000) > 1 {
		t.Fatalf("Offset 1000 m north is %.1f m away", d)
	}
	p, arrived := Toward(from, to, 300)
	if arrived || math.Abs(DistanceMeters(from, p)-300) > 1 {
		t.Fatalf("after 300 m: %v arrived=%v, %.1f m from the start", p, arrived, DistanceMeters(from, p))
	}
	p, arrived = Toward(p, to, 5000)
	if !arrived || p != to {
		t.Fatalf("a step past the target must land on it: %v arrived=%v", p, arrived)
	}
}
