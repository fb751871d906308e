package adapters

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	gojson "github.com/goccy/go-json"

	"github.com/dizhtime/dizhtime/subgraphs/search/domain"
)

// benchRestaurant is a document as the search benchmark's city has them: a profile with
// a week of opening hours and a menu of 12 dishes.
func benchRestaurant(i int) domain.Restaurant {
	r, _ := domain.NewRestaurant(fmt.Sprintf("bench-%d", i))
	var hours []domain.DayRange
	for day := range 7 {
		hours = append(hours, domain.DayRange{Day: time.Weekday(day), Open: 10 * 60, Close: 23 * 60})
	}
	_ = r.ApplyProfile(domain.Profile{Name: fmt.Sprintf("spicy pizza %d", i), Cuisines: []string{"italian"}, IsOpen: true,
		Location: domain.GeoPoint{Lat: 41.3, Lon: 69.2}, PriceLevel: 2, Rating: 4.4, Dietary: []string{"halal"},
		Hours: domain.WeeklyHours{Zone: time.UTC, Ranges: hours}}, 1, time.Now())
	menu := make([]domain.Dish, 12)
	for j := range menu {
		menu[j] = domain.Dish{ID: fmt.Sprintf("bench-%d-%d", i, j), Name: "crispy burger", Description: "with plov and smoked sauce",
			PriceMinor: 4_500_000, Currency: "UZS", Available: true}
	}
	_ = r.ApplyMenu(menu, 1, time.Now())
	return *r
}

// msearchBody is an _msearch answer for one page of 20 hits and its facets, with each
// hit's _source as source makes it.
func msearchBody(b testing.TB, source func(domain.Restaurant) any) []byte {
	b.Helper()
	var hits []map[string]any
	for i := range 20 {
		hits = append(hits, map[string]any{"_index": "restaurants-1", "_id": fmt.Sprintf("bench-%d", i), "_score": 3.2 - float64(i)/10,
			"_source": source(benchRestaurant(i))})
	}
	body, err := json.Marshal(map[string]any{"took": 4, "responses": []any{
		map[string]any{"took": 3, "timed_out": false, "hits": map[string]any{"total": map[string]any{"value": 640, "relation": "eq"},
			"max_score": 3.2, "hits": hits}, "status": 200},
		map[string]any{"took": 1, "hits": map[string]any{"hits": []any{}}, "aggregations": map[string]any{
			"cuisines":     map[string]any{"buckets": []any{map[string]any{"key": "italian", "doc_count": 400}, map[string]any{"key": "uzbek", "doc_count": 240}}},
			"price_levels": map[string]any{"buckets": []any{map[string]any{"key": 2, "doc_count": 640}}}}, "status": 200},
	}})
	if err != nil {
		b.Fatal(err)
	}
	return body
}

// msearchAnswer is how msearch reads the answer.
type msearchAnswer struct {
	Responses []struct {
		searchResponse
		Error json.RawMessage `json:"error"`
	} `json:"responses"`
}

// wholeDocumentAnswer is the answer as the adapter read it before: every hit's whole
// document, through encoding/json.
type wholeDocumentAnswer struct {
	Responses []struct {
		Hits struct {
			Total struct {
				Value int `json:"value"`
			} `json:"total"`
			Hits []struct {
				Score  float64           `json:"_score"`
				Source domain.Restaurant `json:"_source"`
			} `json:"hits"`
		} `json:"hits"`
		Aggregations struct {
			Cuisines    struct{ Buckets []bucket } `json:"cuisines"`
			PriceLevels struct{ Buckets []bucket } `json:"price_levels"`
		} `json:"aggregations"`
		Error json.RawMessage `json:"error"`
	} `json:"responses"`
}

// BenchmarkElasticDecode is the CPU the adapter spends decoding one search's answer (a
// page of 20 restaurants with 12 dishes each, plus facets): before (whole documents,
// encoding/json), with only hitFields in the answer, and with goccy/go-json on top (now).
func BenchmarkElasticDecode(b *testing.B) {
	whole := msearchBody(b, func(r domain.Restaurant) any { return r })
	fields := msearchBody(b, func(r domain.Restaurant) any {
		return hitSource{ID: r.ID, Name: r.Name, Cuisines: r.Cuisines, Location: r.Location, Promoted: r.Promoted, Dishes: r.Dishes}
	})
	b.Run("whole documents, encoding-json (before)", func(b *testing.B) {
		b.SetBytes(int64(len(whole)))
		for b.Loop() {
			var out wholeDocumentAnswer
			if err := json.Unmarshal(whole, &out); err != nil || len(out.Responses[0].Hits.Hits) != 20 {
				b.Fatal(err)
			}
		}
	})
	b.Run("hit fields, encoding-json", func(b *testing.B) {
		b.SetBytes(int64(len(fields)))
		for b.Loop() {
			var out msearchAnswer
			if err := json.Unmarshal(fields, &out); err != nil || len(out.Responses[0].Hits.Hits) != 20 {
				b.Fatal(err)
			}
		}
	})
	b.Run("hit fields, goccy-go-json (now)", func(b *testing.B) {
		b.SetBytes(int64(len(fields)))
		for b.Loop() {
			var out msearchAnswer
			if err := gojson.Unmarshal(fields, &out); err != nil || len(out.Responses[0].Hits.Hits) != 20 {
				b.Fatal(err)
			}
		}
	})
}

// The two decoders read the same answer into the same values.
func TestElasticDecode_goccyReadsWhatEncodingJSONReads(t *testing.T) {
	body := msearchBody(t, func(r domain.Restaurant) any {
		return hitSource{ID: r.ID, Name: r.Name, Cuisines: r.Cuisines, Location: r.Location, Promoted: r.Promoted, Dishes: r.Dishes}
	})
	var std, fast msearchAnswer
	if err := json.Unmarshal(body, &std); err != nil {
		t.Fatal(err)
	}
	if err := gojson.Unmarshal(body, &fast); err != nil {
		t.Fatal(err)
	}
	a, _ := json.Marshal(std)
	c, _ := json.Marshal(fast)
	if string(a) != string(c) {
		t.Fatalf("decoders differ:\n%s\n%s", a, c)
	}
	if len(fast.Responses) != 2 || len(fast.Responses[0].Hits.Hits) != 20 || len(fast.Responses[0].Hits.Hits[3].Source.Dishes) != 12 ||
		fast.Responses[1].Aggregations.Cuisines.Buckets[1].value() != "uzbek" {
		t.Fatalf("decoded %s", c)
	}
}
