package service_test

import (
	"bytes"
	"encoding/json"
	"io"
	"testing"
	"time"

	"github.com/dizhtime/dizhtime/platform/authz"
	"github.com/dizhtime/dizhtime/subgraphs/restaurants/internal/mongotest"
	"github.com/dizhtime/dizhtime/subgraphs/restaurants/ports"
)

// BenchmarkQuoteOverHTTP is one checkout quote as orders makes it (POST /internal/quote,
// loopback HTTP, JSON both ways) and as a client makes it (GraphQL quote), per backend.
func BenchmarkQuoteOverHTTP(b *testing.B) {
	for _, be := range mongotest.Backends {
		b.Run(be.Name, func(b *testing.B) {
			r := start(b, be.Open(b))
			v := r.plovHouse(b)
			ids := idsOf(v)
			lines := []map[string]any{
				{"menuItemId": ids.plov, "quantity": 2, "optionIds": []string{ids.large, ids.kazy}},
				{"menuItemId": ids.non, "quantity": 3},
			}
			body, _ := json.Marshal(map[string]any{"restaurantId": v.ID, "lines": lines})
			b.Run("internal HTTP", func(b *testing.B) {
				quotes := authz.NewServiceClient("restaurants", 5*time.Second)
				for b.Loop() {
					resp, err := quotes.Post(r.base+ports.QuotePath, "application/json", bytes.NewReader(body))
					if err != nil || resp.StatusCode != 200 {
						b.Fatalf("%v %v", resp, err)
					}
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
			})
			b.Run("GraphQL", func(b *testing.B) {
				vars := map[string]any{"in": map[string]any{"restaurantId": v.ID, "lines": lines}}
				for b.Loop() {
					if resp := r.do(b, nil, quoteQuery, vars); len(resp.Errors) > 0 {
						b.Fatal(resp.Errors)
					}
				}
			})
		})
	}
}
