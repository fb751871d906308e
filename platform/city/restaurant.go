package city

import "context"

// NewRestaurant is a restaurant an owner opens: always open, in Tashkent, prices in UZS.
type NewRestaurant struct {
	Name     string
	Cuisines []string
	At       Point
	Dishes   []NewDish
}

// NewDish is one item of the new restaurant's menu.
type NewDish struct {
	Name       string
	PriceMinor int64
}

// CreateRestaurant creates the restaurant for the signed-in owner and puts its menu up.
func (s *Session) CreateRestaurant(ctx context.Context, r NewRestaurant) (string, error) {
	var days []any
	for _, d := range []string{"MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY"} {
		days = append(days, map[string]any{"day": d, "ranges": []any{map[string]any{"open": "00:00", "close": "24:00"}}})
	}
	var created struct {
		CreateRestaurant struct {
			ID   string
			Menu struct{ Version int }
		}
	}
	err := s.Do(ctx, `mutation CreateRestaurant($input: CreateRestaurantInput!) { createRestaurant(input: $input) { id menu { version } } }`,
		map[string]any{"input": map[string]any{
			"name": r.Name, "description": "Wood-fired, made to order.", "cuisines": r.Cuisines,
			"address":      map[string]any{"line1": "Navoi 12", "city": "Tashkent", "country": "UZ"},
			"location":     r.At.input(),
			"openingHours": map[string]any{"timeZone": "Asia/Tashkent", "days": days},
			"priceLevel":   2, "prepTimeMinutes": 15, "currency": "UZS",
		}}, &created)
	if err != nil {
		return "", err
	}
	var items []any
	for _, d := range r.Dishes {
		items = append(items, map[string]any{"name": d.Name, "price": map[string]any{"amountMinor": d.PriceMinor, "currency": "UZS"}})
	}
	id := created.CreateRestaurant.ID
	err = s.Do(ctx, `mutation UpdateMenu($id: ID!, $v: Int!, $menu: MenuInput!) { updateMenu(restaurantId: $id, expectedMenuVersion: $v, menu: $menu) { id } }`,
		map[string]any{"id": id, "v": created.CreateRestaurant.Menu.Version, "menu": map[string]any{
			"categories": []any{map[string]any{"name": "Pizza", "items": items}},
		}}, nil)
	return id, err
}
