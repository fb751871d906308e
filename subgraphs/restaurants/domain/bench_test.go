package domain_test

import (
	"testing"
	"time"

	"github.com/dizhtime/dizhtime/subgraphs/restaurants/domain"
)

// BenchmarkRestaurantQuote is the pure pricing cost of a two-line cart with options.
func BenchmarkRestaurantQuote(b *testing.B) {
	r := plovHouse(b)
	lines := []domain.QuoteLine{
		{MenuItemID: "id-2", Quantity: 3, OptionIDs: []string{"id-8", "id-5", "id-7"}},
		{MenuItemID: "id-2", Quantity: 1, OptionIDs: []string{"id-4"}},
	}
	now := time.Now()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.Quote(lines, now); err != nil {
			b.Fatal(err)
		}
	}
}
