package app

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/dizhtime/dizhtime/subgraphs/search/domain"
)

// Queries serves searches from the index.
type Queries struct {
	idx Index
	now func() time.Time
}

// NewQueries reads idx.
func NewQueries(idx Index) (*Queries, error) {
	if idx == nil {
		return nil, errors.New("queries: index is required")
	}
	return &Queries{idx: idx, now: time.Now}, nil
}

// RestaurantResult is one restaurant found.
type RestaurantResult struct {
	Offset     int
	Restaurant domain.Restaurant
	Score      float64
	// DistanceMeters is set when the search had near.
	DistanceMeters *float64
	MatchedDishes  []domain.DishMatch
}

// RestaurantResults is a page of restaurants.
type RestaurantResults struct {
	Hits        []RestaurantResult
	Total       int
	HasNext     bool
	HasPrevious bool
	Facets      domain.Facets
}

// SearchInput is a search as a client states it; OpenNow is resolved to the time of the
// search here.
type SearchInput struct {
	domain.QueryInput
	OpenNow bool
}

func (q *Queries) query(in SearchInput) (domain.Query, error) {
	if in.OpenNow {
		now := q.now()
		in.Filters.OpenAt = &now
	}
	return domain.NewQuery(in.QueryInput)
}

// SearchRestaurants runs a restaurant search.
func (q *Queries) SearchRestaurants(ctx context.Context, in SearchInput) (RestaurantResults, error) {
	query, err := q.query(in)
	if err != nil {
		return RestaurantResults{}, err
	}
	page, err := q.idx.Search(ctx, query)
	if err != nil {
		return RestaurantResults{}, err
	}
	// A capped total (domain.MaxCountedHits) means "at least": more may follow it.
	out := RestaurantResults{Total: page.Total, Facets: page.Facets, HasPrevious: query.Offset > 0,
		HasNext: query.Offset+len(page.Hits) < page.Total || (page.Total >= domain.MaxCountedHits && len(page.Hits) == query.Limit)}
	for i, h := range page.Hits {
		out.Hits = append(out.Hits, RestaurantResult{Offset: query.Offset + i, Restaurant: h.Restaurant, Score: h.Score,
			DistanceMeters: distance(query.Near, h.Restaurant.Location), MatchedDishes: domain.MatchDishes(h.Restaurant, query.Text)})
	}
	return out, nil
}

func distance(near *domain.GeoPoint, at domain.GeoPoint) *float64 {
	if near == nil {
		return nil
	}
	d := domain.DistanceMeters(*near, at)
	return &d
}

// DishResult is one dish found.
type DishResult struct {
	Offset         int
	Match          domain.DishMatch
	Restaurant     domain.Restaurant
	DistanceMeters *float64
}

// DishResults is a page of dishes.
type DishResults struct {
	Hits        []DishResult
	HasNext     bool
	HasPrevious bool
}

// maxDishWindow bounds how many restaurants a dish search reads to fill its page.
const maxDishWindow = 500

// SearchDishes finds dishes: the restaurants the index ranks for the text, each
// contributing its matching dishes, best match first.
func (q *Queries) SearchDishes(ctx context.Context, in SearchInput) (DishResults, error) {
	if strings.TrimSpace(in.Text) == "" {
		return DishResults{}, &domain.InvalidQueryError{Field: "query", Reason: "is required"}
	}
	query, err := q.query(in)
	if err != nil {
		return DishResults{}, err
	}
	want := query.Offset + query.Limit
	window := query
	window.Offset, window.Limit = 0, min(2*want+10, maxDishWindow)
	page, err := q.idx.Search(ctx, window)
	if err != nil {
		return DishResults{}, err
	}
	var all []DishResult
	for _, h := range page.Hits {
		for _, m := range domain.MatchDishes(h.Restaurant, query.Text) {
			all = append(all, DishResult{Match: m, Restaurant: h.Restaurant, DistanceMeters: distance(query.Near, h.Restaurant.Location)})
		}
	}
	out := DishResults{HasPrevious: query.Offset > 0, HasNext: len(all) > want}
	for i := query.Offset; i < min(want, len(all)); i++ {
		all[i].Offset = i
		out.Hits = append(out.Hits, all[i])
	}
	return out, nil
}

// SuggestionKind says what a suggestion names.
type SuggestionKind string

const (
	SuggestRestaurant SuggestionKind = "RESTAURANT"
	SuggestDish       SuggestionKind = "DISH"
	SuggestCuisine    SuggestionKind = "CUISINE"
)

// Suggestion is one autocomplete entry.
type Suggestion struct {
	Text         string
	Kind         SuggestionKind
	RestaurantID string
	DishID       string
}

// Suggest completes prefix (its last word) into restaurant names, dishes and cuisines,
// nearest first when near is given.
func (q *Queries) Suggest(ctx context.Context, prefix string, near *domain.GeoPoint, limit int) ([]Suggestion, error) {
	terms := domain.Terms(prefix)
	switch {
	case len(terms) == 0:
		return nil, &domain.InvalidQueryError{Field: "prefix", Reason: "needs a letter or digit"}
	case len(prefix) > 50:
		return nil, &domain.InvalidQueryError{Field: "prefix", Reason: "must be at most 50 characters"}
	case limit < 1 || limit > 20:
		return nil, &domain.InvalidQueryError{Field: "first", Reason: "must be between 1 and 20"}
	case near != nil && !near.Valid():
		return nil, &domain.InvalidQueryError{Field: "near", Reason: "lat must be within ±90 and lng within ±180"}
	}
	last := terms[len(terms)-1]
	docs, err := q.idx.Suggest(ctx, last, near, 3*limit)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var out []Suggestion
	add := func(s Suggestion) {
		key := strings.ToLower(s.Text)
		if len(out) < limit && !seen[key] {
			seen[key] = true
			out = append(out, s)
		}
	}
	for _, r := range docs {
		if domain.PrefixMatches(r.Name, last) {
			add(Suggestion{Text: r.Name, Kind: SuggestRestaurant, RestaurantID: r.ID})
		}
		for _, d := range r.Dishes {
			if domain.PrefixMatches(d.Name, last) {
				add(Suggestion{Text: d.Name, Kind: SuggestDish, RestaurantID: r.ID, DishID: d.ID})
			}
		}
		for _, c := range r.Cuisines {
			if strings.HasPrefix(c, last) {
				add(Suggestion{Text: c, Kind: SuggestCuisine})
			}
		}
	}
	return out, nil
}
