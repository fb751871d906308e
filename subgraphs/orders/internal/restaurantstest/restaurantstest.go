// Package restaurantstest is a real HTTP server speaking the restaurants subgraph's quote
// contract (POST /query with `quote(input: QuoteInput!)`, prices in minor units) over a
// fixed menu, for tests of the orders subgraph until restaurants runs beside it.
package restaurantstest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// Item is a menu item; Options maps option id to price delta.
type Item struct {
	Name      string
	Price     int64
	Available bool
	Options   map[string]int64
}

// Server is a running quote server.
type Server struct {
	URL string // the GraphQL endpoint
	mu  sync.Mutex
	// Open and Menu may be changed by a test at any time.
	open bool
	menu map[string]Item
}

// Currency of every price.
const Currency = "UZS"

// Start serves a menu of plov (25 000 with a big option +5 000), tea (3 000) and a sold
// out samsa; the restaurant is open.
func Start(t testing.TB) *Server {
	s := &Server{open: true, menu: map[string]Item{
		"plov":  {Name: "Plov", Price: 25000, Available: true, Options: map[string]int64{"plov-big": 5000}},
		"tea":   {Name: "Green tea", Price: 3000, Available: true},
		"samsa": {Name: "Samsa", Price: 8000, Available: false},
	}}
	srv := httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(srv.Close)
	s.URL = srv.URL + "/query"
	return s
}

// SetOpen opens or closes the restaurant.
func (s *Server) SetOpen(open bool) { s.mu.Lock(); s.open = open; s.mu.Unlock() }

type money struct {
	AmountMinor int64  `json:"amountMinor"`
	Currency    string `json:"currency"`
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Variables struct {
			In struct {
				RestaurantID string `json:"restaurantId"`
				Lines        []struct {
					MenuItemID string   `json:"menuItemId"`
					Quantity   int      `json:"quantity"`
					OptionIDs  []string `json:"optionIds"`
				} `json:"lines"`
			} `json:"in"`
		} `json:"variables"`
	}
	if r.Method != http.MethodPost {
		http.Error(w, "POST a GraphQL request", http.StatusMethodNotAllowed)
		return
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, "bad JSON", http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	in := req.Variables.In
	fail := func(field, msg string) {
		_ = json.NewEncoder(w).Encode(map[string]any{"data": nil, "errors": []any{map[string]any{
			"message": msg, "extensions": map[string]any{"code": "BAD_USER_INPUT", "field": field}}}})
	}
	var lines []any
	subtotal := int64(0)
	available := s.open
	for i, l := range in.Lines {
		it, ok := s.menu[l.MenuItemID]
		if !ok {
			fail(fmt.Sprintf("input.lines[%d].menuItemId", i), fmt.Sprintf("%q is not on this restaurant's menu", l.MenuItemID))
			return
		}
		if l.Quantity < 1 || l.Quantity > 99 {
			fail(fmt.Sprintf("input.lines[%d].quantity", i), "must be 1 to 99")
			return
		}
		unit := it.Price
		var opts []any
		for _, id := range l.OptionIDs {
			d, ok := it.Options[id]
			if !ok {
				fail(fmt.Sprintf("input.lines[%d].optionIds", i), fmt.Sprintf("%q is not an option of %q", id, it.Name))
				return
			}
			unit += d
			opts = append(opts, map[string]any{"id": id, "name": id, "groupId": "size", "priceDelta": money{d, Currency}})
		}
		var reason any
		if !it.Available {
			reason, available = "sold out", false
		}
		subtotal += unit * int64(l.Quantity)
		lines = append(lines, map[string]any{"menuItem": map[string]any{"id": l.MenuItemID}, "name": it.Name,
			"quantity": l.Quantity, "available": it.Available, "unavailableReason": reason,
			"unitPrice": money{unit, Currency}, "lineTotal": money{unit * int64(l.Quantity), Currency}, "options": opts})
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"data": map[string]any{"quote": map[string]any{
		"restaurantId": in.RestaurantID, "currency": Currency, "menuVersion": 1, "lines": lines,
		"subtotal": money{subtotal, Currency}, "available": available, "restaurantOpen": s.open,
		"quotedAt": time.Now().UTC().Format(time.RFC3339)}}})
}
