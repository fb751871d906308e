package graph

import (
	"errors"

	"github.com/dizhtime/dizhtime/platform/graphqlerr"
	"github.com/dizhtime/dizhtime/subgraphs/search/app"
	"github.com/dizhtime/dizhtime/subgraphs/search/domain"
	"github.com/dizhtime/dizhtime/subgraphs/search/graph/model"
)

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

func point(p *model.GeoPointInput) *domain.GeoPoint {
	if p == nil {
		return nil
	}
	return &domain.GeoPoint{Lat: p.Lat, Lon: p.Lng}
}

var sorts = map[model.RestaurantSearchSort]domain.Sort{
	model.RestaurantSearchSortRelevance: domain.SortRelevance,
	model.RestaurantSearchSortDistance:  domain.SortDistance,
	model.RestaurantSearchSortRating:    domain.SortRating,
}

func searchInput(text string, near *model.GeoPointInput, radius *int, f *model.RestaurantSearchFilters,
	sort *model.RestaurantSearchSort, first *int, after *string) (app.SearchInput, error) {
	in := app.SearchInput{QueryInput: domain.QueryInput{Text: text, Near: point(near), RadiusMeters: radius, First: 20, After: deref(after)}}
	if first != nil {
		in.First = *first
	}
	if sort != nil {
		in.Sort = sorts[*sort]
	}
	if f != nil {
		in.Filters = domain.Filters{Cuisines: f.Cuisines, Dietary: f.Dietary, MaxPriceLevel: deref(f.MaxPriceLevel), MinRating: deref(f.MinRating)}
		in.OpenNow = deref(f.OpenNow)
	}
	return in, nil
}

// clientError turns a refused argument into BAD_USER_INPUT; anything else is internal.
func clientError(err error) error {
	var bad *domain.InvalidQueryError
	if errors.As(err, &bad) {
		return graphqlerr.BadUserInput(bad.Field, bad.Field+" "+bad.Reason)
	}
	return graphqlerr.Internal(err)
}

func money(d domain.Dish) *model.Money {
	return &model.Money{AmountMinor: int(d.PriceMinor), Currency: d.Currency}
}

func pageInfo(first, last int, n int, hasNext, hasPrevious bool) *model.PageInfo {
	p := &model.PageInfo{HasNextPage: hasNext, HasPreviousPage: hasPrevious}
	if n > 0 {
		s, e := domain.Cursor(first), domain.Cursor(last)
		p.StartCursor, p.EndCursor = &s, &e
	}
	return p
}

func restaurantConnection(res app.RestaurantResults) *model.RestaurantSearchConnection {
	c := &model.RestaurantSearchConnection{TotalCount: res.Total, Edges: []*model.RestaurantSearchEdge{},
		Facets: &model.SearchFacets{Cuisines: facets(res.Facets.Cuisines), PriceLevels: facets(res.Facets.PriceLevels)}}
	for _, h := range res.Hits {
		hit := &model.RestaurantSearchHit{Restaurant: &model.Restaurant{ID: h.Restaurant.ID}, Score: h.Score,
			DistanceMeters: h.DistanceMeters, Promoted: h.Restaurant.Promoted, MatchedDishes: []*model.DishMatch{}}
		for _, m := range h.MatchedDishes {
			hit.MatchedDishes = append(hit.MatchedDishes, &model.DishMatch{Dish: &model.MenuItem{ID: m.Dish.ID},
				Name: m.Dish.Name, Highlight: m.Highlight, Price: money(m.Dish)})
		}
		c.Edges = append(c.Edges, &model.RestaurantSearchEdge{Cursor: domain.Cursor(h.Offset), Node: hit})
	}
	first, last := 0, 0
	if n := len(res.Hits); n > 0 {
		first, last = res.Hits[0].Offset, res.Hits[n-1].Offset
	}
	c.PageInfo = pageInfo(first, last, len(res.Hits), res.HasNext, res.HasPrevious)
	return c
}

func facets(in []domain.FacetCount) []*model.FacetCount {
	out := make([]*model.FacetCount, 0, len(in))
	for _, f := range in {
		out = append(out, &model.FacetCount{Value: f.Value, Count: f.Count})
	}
	return out
}

func dishConnection(res app.DishResults) *model.DishSearchConnection {
	c := &model.DishSearchConnection{Edges: []*model.DishSearchEdge{}}
	for _, h := range res.Hits {
		c.Edges = append(c.Edges, &model.DishSearchEdge{Cursor: domain.Cursor(h.Offset), Node: &model.DishSearchHit{
			Dish: &model.MenuItem{ID: h.Match.Dish.ID}, Name: h.Match.Dish.Name, Highlight: h.Match.Highlight,
			Price: money(h.Match.Dish), Restaurant: &model.Restaurant{ID: h.Restaurant.ID}, DistanceMeters: h.DistanceMeters}})
	}
	first, last := 0, 0
	if n := len(res.Hits); n > 0 {
		first, last = res.Hits[0].Offset, res.Hits[n-1].Offset
	}
	c.PageInfo = pageInfo(first, last, len(res.Hits), res.HasNext, res.HasPrevious)
	return c
}

var kinds = map[app.SuggestionKind]model.SuggestionKind{
	app.SuggestRestaurant: model.SuggestionKindRestaurant,
	app.SuggestDish:       model.SuggestionKindDish,
	app.SuggestCuisine:    model.SuggestionKindCuisine,
}

func suggestions(in []app.Suggestion) []*model.Suggestion {
	out := make([]*model.Suggestion, 0, len(in))
	for _, s := range in {
		m := &model.Suggestion{Text: s.Text, Kind: kinds[s.Kind]}
		if s.RestaurantID != "" {
			m.Restaurant = &model.Restaurant{ID: s.RestaurantID}
		}
		if s.DishID != "" {
			m.Dish = &model.MenuItem{ID: s.DishID}
		}
		out = append(out, m)
	}
	return out
}
