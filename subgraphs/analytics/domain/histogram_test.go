package domain

import "testing"

func TestSeconds_quantilesAreNearestRank(t *testing.T) {
	h := Seconds{}
	for s := int64(1); s <= 10; s++ {
		h.Add(s, 1)
	}
	if q := h.Quantiles(); q != (Quantiles{P50: 5, P90: 9, P99: 10, Count: 10}) {
		t.Errorf("1..10: %+v", q)
	}
	h = Seconds{300: 98, 900: 1, 1200: 1}
	if q := h.Quantiles(); q != (Quantiles{P50: 300, P90: 300, P99: 900, Count: 100}) {
		t.Errorf("98 × 300 s, 900 s, 1200 s: %+v", q)
	}
	if q := (Seconds{}).Quantiles(); q != (Quantiles{}) {
		t.Errorf("empty: %+v", q)
	}
	if q := (Seconds{42: 1}).Quantiles(); q != (Quantiles{P50: 42, P90: 42, P99: 42, Count: 1}) {
		t.Errorf("one: %+v", q)
	}
}
